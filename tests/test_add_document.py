"""`manage.py add_document` adds a source from a text file, all or nothing, never overwriting."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Document

pytestmark = pytest.mark.django_db

# Invented test text, not a source: it only has to be stored exactly as written.
TEXT = "First paragraph of a test document, with “curly quotes” and é.\n\nSecond paragraph.\n"


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "document.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def add_document(path, *args):
    """Run the command; return what it printed."""
    out = StringIO()
    call_command("add_document", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args):
    """Run the command expecting a CommandError; check nothing was written; return its message."""
    documents = Document.objects.count()
    history = Document.history.count()
    with pytest.raises(CommandError) as error:
        add_document(path, *args)
    assert Document.objects.count() == documents
    assert Document.history.count() == history
    return str(error.value)


def test_it_creates_the_document_with_its_text_authors_and_date(text_file):
    printed = add_document(
        text_file,
        "--title=A Test Document: Its Title",
        "--kind=article",
        "--author=lenin",
        "--author=stalin",
        "--date=1990-02-01",
        "--publication=The Test Review",
        "--url=https://example.org/test-document",
        "--provenance=Typed for the test.",
    )
    document = Document.objects.get(slug="a-test-document-its-title")
    assert document.title == "A Test Document: Its Title"
    assert document.kind == "article"
    assert document.text == TEXT
    assert sorted(document.authors.values_list("slug", flat=True)) == ["lenin", "stalin"]
    assert document.published_on == datetime.date(1990, 2, 1)
    assert document.published_precision == "day"
    assert document.publication == "The Test Review"
    assert document.url == "https://example.org/test-document"
    assert document.provenance == "Typed for the test."
    assert f"/admin/archive/document/{document.pk}/change/" in printed
    assert "/documents/a-test-document-its-title/" in printed


def test_it_records_one_created_revision_with_the_reason_and_the_authors(text_file):
    add_document(text_file, "--title=Test history", "--kind=paper", "--author=lenin")
    document = Document.objects.get(slug="test-history")
    [revision] = document.history.all()
    assert revision.history_type == "+"
    assert revision.history_change_reason == "Added with add_document"
    assert [row.author.slug for row in revision.authors.all()] == ["lenin"]


def test_it_takes_the_change_reason_from_reason(text_file):
    add_document(text_file, "--title=Test reason", "--kind=paper", "--reason=Donated by a reader")
    document = Document.objects.get(slug="test-reason")
    assert document.history.get().history_change_reason == "Donated by a reader"


@pytest.mark.parametrize(
    ("given", "stored", "precision"),
    [
        ("1990-02-01", datetime.date(1990, 2, 1), "day"),
        ("1990-02", datetime.date(1990, 2, 1), "month"),
        ("1990", datetime.date(1990, 1, 1), "year"),
    ],
)
def test_it_stores_the_date_as_precisely_as_it_was_given(text_file, given, stored, precision):
    add_document(text_file, "--title=Test date", "--kind=article", f"--date={given}")
    document = Document.objects.get(slug="test-date")
    assert (document.published_on, document.published_precision) == (stored, precision)
    assert document.published_iso == given


def test_it_leaves_the_date_empty_when_none_is_given(text_file):
    add_document(text_file, "--title=Test no date", "--kind=article")
    document = Document.objects.get(slug="test-no-date")
    assert (document.published_on, document.published_precision) == (None, "")


def test_it_uses_the_slug_given(text_file):
    add_document(text_file, "--title=Test slug", "--kind=article", "--slug=test-own-slug")
    assert Document.objects.get(slug="test-own-slug").title == "Test slug"


def test_it_refuses_a_missing_file(tmp_path):
    message = refused(tmp_path / "nowhere.txt", "--title=Test", "--kind=article")
    assert "No such file" in message
    assert "nowhere.txt" in message


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 text".encode("latin-1"))
    assert "not UTF-8" in refused(path, "--title=Test", "--kind=article")


def test_it_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(" \n\n", encoding="utf-8")
    assert "empty" in refused(path, "--title=Test", "--kind=article")


def test_it_names_an_unknown_author_slug(text_file):
    message = refused(
        text_file, "--title=Test", "--kind=article", "--author=lenin", "--author=nobody-x"
    )
    assert "“nobody-x”" in message
    assert "lenin" not in message


@pytest.mark.parametrize("date", ["1990-13", "1990-02-30", "Feb 1990", "90", "1990/02/01"])
def test_it_refuses_a_date_it_cannot_read(text_file, date):
    assert date in refused(text_file, "--title=Test", "--kind=article", f"--date={date}")


def test_it_refuses_an_unknown_kind(text_file):
    with pytest.raises(CommandError, match="invalid choice"):
        add_document(text_file, "--title=Test", "--kind=pamphlet")
    assert not Document.objects.filter(title="Test").exists()


def test_it_refuses_a_bad_url(text_file):
    assert "url" in refused(text_file, "--title=Test", "--kind=article", "--url=not a url")


def test_it_refuses_a_bad_slug(text_file):
    assert "--slug" in refused(text_file, "--title=Test", "--kind=article", "--slug=no spaces")


def test_it_refuses_a_reason_too_long_for_the_history(text_file):
    assert "--reason" in refused(
        text_file, "--title=Test", "--kind=article", f"--reason={'x' * 101}"
    )


def test_it_never_overwrites_an_existing_document(text_file):
    existing = Document.objects.get(slug="boettke-soviet-admissions")
    before = (existing.title, existing.text, existing.kind, list(existing.authors.all()))
    message = refused(
        text_file, "--title=Test", "--kind=article", "--slug=boettke-soviet-admissions"
    )
    assert "already exists" in message
    existing.refresh_from_db()
    assert (existing.title, existing.text, existing.kind, list(existing.authors.all())) == before


def test_it_refuses_a_slug_that_another_document_had_before(text_file):
    existing = Document.objects.get(slug="boettke-soviet-admissions")
    existing.slug = "test-renamed-admissions"
    existing.save()
    message = refused(
        text_file, "--title=Test", "--kind=article", "--slug=boettke-soviet-admissions"
    )
    assert "redirects" in message


def test_running_it_twice_with_the_same_title_fails_and_keeps_the_first(text_file, tmp_path):
    add_document(text_file, "--title=Test twice", "--kind=article", "--author=lenin", "--date=1921")
    first = Document.objects.get(slug="test-twice")
    other = tmp_path / "other.txt"
    other.write_text("Some other test text.\n", encoding="utf-8")
    message = refused(other, "--title=Test twice", "--kind=paper", "--author=stalin", "--date=1931")
    assert "test-twice" in message
    first.refresh_from_db()
    assert (first.text, first.kind, first.published_iso) == (TEXT, "article", "1921")
    assert list(first.authors.values_list("slug", flat=True)) == ["lenin"]
    assert first.history.count() == 1
