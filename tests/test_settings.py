"""Settings come from the environment, with DEBUG off and no secret key made up for the public."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_value(expression, **env):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "archive.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout.strip(), result.stderr


def test_debug_is_off_by_default():
    assert settings_value("settings.DEBUG")[:2] == (0, "False")


def test_debug_turns_on_only_when_asked():
    assert settings_value("settings.DEBUG", DJANGO_DEBUG="1")[:2] == (0, "True")


def test_a_malformed_debug_value_fails_loudly():
    code, _, errors = settings_value("settings.DEBUG", DJANGO_DEBUG="maybe")
    assert code != 0
    assert "DJANGO_DEBUG must be 1 or 0" in errors


def test_it_refuses_to_serve_other_hosts_without_a_secret_key():
    code, _, errors = settings_value("settings.DEBUG", DJANGO_ALLOWED_HOSTS="archive.example.org")
    assert code != 0
    assert "DJANGO_SECRET_KEY is required" in errors


def test_it_uses_the_given_secret_key_and_hosts():
    code, out, _ = settings_value(
        "settings.SECRET_KEY, settings.ALLOWED_HOSTS",
        DJANGO_ALLOWED_HOSTS="archive.example.org, www.archive.example.org",
        DJANGO_SECRET_KEY="s3cret-for-test",
    )
    assert code == 0
    assert out == "s3cret-for-test ['archive.example.org', 'www.archive.example.org']"


def test_the_default_database_is_sqlite_in_the_checkout():
    code, out, _ = settings_value("settings.DATABASES['default']['NAME']")
    assert (code, out) == (0, str(ROOT / "db.sqlite3"))


def test_database_url_selects_postgresql():
    code, out, _ = settings_value(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://user:pw@db.internal:5432/archive",
    )
    assert (code, out) == (0, "django.db.backends.postgresql archive")


def test_an_unknown_database_scheme_fails_loudly():
    code, _, errors = settings_value("1", DATABASE_URL="mysql://x@y/z")
    assert code != 0
    assert "DATABASE_URL must start with" in errors
