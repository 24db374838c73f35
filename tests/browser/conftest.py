"""Browser tests: Playwright drives Debian's Chromium against a live server.

No browser is ever downloaded: Chromium is the Debian package at /usr/bin/chromium (`.ci/run`
installs it). Without it the browser tests skip locally, and fail under CI=true.

The database. A live server answers from another thread, so it only sees committed rows.

- Tests that only read (`BROWSER_TEST`, the `page` fixture) run as ordinary database tests,
  among the others, against `reading_server`: a live server over the archive that
  tests/conftest.py loads and commits once per session. Nothing they do is committed, so the
  archive is the same for each of them and nothing has to be restored between them.
- Tests that change the archive (`COMMITS_CHANGES`, the `writing_page` fixture: withdraw a
  quote, log in to the admin) commit their changes, so they run on pytest-django's
  `live_server` as transactional tests, which empty (flush) the database after each one. A
  flush would wipe the archive, so they are marked `serialized_rollback=True`: before each one,
  Django restores the database from a serialized snapshot, which `archive_snapshot` takes once
  with the whole archive in it (Django's own is taken before the archive is loaded).
  pytest-django runs transactional tests after all the others, so no other test sees a
  flushed or restored database. Restoring the archive takes seconds; that is why only tests
  that write pay for it.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from archive.models import Quote

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# A browser test that only reads: the archive as loaded, nothing committed.
BROWSER_TEST = [pytest.mark.browser, pytest.mark.django_db]
# Marks, beside BROWSER_TEST, a browser test that commits changes: the whole archive is
# restored before it runs.
COMMITS_CHANGES = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def require_chromium():
    """Skip without Chromium, except under CI=true, where the browser tests must run."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install the Debian package chromium."
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests must run under CI=true, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def archive_snapshot(browser, django_db_setup, django_db_blocker):
    """Make the serialized rollback of browser tests restore the whole archive.

    Taken once Chromium runs: from then on Django hands this thread another connection object
    (see `browser`), and the snapshot must sit on the one the tests use.
    """
    with django_db_blocker.unblock():
        if not Quote.objects.exists():
            call_command("load_archive", verbosity=0)
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session.

    Playwright's synchronous API keeps an asyncio event loop running in this thread, which
    Django takes for async code and refuses database queries in. Nothing here is async, so
    while the browser is open Django is told the queries are safe (as Django's docs advise
    for Playwright); the setting is removed again when the browser closes.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def reading_server(browser, django_db_setup):
    """A live server over the archive as loaded, for the tests that only read.

    Started once Chromium runs, like `live_server`, so that on SQLite it shares the in-memory
    database's connection with the tests' thread (see `browser`).
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()


def open_tab(browser, server):
    """A fresh browser tab addressed relative to the server; its context, to close after."""
    context = browser.new_context(base_url=server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, reading_server, settings):
    """A fresh tab on the server over the archive as loaded, for a test that only reads."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the server's host
    context, tab = open_tab(browser, reading_server)
    yield tab
    context.close()


@pytest.fixture
def writing_page(browser, live_server):
    """A fresh tab on pytest-django's live server, for a test that commits changes."""
    context, tab = open_tab(browser, live_server)
    yield tab
    context.close()
