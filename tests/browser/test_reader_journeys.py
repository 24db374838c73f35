"""What a reader does in a real browser (Chromium), against the live server and the archive."""

import re

from playwright.sync_api import expect

from archive.models import Claim, Quote, Stance
from tests.browser.conftest import BROWSER_TEST

pytestmark = BROWSER_TEST

CLAIM = "stalinism-continued-leninism"


def published_count(**lookups):
    """How many published quotes match, counted by the database rather than the page."""
    return Quote.objects.filter(status="published", **lookups).distinct().count()


def results_heading(page):
    return page.locator("#results-heading")


def facet(page, heading):
    """The section of the "Narrow down" sidebar under that heading."""
    return page.locator("aside.facets section").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def facet_link(page, heading, label):
    """The link in that facet whose text starts with the label (a count follows it)."""
    return facet(page, heading).get_by_role("link", name=re.compile("^" + re.escape(label)))


def listed_quote_ids(page):
    """The ids of the quotes on the list page, read from their permanent links."""
    hrefs = page.locator("a.permalink").evaluate_all("links => links.map(a => a.href)")
    return {int(re.search(r"/quotes/(\d+)/$", href).group(1)) for href in hrefs}


def test_it_finds_a_phrase_from_the_home_page_and_opens_the_quote(page):
    page.goto("/")
    page.get_by_label("Search the quotes").fill("locomotive driver earns")
    page.get_by_label("Search the quotes").press("Enter")

    expect(page).to_have_url(re.compile(r"/quotes/\?q=locomotive\+driver\+earns$"))
    expect(page.locator("article.quote-card mark").first).to_be_visible()
    page.get_by_role("link", name="Quote 404", exact=True).click()

    expect(page).to_have_url(re.compile(r"/quotes/404/$"))
    expect(page.locator("blockquote.quote-text")).to_contain_text(
        "We cannot tolerate a situation where a locomotive driver earns only as much as a "
        "copying clerk."
    )


def test_it_follows_found_in_to_the_highlighted_passage(page):
    page.goto("/quotes/404/")
    page.locator("a.found-in").click()

    expect(page).to_have_url(
        re.compile(r"/documents/pofo-stalins-anti-egalitarian-labour-reforms/#q-404$")
    )
    passage = page.locator("mark#q-404")
    expect(passage).to_be_visible()
    expect(passage).to_be_in_viewport()
    expect(passage).to_contain_text("a locomotive driver earns only as much as a copying clerk")
    # The passage the reader came for stands out from the other marked quotes (:target).
    highlighted = passage.evaluate("mark => getComputedStyle(mark).backgroundColor")
    other = page.locator("mark#q-401").evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert highlighted != other


def test_it_narrows_the_list_by_topic_with_a_facet_link(page):
    page.goto("/quotes/")
    expect(results_heading(page)).to_have_text(f"{published_count()} quotes")

    facet_link(page, "Topic", "New Economic Policy (NEP)").click()

    expect(page).to_have_url(re.compile(r"/quotes/\?topic=nep$"))
    expect(results_heading(page)).to_have_text(f"{published_count(topics__slug='nep')} quotes")
    chip = page.locator('ul.active-filters a[aria-label^="Remove topic:"]')
    expect(chip).to_have_count(1)
    selected = facet(page, "Topic").locator('a[aria-current="true"]')
    expect(selected).to_have_count(1)
    expect(selected).to_contain_text("New Economic Policy (NEP)")

    chip.click()
    expect(page).to_have_url(re.compile(r"/quotes/(\?)?$"))
    expect(results_heading(page)).to_have_text(f"{published_count()} quotes")


def test_it_narrows_the_list_by_claim_and_then_by_position(page):
    on_claim = published_count(stances__claim__slug=CLAIM)
    opposing = published_count(stances__claim__slug=CLAIM, stances__position="opposes")
    assert 0 < opposing < on_claim
    page.goto("/quotes/")

    facet_link(page, "Claim", Claim.objects.get(slug=CLAIM).text).click()

    expect(page).to_have_url(re.compile(rf"/quotes/\?claim={CLAIM}$"))
    expect(results_heading(page)).to_have_text(f"{on_claim} quotes")
    expect(page.locator('ul.active-filters a[aria-label^="Remove claim:"]')).to_have_count(1)

    facet_link(page, "Position on the claim", "Opposes").click()

    expect(page).to_have_url(re.compile(rf"/quotes/\?claim={CLAIM}&position=opposes$"))
    expect(results_heading(page)).to_have_text(f"{opposing} quote{'s' if opposing > 1 else ''}")
    expect(page.locator('ul.active-filters a[aria-label^="Remove position:"]')).to_have_count(1)
    shown = listed_quote_ids(page)
    expected = set(
        Stance.objects.filter(claim__slug=CLAIM, position="opposes").values_list(
            "quote_id", flat=True
        )
    )
    assert shown == expected


def test_it_copies_a_citation_to_the_clipboard(page, reading_server):
    page.goto("/quotes/404/")
    mla = page.locator(".cite-this #citation-mla").get_attribute("data-citation-text")
    assert mla.startswith("Stalin, J. V. “We cannot tolerate a situation where a locomotive")
    assert f"Who Said What, {reading_server.url}/quotes/404/. Accessed " in mla

    page.get_by_role("button", name="Copy the MLA citation").click()

    expect(page.locator(".cite-this [data-copy-status]")).to_have_text("Copied the MLA citation.")
    assert page.evaluate("navigator.clipboard.readText()") == mla


def test_it_lets_a_keyboard_user_skip_straight_to_the_content(page):
    page.goto("/quotes/404/")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/quotes/404/#content$"))
    expect(page.locator("main#content")).to_be_focused()
