"""The Content Security Policy blocks nothing the site itself uses, public pages or admin."""

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import BROWSER_TEST, COMMITS_CHANGES

pytestmark = BROWSER_TEST

PUBLIC = [
    "/",
    "/quotes/?q=wages",
    "/quotes/207/",
    "/documents/boettke-soviet-admissions/#q-207",
    "/claims/stalinism-continued-leninism/",
]
ADMIN = [
    "/admin/",
    "/admin/archive/quote/",
    "/admin/archive/quote/207/change/",
    "/admin/archive/quote/207/history/",
    "/admin/archive/document/",
    "/admin/archive/author/add/",
]


def violations(page, url, base):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(base + url)
    page.wait_for_load_state("load")
    return [m for m in messages if "Content Security Policy" in m or "Refused to" in m]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_load_without_a_policy_violation(page, reading_server, url):
    assert violations(page, url, reading_server.url) == []


@COMMITS_CHANGES
def test_admin_pages_load_without_a_policy_violation(writing_page, live_server):
    User.objects.create_superuser("csp-admin", "csp@example.org", "a-long-test-password-1")
    writing_page.goto(f"{live_server.url}/admin/login/")
    writing_page.fill("#id_username", "csp-admin")
    writing_page.fill("#id_password", "a-long-test-password-1")
    writing_page.click("input[type=submit]")
    for url in ADMIN:
        assert violations(writing_page, url, live_server.url) == [], url
