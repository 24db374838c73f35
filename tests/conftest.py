import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the whole curated archive, loaded the way `make run` does."""
    with django_db_blocker.unblock():
        call_command("load_archive", verbosity=0)


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def django_cache_clear(request):
    """Each test starts with an empty cache: no page stored by another test, and no counts
    kept in this process by another test (archive/tallies.py).

    With the database, the archive's stamp (archive/caching.py) is read at once: it costs one
    query per ARCHIVE_STAMP_SECONDS, not one per page; so are the archive's counts, which cost
    a few queries per change of the archive, not per page. Tests that count a page's queries
    must not count them.
    """
    from django.core.cache import cache

    from archive import tallies

    cache.clear()
    tallies.forget()
    wanted = DB_FIXTURES & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") or wanted:
        from archive.caching import archive_last_changed

        for name in sorted(wanted):  # the database first, if a fixture asks for it
            request.getfixturevalue(name)

        archive_last_changed()
        tallies.archive_tallies()
    yield
    cache.clear()
    tallies.forget()


@contextmanager
def fresh_database(directory, suffix):
    """The URL of an empty database of its own on the engine under test, for commands run in
    a subprocess: a SQLite file in `directory`, or a new PostgreSQL database on the suite's
    server, dropped afterwards."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{Path(directory) / 'archive.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_{suffix}"
    server = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"]}

    def run(statement):
        with psycopg.connect(
            dbname="postgres", password=db["PASSWORD"], autocommit=True, **server
        ) as connection:
            connection.execute(statement)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    try:
        yield f"postgres://{db['USER']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database_url(tmp_path):
    with fresh_database(tmp_path, "scratch") as url:
        yield url


def manage(env, *args, check=False, timeout=180):
    """`manage.py *args` in a subprocess of the checkout, with exactly `env` as its
    environment; the CompletedProcess, its output as text."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )
