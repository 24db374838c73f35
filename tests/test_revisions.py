"""Revision permalinks: /quotes/<id>/v/<n>/ shows a quote exactly as it read at revision n.

Revisions are the quote's history records in the order they were made; load_archive records
revision 1 of every fixture quote. Edits here are made as a curator's save is: through the ORM,
with a change reason (and a history user, which readers must never see).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import bibtexparser
import html5lib
import pytest
import rispy
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from archive import revisions
from archive.models import Quote
from tests.citation_parsers import render_csl

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def revise(pk, reason, user=None, **changes):
    """Change the quote as a curator's save does, with a reason; return it."""
    quote = Quote.objects.get(pk=pk)
    for name, value in changes.items():
        setattr(quote, name, value)
    quote._change_reason = reason
    if user is not None:
        quote._history_user = user
    quote.save()
    return quote


def elided(text, words=8):
    """The quote's own opening words, the rest marked as left out: a real curator's cut."""
    return " ".join(text.split()[:words]) + " …"


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def day_of(pk, number):
    """The day revision `number` of quote pk was recorded, as the notice writes it."""
    records = Quote.history.filter(id=pk).order_by("history_date", "history_id")
    day = timezone.localdate(records[number - 1].history_date)
    return day, f"{day.day} {day:%B %Y}"


def test_it_shows_revision_1_of_a_fixture_quote_as_loaded(client):
    quote = Quote.objects.get(pk=207)
    html = page(client, "/quotes/207/v/1/")
    assert escape(quote.text) in html
    _, day = day_of(207, 1)
    assert "This is revision 1 of quote 207, as it read on" in html
    assert f">{day}</time>" in html
    assert "It is the current wording." in html
    assert '<a href="/quotes/207/">See the current version</a>' in html
    assert '<a href="/quotes/207/v/">All revisions</a>' in html
    assert '<link rel="canonical" href="http://testserver/quotes/207/v/1/">' in html
    assert "Status then</dt>\n    <dd>Published</dd>" in html


def test_it_keeps_the_old_wording_at_revision_1_after_the_text_is_revised(client):
    old = Quote.objects.get(pk=207).text
    new = elided(old)
    revise(207, "Cut to the passage the claim rests on", text=new)
    first, second = page(client, "/quotes/207/v/1/"), page(client, "/quotes/207/v/2/")
    assert escape(old) in first and escape(new) not in first
    assert escape(new) in second and escape(old) not in second
    assert "It has been revised since." in first
    assert "It is the current wording." in second
    assert "Why it changed</dt><dd>Cut to the passage the claim rests on</dd>" in second
    assert revisions.revision_count(207) == 2


def test_it_lists_every_revision_with_its_reason_and_what_changed_but_not_who(client):
    curator = User.objects.create_user("jane-curator", is_staff=True)
    old = Quote.objects.get(pk=207).text
    revise(207, "Cut to the passage the claim rests on", user=curator, text=elided(old))
    revise(207, "Named the collection", user=curator, original_source="Collected Works, vol. 35")
    assert Quote.history.filter(id=207, history_user=curator).count() == 2
    html = page(client, "/quotes/207/v/")
    for number in (1, 2, 3):
        assert f'<a href="/quotes/207/v/{number}/">Revision {number}</a>' in html
    assert "Loaded from the archive&#x27;s fixtures" in html
    assert "<td>Cut to the passage the claim rests on</td>\n        <td>text</td>" in html
    assert "<td>Named the collection</td>\n        <td>original source</td>" in html
    assert "Revision 3</a> (current wording)" in html
    for url in ("/quotes/207/v/", "/quotes/207/v/1/", "/quotes/207/v/3/"):
        assert "jane-curator" not in page(client, url)


def test_it_names_a_change_of_topics_and_of_the_date_said_as_readers_know_them(client):
    quote = Quote.objects.get(pk=207)
    quote.topics.remove(quote.topics.first())
    revise(207, "Year only, as the letter is dated", said_precision="year")
    html = page(client, "/quotes/207/v/")
    assert "<td>topics</td>" in html
    assert "<td>Year only, as the letter is dated</td>\n        <td>date said</td>" in html
    topics_then = page(client, "/quotes/207/v/1/").split("Topics</dt>")[1].split("</dd>")[0]
    topics_now = page(client, "/quotes/207/v/3/").split("Topics</dt>")[1].split("</dd>")[0]
    assert topics_then.count("<a ") == topics_now.count("<a ") + 1


def test_it_answers_404_for_a_revision_or_quote_that_does_not_exist(client):
    html = page(client, "/quotes/207/v/2/", 404)
    assert "Quote 207 has no revision 2" in html
    assert '<a href="/quotes/207/v/1/">Revision 1</a>' in html
    page(client, "/quotes/207/v/0/", 404)
    page(client, "/quotes/207/v/2/cite.bib", 404)
    page(client, "/quotes/207/v/1/cite.xml", 404)
    page(client, "/quotes/999999/v/", 404)
    page(client, "/quotes/999999/v/1/", 404)


