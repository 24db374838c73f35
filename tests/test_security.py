"""Production settings pass Django's deploy check; every response carries the security headers."""

import re
import secrets
from pathlib import Path

import pytest

from tests.conftest import manage as run_manage

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "PATH": "/usr/bin:/bin",
}


def manage(*args, **env):
    return run_manage(env, *args)


def test_the_documented_production_environment_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_deploy_check_fails_without_https_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_HTTPS="0", **PRODUCTION)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


PAGES = [
    "/",
    "/quotes/",
    "/quotes/?q=wages",
    "/quotes/207/",
    "/quotes/207/cite.bib",
    "/authors/lenin/",
    "/documents/boettke-soviet-admissions/",
    "/claims/stalinism-continued-leninism/",
    "/topics/nep/",
    "/feeds/quotes/",
    "/sitemap.xml",
    "/quotes/999999/",
    "/admin/login/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in {200, 404}
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in PAGES if "cite" not in u and "feeds" not in u])
def test_no_page_has_inline_script_except_json_ld_data(client, url):
    html = client.get(url).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/ld+json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


@pytest.mark.django_db
def test_public_pages_set_no_cookie(client):
    for url in ["/", "/quotes/", "/quotes/207/", "/claims/"]:
        response = client.get(url)
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url


def test_staff_sessions_expire_within_12_hours(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
