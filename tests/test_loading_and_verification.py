"""Loading never overwrites curators' edits; a quote that is not verbatim is never shown."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from archive.models import Author, Claim, Document, Quote, Stance, Topic
from tests.conftest import manage as run_manage

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def empty_the_archive():
    Stance.objects.all().delete()
    Quote.objects.all().delete()
    for model in (Document, Author, Claim, Topic):
        model.objects.all().delete()


def run(capsys, *args):
    call_command(*args)
    return capsys.readouterr()


def test_load_archive_fills_an_empty_database(capsys):
    empty_the_archive()
    output = run(capsys, "load_archive")
    assert "Loaded" in output.out
    assert Quote.objects.published().count() == Quote.objects.count() >= 120


def test_load_archive_never_overwrites_a_curators_edit(capsys):
    quote = Quote.objects.order_by("pk").first()
    Quote.objects.filter(pk=quote.pk).update(original_source="Checked by a curator")
    Author.objects.filter(slug="lenin").update(description="Edited by a curator")
    output = run(capsys, "load_archive")
    assert "fixtures not loaded" in output.out
    assert Quote.objects.get(pk=quote.pk).original_source == "Checked by a curator"
    assert Author.objects.get(slug="lenin").description == "Edited by a curator"


def test_verify_quotes_passes_on_the_whole_archive(capsys):
    output = run(capsys, "verify_quotes")
    assert f"All {Quote.objects.count()} quotes found verbatim" in output.out


def test_a_misquoted_quote_fails_verification_and_disappears_from_readers(client, capsys):
    quote = Quote.objects.published().order_by("pk").first()
    altered = quote.text.replace(" ", "  ", 1)[:-1] + "!"  # whitespace is fine; the "!" is not
    Quote.objects.filter(pk=quote.pk).update(text=altered)
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_quotes")
    errors = capsys.readouterr().err
    assert f"Quote {quote.pk} is not in document" in errors
    assert "nearest:" in errors
    assert not Quote.objects.published().filter(pk=quote.pk).exists()
    assert client.get(f"/quotes/{quote.pk}/").status_code == 404

    Quote.objects.filter(pk=quote.pk).update(text=quote.text)
    call_command("verify_quotes", str(quote.pk))
    assert Quote.objects.published().filter(pk=quote.pk).exists()
    assert client.get(f"/quotes/{quote.pk}/").status_code == 200


def test_a_fixture_quote_that_is_not_verbatim_stops_the_whole_load(settings, tmp_path):
    for path in Path(ROOT / "fixtures").glob("*.yaml"):
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in rows:
            if row["model"] == "archive.quote" and row["pk"] == 201:
                row["fields"]["text"] = row["fields"]["text"] + " And some words nobody wrote."
        (tmp_path / path.name).write_text(yaml.safe_dump(rows, allow_unicode=True))
    settings.ARCHIVE_FIXTURES = tmp_path
    empty_the_archive()
    with pytest.raises(CommandError, match="could not be found verbatim"):
        call_command("load_archive")
    assert Quote.objects.count() == 0, "nothing is half-loaded"


def test_make_runs_setup_steps_keep_edits_across_runs(fresh_database_url):
    """The steps `make run` takes (migrate, load_archive), twice, against a real database."""
    env = {"DATABASE_URL": fresh_database_url, "PATH": "/usr/bin:/bin"}

    def manage(*args):
        return run_manage(env, *args, check=True).stdout

    def shell(code):
        return manage("shell", "--no-imports", "-c", code).strip()

    manage("migrate", "--noinput")
    assert "Loaded" in manage("load_archive")
    shell("from archive.models import Quote; Quote.objects.filter(pk=201).update(via='curated')")
    assert "fixtures not loaded" in manage("load_archive")
    assert shell("from archive.models import Quote; print(Quote.objects.get(pk=201).via)") == (
        "curated"
    )