def test_it_answers_404_for_a_quote_that_was_never_published(client):
    Quote.objects.filter(pk=207).update(status=Quote.Status.DRAFT)
    Quote.history.filter(id=207).update(status=Quote.Status.DRAFT)
    for url in ("/quotes/207/v/", "/quotes/207/v/1/", "/quotes/207/v/1/cite.bib"):
        page(client, url, 404)


def test_it_still_shows_what_was_published_once_the_quote_is_withdrawn(client):
    quote = Quote.objects.get(pk=207)
    quote.withdraw("The letter is quoted from a secondary source we could not check.")
    quote._change_reason = "Withdrawn"
    quote.save()
    assert client.get("/quotes/207/").status_code == 410
    html = page(client, "/quotes/207/v/1/")
    assert escape(quote.text) in html
    assert (
        "The quote has since been withdrawn from the archive: The letter is quoted from a "
        "secondary source we could not check."
    ) in html
    assert '<a href="/quotes/207/">See the withdrawal notice</a>' in html
    assert "Status then</dt>\n    <dd>Published</dd>" in html
    assert "Status then</dt>\n    <dd>Withdrawn: The letter is quoted" in page(
        client, "/quotes/207/v/2/"
    )


def test_it_still_shows_a_merged_quote_and_links_the_one_that_replaced_it(client):
    quote = Quote.objects.get(pk=207)
    quote.merge_into(Quote.objects.get(pk=208))
    quote._change_reason = "Same passage as quote 208"
    quote.save()
    html = page(client, "/quotes/207/v/1/")
    assert 'The quote has since been merged into <a href="/quotes/208/">quote 208</a>.' in html
    assert '<a href="/quotes/208/">See the quote that replaced it</a>' in html


def test_it_still_shows_the_revisions_of_a_quote_removed_from_the_archive(client):
    quote = Quote.objects.get(pk=410)
    text = quote.text
    quote.delete()
    html = page(client, "/quotes/410/v/1/")
    assert escape(text) in html
    assert "The quote has since been removed from the archive." in html
    assert "See the current version" not in html
    assert "Revision 2" not in page(client, "/quotes/410/v/")


def test_its_citations_name_the_revision_its_date_and_its_address(client):
    old = Quote.objects.get(pk=207).text
    revise(207, "Cut to the passage the claim rests on", text=elided(old))
    day, _ = day_of(207, 1)
    label = f"revision 1 of {day:%B} {day.day}, {day.year}"
    url = "http://testserver/quotes/207/v/1/"
    html = page(client, "/quotes/207/v/1/")
    assert f"Who Said What, {label}. Accessed" in html
    assert f"Who Said What</cite>, revision 1 of {day.day} " in html
    assert f"href={url!r}" in html.replace('"', "'")

    bib = client.get("/quotes/207/v/1/cite.bib")
    assert bib["Content-Disposition"] == 'attachment; filename="quote-207-v1.bib"'
    [entry] = bibtexparser.loads(bib.content.decode()).entries
    assert entry["ID"] == "quote207v1"
    assert entry["version"] == "1"
    assert entry["url"] == url
    assert entry["note"].startswith(f"Revision 1 of {day:%B} {day.day}, {day.year}. Quoted in")
    assert entry["abstract"] == old

    [record] = rispy.loads(page(client, "/quotes/207/v/1/cite.ris"))
    assert record["edition"] == label
    assert record["urls"] == [url]
    assert record["abstract"] == old

    payload = client.get("/quotes/207/v/1/cite.json").content
    [item] = json.loads(payload)
    assert (item["id"], item["version"], item["URL"]) == ("quote207v1", "1", url)
    assert item["abstract"] == old
    rendered = render_csl(payload, "quote207v1")
    assert rendered.startswith("Lenin, V.I. (1921) “The greatest danger is that")
    assert url in rendered


def test_its_structured_data_describe_the_revision(client):
    html = page(client, "/quotes/207/v/1/")
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@id"] == data["url"] == "http://testserver/quotes/207/v/1/"
    assert data["version"] == "1"
    assert data["text"] == Quote.objects.get(pk=207).text
    assert '<meta name="citation_public_url" content="http://testserver/quotes/207/v/1/">' in html


@pytest.mark.parametrize("url", ["/quotes/207/v/", "/quotes/207/v/1/", "/quotes/207/v/9/"])
def test_the_revision_pages_are_valid_html5_with_unique_ids(client, url):
    response = client.get(url)
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content.decode())


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_revision_pages_cost_the_same_queries_for_2_and_for_10_revisions(client):
    text = Quote.objects.get(pk=207).text
    revise(207, "Revision 2", text=elided(text))
    with_two = queries_for(client, "/quotes/207/v/"), queries_for(client, "/quotes/207/v/2/")
    for number in range(3, 11):
        revise(207, f"Revision {number}", text=elided(text, 8 + number))
    assert revisions.revision_count(207) == 10
    with_ten = queries_for(client, "/quotes/207/v/"), queries_for(client, "/quotes/207/v/2/")
    assert with_two == with_ten
    assert with_two[0] <= 6


