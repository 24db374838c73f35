"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: Chromium is the Debian package at /usr/bin/chromium (`.ci/run`
installs it). Without it the browser tests skip locally, and fail under CI=true.

The database. The live server answers from another thread, so it only sees committed rows, and
pytest-django runs every `live_server` test as a transactional test: the database is emptied
(flushed) after each one. A flush would wipe the archive that tests/conftest.py loads once per
session, so every browser test is marked `serialized_rollback=True`: before each one, Django
restores the database from a serialized snapshot. `archive_snapshot` takes that snapshot once,
with the whole archive in it (Django's own snapshot is taken before the archive is loaded).
pytest-django runs transactional tests after all the others, so the tests that roll back
never see a flushed database. The browser tests themselves may change the archive (withdraw a
quote): the change is committed, seen by the live server, and undone by the next restore.
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

# Every browser test: a live server with the whole archive restored before it runs.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab for each test, addressed relative to the live server."""
    context = browser.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
