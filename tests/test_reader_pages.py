"""The reader's pages (../shared/CONTRACT.md, URLs), through real HTTP responses."""

import re

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from archive.models import Author, Claim, Document, Quote, Stance, Topic, published_via

pytestmark = pytest.mark.django_db


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Home -------------------------------------------------------------------------------------------


def test_home_page_says_what_the_archive_holds(client):
    html = html_of(client, "/")
    assert f"An archive of {Quote.objects.published().count()} verbatim excerpts" in html
    assert '<form class="search-form home-search" action="/quotes/" method="get"' in html
    assert 'href="/topics/nep/"' in html and "1921–1928" in html
    assert 'href="/claims/stalinism-continued-leninism/"' in html
    assert '<html lang="en">' in html and 'href="#content"' in html and "<main" in html


def test_from_home_a_reader_reaches_who_said_it_when_where_and_who_disagreed(client):
    home = html_of(client, "/")
    claim_url = re.search(r'href="(/claims/stalinism-continued-leninism/)"', home).group(1)
    claim = html_of(client, claim_url)
    assert "Supports" in claim and "Opposes" in claim
    quote_url = re.search(r'href="(/quotes/\d+/)"', claim).group(1)
    quote = html_of(client, quote_url)
    assert "Said by" in quote and "When" in quote and "Found in" in quote


# Quote list -------------------------------------------------------------------------------------


def result_ids(html):
    return [int(pk) for pk in re.findall(r'<a href="/quotes/(\d+)/" class="permalink">', html)]


def all_result_ids(client, url):
    ids, page = [], 1
    while True:
        html = html_of(client, f"{url}{'&' if '?' in url else '?'}page={page}")
        ids += result_ids(html)
        if 'rel="next"' not in html:
            return ids
        page += 1


def test_the_list_shows_every_published_quote_linked_to_its_permanent_url(client):
    assert sorted(all_result_ids(client, "/quotes/")) == sorted(
        Quote.objects.published().values_list("pk", flat=True)
    )


def test_speaker_filters_and_may_repeat(client):
    lenin = set(Quote.objects.filter(speaker__slug="lenin").values_list("pk", flat=True))
    stalin = set(Quote.objects.filter(speaker__slug="stalin").values_list("pk", flat=True))
    assert set(all_result_ids(client, "/quotes/?speaker=lenin")) == lenin
    assert set(all_result_ids(client, "/quotes/?speaker=lenin&speaker=stalin")) == lenin | stalin


def test_document_filter(client):
    expected = set(
        Document.objects.get(slug="boettke-soviet-admissions").quotes.values_list("pk", flat=True)
    )
    assert set(all_result_ids(client, "/quotes/?document=boettke-soviet-admissions")) == expected


def test_topic_filters_and_may_repeat_meaning_either(client):
    nep = set(Quote.objects.filter(topics__slug="nep").values_list("pk", flat=True))
    war = set(Quote.objects.filter(topics__slug="war-communism").values_list("pk", flat=True))
    assert set(all_result_ids(client, "/quotes/?topic=nep")) == nep
    both = all_result_ids(client, "/quotes/?topic=nep&topic=war-communism")
    assert set(both) == nep | war
    assert len(both) == len(set(both)), "a quote with both topics is listed once"


def test_claim_and_position_filter_together(client):
    slug = "stalinism-continued-leninism"
    on_claim = set(Stance.objects.filter(claim__slug=slug).values_list("quote_id", flat=True))
    opposing = set(
        Stance.objects.filter(claim__slug=slug, position="opposes").values_list(
            "quote_id", flat=True
        )
    )
    assert set(all_result_ids(client, f"/quotes/?claim={slug}")) == on_claim
    assert set(all_result_ids(client, f"/quotes/?claim={slug}&position=opposes")) == opposing
    assert opposing and opposing != on_claim


def test_attribution_filter(client):
    verified = set(Quote.objects.filter(attribution="verified").values_list("pk", flat=True))
    assert set(all_result_ids(client, "/quotes/?attribution=verified")) == verified


