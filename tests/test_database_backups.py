"""The backups the README documents restore a working archive (README, "Backups")."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DATABASE = settings.DATABASES["default"]
ON_POSTGRES = "postgresql" in DATABASE["ENGINE"]

# The README's SQLite command: SQLite's online backup API, safe while the site is serving.
SQLITE_BACKUP = (
    "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))"
)


def manage(database_url, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_a_sqlite_online_backup_restores_the_archive_with_its_edits(tmp_path):
    live = tmp_path / "db.sqlite3"
    url = f"sqlite:///{live}"
    manage(url, "migrate", "--noinput")
    manage(url, "load_archive")
    edit = "from archive.models import Quote; Quote.objects.filter(pk=201).update(via='curated')"
    manage(url, "shell", "--no-imports", "-c", edit)

    backup = tmp_path / "backup.sqlite3"
    subprocess.run([sys.executable, "-c", SQLITE_BACKUP, str(live), str(backup)], check=True)
    live.unlink()  # the machine is lost
    shutil.copyfile(backup, live)  # the restore

    read = "from archive.models import Quote; print(Quote.objects.get(pk=201).via)"
    assert manage(url, "shell", "--no-imports", "-c", read).strip() == "curated"
    assert "found verbatim" in manage(url, "verify_quotes")


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore need PostgreSQL")
def test_pg_dump_and_pg_restore_restore_the_archive(tmp_path):
    import psycopg

    server = {"host": DATABASE["HOST"], "port": DATABASE["PORT"] or 5432, "user": DATABASE["USER"]}
    password = DATABASE["PASSWORD"] or None
    source = f"postgresql://{server['user']}@{server['host']}:{server['port']}/{DATABASE['NAME']}"
    restored = f"{DATABASE['NAME']}_restored"
    dump = tmp_path / "archive.dump"
    env = {"PATH": "/usr/bin:/bin", **({"PGPASSWORD": password} if password else {})}
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], env=env, check=True)
    with psycopg.connect(dbname="postgres", password=password, autocommit=True, **server) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        c.execute(f'CREATE DATABASE "{restored}"')
    try:
        target = source.rsplit("/", 1)[0] + f"/{restored}"
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], env=env, check=True
        )
        url = f"postgres://{server['user']}@{server['host']}:{server['port']}/{restored}"
        counts = (
            "from archive.models import Quote, Author; "
            "print(Quote.objects.count(), Author.objects.count())"
        )
        quotes, authors = manage(url, "shell", "--no-imports", "-c", counts).split()
        assert int(quotes) >= 120 and int(authors) >= 40
        assert "found verbatim" in manage(url, "verify_quotes")
        assert "fixtures not loaded" in manage(url, "load_archive")
    finally:
        with psycopg.connect(dbname="postgres", password=password, autocommit=True, **server) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