# Migrations. A schema change to Quote is also made to HistoricalQuote (makemigrations writes
# both); the history rows recorded before it must come through and the revision pages keep
# working. Two ways: a simulated schema change (a column added and a column altered, which
# rebuilds the table on SQLite) applied on top of the real migrations, through a settings
# module whose MIGRATION_MODULES adds it; and the real migrations after 0003 (which created
# the history tables) unapplied and applied again.

HISTORY_CREATED = "0003_history_and_merging"

SIMULATED_MIGRATION = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("archive", "{leaf}")]

    operations = [
        migrations.AddField("quote", "context_note", models.TextField(blank=True, null=True)),
        migrations.AddField(
            "historicalquote", "context_note", models.TextField(blank=True, null=True)
        ),
        migrations.AlterField("quote", "via", models.TextField(blank=True, null=True)),
        migrations.AlterField("historicalquote", "via", models.TextField(blank=True, null=True)),
    ]
"""

EDIT = """
from archive.models import Quote
quote = Quote.objects.get(pk=201)
quote.text = " ".join(quote.text.split()[:{words}]) + " …"
quote._change_reason = "Revision {number}"
quote.save()
"""

FETCH = """
import json
from django.test import Client
from django.utils.html import escape
from archive.models import Quote
client = Client()
pages = {}
records = Quote.history.filter(id=201).order_by("history_date", "history_id")
for number, record in enumerate(records, 1):
    response = client.get(f"/quotes/201/v/{number}/")
    pages[number] = [response.status_code, escape(record.text) in response.content.decode()]
listing = client.get("/quotes/201/v/")
links = listing.content.decode().count('<a href="/quotes/201/v/')
print(json.dumps({"pages": pages, "list": listing.status_code, "links": links}))
"""

COLUMNS = """
from django.db import connection
with connection.cursor() as cursor:
    columns = connection.introspection.get_table_description(cursor, "archive_historicalquote")
print([column.name for column in columns])
"""


def simulated_settings(tmp_path, leaf):
    """A settings module whose archive migrations are the real ones plus a schema change."""
    package = tmp_path / "simulated_migrations"
    shutil.copytree(
        ROOT / "archive" / "migrations", package, ignore=shutil.ignore_patterns("__py*")
    )
    (package / "__init__.py").touch()
    (package / "0099_simulated_schema_change.py").write_text(SIMULATED_MIGRATION.format(leaf=leaf))
    (tmp_path / "simulated_settings.py").write_text(
        "from plain_static_settings import *  # noqa: F403\n"
        'MIGRATION_MODULES = {"archive": "simulated_migrations"}\n'
    )
    return "simulated_settings"


def plain_static_settings(tmp_path):
    """The settings with plain static storage: a fresh clone has run no collectstatic."""
    (tmp_path / "plain_static_settings.py").write_text(
        "from archive.settings import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )
    return "plain_static_settings"


def test_revision_pages_survive_schema_migrations_with_history_rows_present(
    tmp_path, fresh_database_url
):
    [(_, leaf)] = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("archive")
    env = {
        "DATABASE_URL": fresh_database_url,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(tmp_path),
    }

    plain = plain_static_settings(tmp_path)

    def manage(*args, settings_module=plain):
        return subprocess.run(
            [sys.executable, "manage.py", *args, f"--settings={settings_module}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def shell(code, settings_module=plain):
        return manage("shell", "--no-imports", "-c", code, settings_module=settings_module)

    def fetch(settings_module=plain):
        return json.loads(shell(FETCH, settings_module).strip().splitlines()[-1])

    manage("migrate", "--noinput")
    manage("load_archive")
    shell(EDIT.format(words=10, number=2))
    assert fetch() == {"pages": {"1": [200, True], "2": [200, True]}, "list": 200, "links": 2}

    simulated = simulated_settings(tmp_path, leaf)
    manage("migrate", "archive", "0099_simulated_schema_change", settings_module=simulated)
    assert "context_note" in shell(COLUMNS, simulated)
    shell(EDIT.format(words=6, number=3), simulated)
    after_change = fetch(simulated)
    assert after_change["pages"] == {"1": [200, True], "2": [200, True], "3": [200, True]}
    manage("migrate", "archive", leaf, settings_module=simulated)
    assert "context_note" not in shell(COLUMNS)

    assert leaf != HISTORY_CREATED, "no migration after the history tables to round-trip"
    manage("migrate", "archive", HISTORY_CREATED)
    manage("migrate", "--noinput")
    assert fetch() == {
        "pages": {"1": [200, True], "2": [200, True], "3": [200, True]},
        "list": 200,
        "links": 3,
    }