def test_said_from_and_to_are_inclusive_years(client):
    ids = set(all_result_ids(client, "/quotes/?said_from=1921&said_to=1921"))
    assert ids == set(Quote.objects.said_between(1921, 1921).values_list("pk", flat=True))
    assert ids
    from_1980 = set(all_result_ids(client, "/quotes/?said_from=1980"))
    assert all(Quote.objects.get(pk=pk).said_end.year >= 1980 for pk in from_1980)


def test_kind_filters_by_kind_of_document(client):
    ids = set(all_result_ids(client, "/quotes/?kind=interview"))
    assert ids == set(Quote.objects.filter(document__kind="interview").values_list("pk", flat=True))


def test_sort_by_date_said_both_ways_and_by_speaker(client):
    earliest = result_ids(html_of(client, "/quotes/?sort=said"))
    assert Quote.objects.get(pk=earliest[0]).speaker.slug == "marx"  # 1849, the oldest
    latest = result_ids(html_of(client, "/quotes/?sort=-said"))
    dates = [Quote.objects.get(pk=pk).said_start for pk in latest]
    assert dates == sorted(dates, reverse=True)
    by_speaker = result_ids(html_of(client, "/quotes/?sort=speaker"))
    names = [Quote.objects.get(pk=pk).speaker.sort_name for pk in by_speaker]
    assert names == sorted(names)


def test_pagination_keeps_the_filters(client):
    html = html_of(client, "/quotes/?topic=stalinism")
    assert 'href="?topic=stalinism&amp;page=2" rel="next"' in html
    second = html_of(client, "/quotes/?topic=stalinism&page=2")
    assert set(result_ids(second)).isdisjoint(result_ids(html))


def test_facet_counts_reflect_the_other_filters(client):
    html = html_of(client, "/quotes/?speaker=peter-boettke")
    for topic in Topic.objects.all():
        n = Quote.objects.filter(speaker__slug="peter-boettke", topics=topic).count()
        if n:
            assert f'{topic.name} <span class="count">({n})</span>' in html


def test_active_filters_are_shown_and_removable(client):
    html = html_of(client, "/quotes/?speaker=lenin&topic=nep")
    assert 'aria-label="Remove speaker: V. I. Lenin"' in html or "speaker: V. I. Lenin" in html
    assert 'href="?topic=nep"' in html  # removes the speaker, keeps the topic
    assert 'href="?speaker=lenin"' in html


@pytest.mark.parametrize(
    "url, complaint",
    [
        ("/quotes/?speaker=nobody-at-all", "speaker"),
        ("/quotes/?topic=no-such-topic", "topic"),
        ("/quotes/?document=missing", "document"),
        ("/quotes/?claim=missing", "claim"),
        ("/quotes/?position=maybe", "position"),
        ("/quotes/?attribution=rumour", "attribution"),
        ("/quotes/?said_from=nineteen", "said_from"),
        ("/quotes/?said_to=-5", "said_to"),
        ("/quotes/?kind=novel", "kind"),
        ("/quotes/?sort=sideways", "sort"),
        ("/quotes/?page=abc", "There is no page"),
        ("/quotes/?page=99999", "There is no page"),
    ],
)
def test_bad_values_are_ignored_and_named_never_a_server_error(client, url, complaint):
    html = html_of(client, url)
    assert complaint in html
    assert "could not be used" in html or "There is no page" in html


def test_an_empty_result_says_so(client):
    html = html_of(client, "/quotes/?speaker=lenin&kind=forum-thread")
    assert "No quotes match these filters" in html


def test_the_list_makes_the_same_number_of_queries_for_1_and_50_results(client):
    assert Quote.objects.filter(speaker__slug="lord-acton").count() == 1
    assert Quote.objects.filter(speaker__slug="mark-harrison").count() >= 30
    assert queries_for(client, "/quotes/?speaker=lord-acton") == queries_for(
        client, "/quotes/?speaker=mark-harrison"
    )
    assert queries_for(client, "/quotes/?q=Acton") == queries_for(client, "/quotes/?q=the")
    assert queries_for(client, "/quotes/?page=1") <= 10


