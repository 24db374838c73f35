"""axe-core on every kind of page: no serious or critical accessibility violation.

axe-core comes bundled in the axe-playwright-python package; nothing is downloaded. The pages
are checked as a reader gets them, stylesheet applied, so colour contrast is checked for real.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from archive.models import Quote
from tests.browser.conftest import BROWSER_TEST, COMMITS_CHANGES

pytestmark = BROWSER_TEST

BLOCKING_IMPACTS = {"serious", "critical"}

PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/quotes/", 200, id="quote list"),
    pytest.param("/quotes/?q=wage+levelling", 200, id="quote list with search"),
    pytest.param(
        "/quotes/?claim=stalinism-continued-leninism&position=opposes",
        200,
        id="quote list by claim and position",
    ),
    pytest.param("/quotes/404/", 200, id="quote page"),
    pytest.param("/authors/", 200, id="author list"),
    pytest.param("/authors/stalin/", 200, id="author page"),
    pytest.param("/documents/", 200, id="document list"),
    pytest.param(
        "/documents/pofo-stalins-anti-egalitarian-labour-reforms/", 200, id="document page"
    ),
    pytest.param("/claims/", 200, id="claim list"),
    pytest.param("/claims/stalinism-continued-leninism/", 200, id="claim page"),
    pytest.param("/topics/", 200, id="topic list"),
    pytest.param("/topics/nep/", 200, id="topic page"),
    pytest.param("/quotes/999999/", 404, id="page not found"),
]


def blocking_violations(page):
    """axe-core's serious and critical violations on the open page, one line per element."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]


# The page's own site.css as the browser loaded it: the HTTP status it came with (Resource
# Timing) and its rules (none if it failed to load or came back as anything but CSS).
SITE_CSS = """(() => {
    const own = url => new URL(url).pathname.startsWith("/static/css/site.");
    const loaded = performance.getEntriesByType("resource").filter(entry => own(entry.name));
    const sheets = [...document.styleSheets].filter(sheet => sheet.href && own(sheet.href));
    return {
        statuses: loaded.map(entry => entry.responseStatus),
        rules: sheets.reduce((rules, sheet) => rules + sheet.cssRules.length, 0),
    };
})()"""


def open_styled(page, url, status):
    """Open the page and check it answered as expected, with its stylesheet applied. The
    stylesheet is checked as the page loaded it, not fetched a second time."""
    response = page.goto(url)
    assert response.status == status, url
    stylesheet = page.evaluate(SITE_CSS)
    assert stylesheet["statuses"] == [200]
    assert stylesheet["rules"] > 0, "site.css not applied"


@pytest.mark.parametrize("url, status", PAGES)
def test_it_has_no_serious_or_critical_accessibility_violation(page, url, status):
    open_styled(page, url, status)
    assert blocking_violations(page) == []


@COMMITS_CHANGES
def test_it_has_no_serious_or_critical_violation_on_a_withdrawn_quote(writing_page):
    Quote.objects.filter(pk=201).update(
        status="withdrawn", withdrawn_reason="Withdrawn for this accessibility check."
    )
    open_styled(writing_page, "/quotes/201/", 410)
    assert writing_page.get_by_text("Withdrawn for this accessibility check.").is_visible()
    assert blocking_violations(writing_page) == []