def test_a_search_finds_counts_and_reads_its_page_of_quotes_in_one_query(client):
    assert queries_for(client, "/quotes/?q=the") == 1
    assert queries_for(client, "/quotes/?q=the&page=2") == 1


# Other pages ------------------------------------------------------------------------------------


def test_author_page_shows_kind_other_names_quotes_by_topic_and_positions(client):
    html = html_of(client, "/authors/nikolai-shmelev/")
    assert "Shmelyev" in html
    assert "Quotes by topic" in html
    for quote in Quote.objects.filter(speaker__slug="nikolai-shmelev"):
        assert f'href="/quotes/{quote.pk}/"' in html
    stance = Stance.objects.filter(quote__speaker__slug="nikolai-shmelev").first()
    assert f'href="/claims/{stance.claim.slug}/"' in html


def test_author_list_lists_everyone_quoted(client):
    html = html_of(client, "/authors/")
    for author in Author.objects.all():
        assert f'href="/authors/{author.slug}/"' in html


def test_document_page_marks_every_quote_in_the_full_text(client):
    document = Document.objects.get(slug="boettke-soviet-admissions")
    html = html_of(client, "/documents/boettke-soviet-admissions/")
    for quote in document.quotes.published():
        assert f'<mark id="q-{quote.pk}" class="quote-mark"><a href="/quotes/{quote.pk}/"' in html


def test_document_text_stays_escaped_around_the_marks(client):
    document = Document.objects.get(slug="murphy-light-that-hasnt-failed")
    first = document.quotes.order_by("start_offset").first()
    prefix = "<b>bold</b> & <script>alert(1)</script>\n\n"
    Document.objects.filter(pk=document.pk).update(text=prefix + document.text)
    shift = len(prefix)
    Quote.objects.filter(document=document).update(
        start_offset=F("start_offset") + shift, end_offset=F("end_offset") + shift
    )
    html = html_of(client, "/documents/murphy-light-that-hasnt-failed/")
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert f'<mark id="q-{first.pk}"' in html


def test_document_list(client):
    html = html_of(client, "/documents/")
    for document in Document.objects.all():
        assert f'href="/documents/{document.slug}/"' in html
    assert "There is no kind of document" in html_of(client, "/documents/?kind=novel")


def test_claim_page_sets_sides_side_by_side_with_a_timeline(client):
    html = html_of(client, "/claims/stalinism-continued-leninism/")
    for position in ["supports", "opposes", "qualifies"]:
        assert f'class="column column-{position}"' in html
        for stance in Stance.objects.filter(
            claim__slug="stalinism-continued-leninism", position=position
        ):
            assert f'href="/quotes/{stance.quote_id}/"' in html
    assert '<svg role="group"' in html and '<title id="timeline-title">' in html
    assert '<ol class="timeline-list">' in html


def test_claim_list(client):
    html = html_of(client, "/claims/")
    for claim in Claim.objects.all():
        assert f'href="/claims/{claim.slug}/"' in html


def test_topic_page_shows_period_quotes_claims_and_most_quoted(client):
    html = html_of(client, "/topics/nep/")
    assert "1921–1928" in html
    assert "Most quoted" in html
    for claim in Topic.objects.get(slug="nep").claims.all():
        assert f'href="/claims/{claim.slug}/"' in html
    assert html_of(client, "/topics/").count('href="/topics/') >= Topic.objects.count()


@pytest.mark.parametrize(
    "small, large",
    [
        ("/authors/lord-acton/", "/authors/peter-boettke/"),
        ("/topics/perestroika-and-glasnost/", "/topics/stalinism/"),
        (
            "/claims/soviet-reform-required-abandoning-socialism/",
            "/claims/failure-rooted-in-marxism/",
        ),
        (
            "/documents/harrison-stalinism-economics-of-wartime/",
            "/documents/boettke-soviet-admissions/",
        ),
    ],
)
def test_detail_pages_make_the_same_number_of_queries_however_many_quotes(client, small, large):
    assert queries_for(client, small) == queries_for(client, large)


@pytest.mark.parametrize(
    "url",
    ["/quotes/999999/", "/authors/nobody/", "/documents/nothing/", "/claims/no/", "/topics/no/"],
)
def test_unknown_pages_answer_a_helpful_404(client, url):
    html = html_of(client, url, status=404)
    assert "search the quotes" in html


def test_a_withdrawn_quote_answers_410_with_its_citation_and_reason(client):
    quote = Quote.objects.get(pk=201)
    Quote.objects.filter(pk=201).update(
        status="withdrawn", withdrawn_reason="Misattributed in the source."
    )
    html = html_of(client, "/quotes/201/", status=410)
    assert "Misattributed in the source." in html
    assert quote.speaker.name in html and quote.document.title in html


def test_a_draft_quote_is_not_public(client):
    Quote.objects.filter(pk=201).update(status="draft")
    html_of(client, "/quotes/201/", status=404)


@pytest.mark.parametrize(
    "url",
    ["/", "/quotes/", "/quotes/?q=wages", "/quotes/201/", "/authors/", "/documents/", "/claims/"]
    + ["/topics/", "/authors/stalin/", "/documents/boettke-soviet-admissions/", "/topics/nep/"]
    + ["/claims/stalinism-continued-leninism/"],
)
def test_no_page_needs_more_than_ten_queries(client, url):
    assert queries_for(client, url) <= 10


def test_a_quote_page_costs_the_same_with_many_claims_or_none(client):
    with_stances = Stance.objects.values("quote").annotate(n=Count("id")).order_by("-n")[0]
    without = Quote.objects.filter(stances=None).first()
    assert with_stances["n"] >= 2
    assert queries_for(client, f"/quotes/{with_stances['quote']}/") == queries_for(
        client, f"/quotes/{without.pk}/"
    )


@pytest.mark.parametrize(
    "url, feed",
    [
        ("/", "/feeds/quotes/"),
        ("/topics/nep/", "/feeds/topics/nep/"),
        ("/authors/lenin/", "/feeds/authors/lenin/"),
        ("/claims/nep-was-viable-alternative/", "/feeds/claims/nep-was-viable-alternative/"),
    ],
)
def test_pages_link_their_atom_feed(client, url, feed):
    html = html_of(client, url)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
    assert client.get(feed).status_code == 200


def test_the_server_error_page_stands_alone_and_helps(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/quotes/"))
    assert response.status_code == 500
    assert b'href="/"' in response.content and b"Something went wrong" in response.content


# Long lists stay short ---------------------------------------------------------------------------


def test_deep_pages_stop_at_the_cap_and_say_so(client, monkeypatch):
    from archive import views

    monkeypatch.setattr(views, "MAX_PAGES", 3)
    html = html_of(client, "/quotes/?page=5")
    assert "There is no page “5”; showing page 3 of 3." in html
    assert "only the first 3 pages are shown" in html
    assert 'rel="next"' not in html


def test_each_filter_lists_the_selected_then_the_most_frequent_values(client, monkeypatch):
    from archive import filters

    monkeypatch.setattr(filters, "FACET_LIMIT", 3)
    html = html_of(client, "/quotes/?speaker=lord-acton")
    speakers = re.search(r"<h3>Speaker</h3>(.*?)</section>", html, re.S).group(1)
    links = re.findall(r'<li><a href="\?([^"]*)"', speakers)
    assert len(links) == 3
    assert "Lord Acton" in speakers.split("</li>")[0], "the selected speaker comes first"
    assert "The 3 most frequent" in speakers


def test_an_author_page_shows_a_few_quotes_per_topic_and_links_the_rest(client, monkeypatch):
    from archive import views

    monkeypatch.setattr(views, "QUOTES_PER_GROUP", 2)
    html = html_of(client, "/authors/peter-boettke/")
    topic, count = (
        Topic.objects.filter(quotes__speaker__slug="peter-boettke")
        .annotate(n=Count("quotes"))
        .filter(n__gt=2)
        .values_list("slug", "n")
        .first()
    )
    assert f'href="/quotes/?speaker=peter-boettke&amp;topic={topic}">All {count} quotes' in html


def test_a_claim_page_shows_a_few_quotes_per_side_and_links_the_rest(client, monkeypatch):
    from archive import views

    monkeypatch.setattr(views, "QUOTES_PER_GROUP", 2)
    slug = "failure-rooted-in-marxism"
    supporting = Stance.objects.filter(claim__slug=slug, position="supports").count()
    html = html_of(client, f"/claims/{slug}/")
    column = re.search(r'class="column column-supports"(.*?)</section>', html, re.S).group(1)
    assert column.count('class="quote-card"') == 2
    assert f"All {supporting} quotes that support" in column


def test_each_side_of_a_claim_shows_its_first_quotes_said_in_order_with_their_notes(
    client, monkeypatch
):
    from archive import views

    monkeypatch.setattr(views, "QUOTES_PER_GROUP", 2)
    slug = "failure-rooted-in-marxism"
    for position in Stance.Position.values:
        stances = list(
            Stance.objects.filter(published_via("quote"), claim__slug=slug, position=position)
            .order_by(F("quote__said_start").asc(nulls_last=True), "quote_id")
            .select_related("quote")
        )
        if len(stances) > 2:
            break
    assert len(stances) > 2, "a side with more quotes than shown"
    first, second = stances[:2]
    Stance.objects.filter(pk=second.pk).update(note="Said in reply to a critic.")
    html = html_of(client, f"/claims/{slug}/")
    column = re.search(rf'class="column column-{position}"(.*?)</section>', html, re.S).group(1)
    shown = [int(pk) for pk in re.findall(r'class="permalink">Quote (\d+)<', column)]
    assert shown == [first.quote_id, second.quote_id]
    assert column.index('<p class="note">Said in reply to a critic.</p>') > column.index(
        f"Quote {second.quote_id}<"
    )
    assert f">{first.quote.speaker.name}<" in column


def test_the_timeline_counts_quotes_per_year_and_side(client):
    slug = "stalinism-continued-leninism"
    html = html_of(client, f"/claims/{slug}/")
    rows = (
        Stance.objects.filter(claim__slug=slug, quote__said_start__isnull=False)
        .values("quote__said_start__year", "position")
        .annotate(n=Count("id"))
    )
    for row in rows:
        year, position, n = row["quote__said_start__year"], row["position"], row["n"]
        link = (
            f"/quotes/?claim={slug}&amp;position={position}&amp;said_from={year}&amp;said_to={year}"
        )
        assert f'<a href="{link}">{n} {position.rstrip("s")}' in html


def test_claim_counts_leave_out_quotes_readers_cannot_see(client):
    slug = "stalinism-continued-leninism"
    supporting = Stance.objects.filter(claim__slug=slug, position="supports")
    total = Stance.objects.filter(claim__slug=slug).count()
    withdrawn = supporting.first().quote
    withdrawn.withdraw("Test.")
    withdrawn.save()
    n = supporting.count() - 1
    claims = html_of(client, "/claims/")
    assert f"{n} support{'s' if n != 1 else ''} ·" in claims
    assert f"{total - 1} quotes for, against or qualifying" in html_of(client, "/")


def test_an_author_page_leaves_out_a_quote_unpublished_while_it_is_read(client, monkeypatch):
    """Between the statement that picks an author's first quotes per topic and the one that
    reads their cards, a curator may take one back: the page shows the others, no error."""
    from archive import cards, views

    taken_back = []

    def read_cards_after_a_curation(ids, *args, **kwargs):
        taken_back.append(ids[0])
        Quote.objects.filter(pk=ids[0]).update(status=Quote.Status.DRAFT)
        return cards.read_cards(ids, *args, **kwargs)

    monkeypatch.setattr(views, "read_cards", read_cards_after_a_curation)
    html = html_of(client, "/authors/peter-boettke/")
    assert taken_back and f"Quote {taken_back[0]}<" not in html
    assert html.count('class="quote-card"') >= 1
