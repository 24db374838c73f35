"""Word-based quote search (archive/search.py), the same on SQLite and PostgreSQL."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import SafeString

from archive.models import Author, Quote
from archive.search import add_headlines, search_quotes, search_terms

pytestmark = pytest.mark.django_db

only_on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL",
)

HOSTILE_SEARCHES = [
    '"',
    '"unbalanced quote',
    "-",
    "- - -",
    "OR",
    "Stalin OR",
    "OR OR wages",
    "!@#$%^&*()[]{};:,.<>/?\\|`~",
    "a" * 1000,
    "Stalin " * 200,
    "wages\x00Stalin",
    "\x00",
    "'; DROP TABLE archive_quote; --",
    "' OR 1=1 --",
    "wages:* & !stalin | (",
    "<->",
    "_ __ ___",
    "😀 ∑ ½",
    "-wages",
]


def found(text, queryset=None):
    """Ids of the published quotes a search for `text` finds."""
    queryset = Quote.objects.published() if queryset is None else queryset
    return {quote.pk for quote in search_quotes(queryset, text)}


def ranked(text):
    """Ids of the published quotes a search for `text` finds, best first."""
    results = search_quotes(Quote.objects.published(), text).order_by("-rank", "id")
    return [quote.pk for quote in results]


def quotes_by(slug):
    return set(Quote.objects.published().filter(speaker__slug=slug).values_list("pk", flat=True))


def headline_of(pk, text):
    quote = Quote.objects.get(pk=pk)
    add_headlines([quote], text)
    return quote.headline


# Finding --------------------------------------------------------------------------------------


def test_it_finds_shmelev_under_both_spellings_of_his_name():
    assert len(quotes_by("nikolai-shmelev")) == 8
    assert found("Shmelev") == found("Shmelyev") == quotes_by("nikolai-shmelev")
    assert found("shmelyev") == found("SHMELEV") == quotes_by("nikolai-shmelev")


def test_it_finds_bohm_with_or_without_the_umlaut():
    assert found("Böhm") == found("Bohm") == quotes_by("stephen-bohm") == {242}


def test_it_matches_one_word_in_the_text_and_another_in_the_speakers_name():
    results = found("Stalin wages")
    # Stalin's speech of 23 June 1931: "wages" in the text, "Stalin" only as its speaker.
    assert {401, 404, 406, 408} <= results
    assert "stalin" not in Quote.objects.get(pk=401).text.lower()
    # A forum post with both words in its own text.
    assert 439 in results
    # Stalin's words without "wages" are not found.
    assert 402 not in results


def test_it_requires_every_word_to_match():
    assert 401 in found("wages")
    assert found("wages zqxjvw") == set()
    assert found("Shmelev Chernobyl") == {212}
    assert found("Shmelev Chernobyl unemployment") == set()


def test_it_matches_words_by_their_beginning_not_their_middle():
    assert 401 in found("wage")  # "wages", "wage scales"
    assert 513 in found("Stalin")  # "Stalinism"
    assert 401 not in found("ages")  # "wages" does not begin with "ages"


def test_it_finds_a_quoted_phrase_only_with_its_words_together_and_in_order():
    phrase = found('"real wages"')
    assert 513 in phrase
    for pk in phrase:
        assert "real wages" in Quote.objects.get(pk=pk).text.lower()
    assert found('"scales wage"') == set()
    assert 406 in found("real wages") - phrase  # "real" and "wages" apart


def test_it_leaves_out_quotes_with_an_excluded_word():
    assert 439 in found("Stalin")
    assert 439 not in found("Stalin -wages")
    assert found("Stalin -wages") == found("Stalin") - found("wages")


def test_it_ignores_a_bare_or_so_every_word_still_matches():
    assert found("Stalin OR wages") == found("Stalin wages")


def test_it_leaves_the_queryset_alone_for_a_blank_search():
    queryset = Quote.objects.published()
    assert search_quotes(queryset, "") is queryset
    assert search_quotes(queryset, "   ") is queryset
    assert search_quotes(queryset, None) is queryset


def test_it_finds_nothing_for_a_search_without_words():
    assert found("!!! ---") == set()
    assert list(search_quotes(Quote.objects.published(), "...").order_by("-rank")) == []


def test_it_keeps_the_filters_it_was_given():
    assert found("Shmelev", Quote.objects.published().filter(pk__lt=215)) == {212, 213, 214}


def test_it_can_be_used_inside_another_query():
    searched = search_quotes(Quote.objects.published(), "Stalin wages").values("pk")
    outer = Quote.objects.filter(pk__in=searched)
    assert {quote.pk for quote in outer} == found("Stalin wages")


@pytest.mark.parametrize("text", HOSTILE_SEARCHES)
def test_it_never_fails_on_hostile_input(text):
    results = search_quotes(Quote.objects.published(), text).order_by("-rank")
    quotes = list(results[:20])
    assert {quote.pk for quote in quotes} <= set(
        Quote.objects.published().values_list("pk", flat=True)
    )
    add_headlines(quotes, text)
    assert all(isinstance(quote.headline, SafeString) for quote in quotes)
    assert isinstance(search_terms(text), list)


def test_it_says_which_words_it_searched_for():
    assert search_terms('Stalin  "wage scales" -Lenin OR !!') == [
        "stalin",
        '"wage scales"',
        "-lenin",
    ]
    assert search_terms("Böhm, Böhm\x00") == ["böhm"]
    assert search_terms("") == []
    assert len(search_terms("word " * 300)) == 1
    assert len(search_terms(" ".join(f"w{i}" for i in range(100)))) == 12


# Ranking --------------------------------------------------------------------------------------


def test_it_ranks_quotes_with_every_word_in_their_text_above_matches_through_the_speaker():
    order = ranked("Stalin wages")
    both_in_text = [order.index(439), order.index(513)]
    through_speaker = [order.index(pk) for pk in (401, 404, 406, 408)]
    assert max(both_in_text) < min(through_speaker)


def test_it_ranks_quotes_with_the_words_together_above_quotes_with_them_apart():
    results = {quote.pk: quote.rank for quote in search_quotes(Quote.objects.all(), "real wages")}
    text_of = dict(Quote.objects.filter(pk__in=results).values_list("pk", "text"))
    together = [pk for pk in results if "real wages" in text_of[pk].lower()]
    apart = [pk for pk in results if pk not in together]
    assert together and apart
    assert min(results[pk] for pk in together) > max(results[pk] for pk in apart)


def test_the_quote_list_shows_a_search_s_matches_in_the_order_of_their_rank(client):
    """The page ranks the matches as it finds them and reads its quotes by id: its order is
    the ORM's (rank, then earliest said, undated last, then id), across pages."""
    expected = list(
        search_quotes(Quote.objects.published(), "the")
        .order_by("-rank", F("said_start").asc(nulls_last=True), "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) > 25, "more than a page of matches"
    shown = []
    for page in (1, 2):
        html = client.get(f"/quotes/?q=the&page={page}").content.decode()
        shown += [
            int(pk) for pk in re.findall(r'<a href="/quotes/(\d+)/" class="permalink">', html)
        ]
    assert shown == expected[:50]


# Headlines ------------------------------------------------------------------------------------


def test_it_marks_every_match_in_a_short_quote_shown_whole():
    headline = headline_of(401, "wage Stalin")
    assert isinstance(headline, SafeString)
    assert headline.startswith("The cause is the wrong structure of <mark>wages</mark>, the wrong ")
    assert headline.count("<mark>") == 4  # wages, wage scales, wage equalization, wage scales
    assert "&quot;Leftist&quot; practice" in headline
    assert "…" not in headline


def test_it_escapes_the_quote_text_around_the_marks():
    headline = headline_of(535, "Hammer kindergarten")
    assert (
        "women in <mark>Hammer</mark> &amp; Sickle could win a <mark>kindergarten</mark>"
        in headline
    )


def test_it_escapes_markup_in_a_quote_text():
    hostile_markup = "<script>alert('wages')</script> "
    Quote.objects.filter(pk=401).update(text=hostile_markup + Quote.objects.get(pk=401).text)
    headline = headline_of(401, "wages")
    assert "<script>" not in headline
    assert headline.startswith("&lt;script&gt;alert(&#x27;")
    assert (
        "&#x27;)&lt;/script&gt; The cause is the wrong structure of <mark>wages</mark>," in headline
    )


def test_it_shows_a_snippet_around_the_matches_of_a_long_quote():
    quote = Quote.objects.get(pk=513)
    assert len(quote.text) > 400
    add_headlines([quote], "Stalinism wages")
    assert "<mark>wages</mark>" in quote.headline and "<mark>Stalinism</mark>" in quote.headline
    assert quote.headline.startswith("… ")
    assert len(quote.headline) < len(quote.text)


def test_it_shows_the_text_unmarked_for_a_blank_search():
    quote = Quote.objects.get(pk=535)
    add_headlines([quote], "")
    assert quote.headline == quote.text.replace("&", "&amp;")


def test_it_makes_headlines_for_a_whole_page_in_at_most_one_query(django_assert_max_num_queries):
    page = list(search_quotes(Quote.objects.published(), "the").order_by("-rank", "id")[:25])
    assert len(page) == 25
    with django_assert_max_num_queries(1):
        add_headlines(page, "the")
    assert all("<mark>" in quote.headline for quote in page)


@pytest.mark.parametrize("sort", ["relevance", "said"])
def test_a_search_page_marks_its_quotes_as_it_reads_them(client, sort):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/quotes/?q=the&sort={sort}")
    html = response.content.decode()
    shown = [int(pk) for pk in re.findall(r'<a href="/quotes/(\d+)/" class="permalink">', html)]
    assert len(shown) == 25
    headlines = [query["sql"] for query in captured if "ts_headline" in query["sql"]]
    if connection.vendor == "postgresql":  # in the query that reads the page's quotes
        assert len(headlines) == 1 and "archive_author" in headlines[0], headlines
    else:
        assert headlines == []
    # The same headlines as marked apart from reading the quotes.
    page = add_headlines(Quote.objects.filter(pk__in=shown), "the")
    for quote in page:
        assert "<mark>" in quote.headline and str(quote.headline) in html, quote.pk


# Keeping the search current -------------------------------------------------------------------


def test_it_finds_an_author_by_a_spelling_added_later():
    assert found("Šmelëv") == set()
    shmelev = Author.objects.get(slug="nikolai-shmelev")
    shmelev.other_names = [*shmelev.other_names, "Nikolaj Šmelëv"]
    shmelev.save()
    assert found("Šmelëv") == found("Nikolaj") == quotes_by("nikolai-shmelev")


def test_it_finds_an_author_by_a_new_name():
    shmelev = Author.objects.get(slug="nikolai-shmelev")
    shmelev.name = "Nikolai Petrovich Shmelev"
    shmelev.save()
    assert found("Petrovich") == quotes_by("nikolai-shmelev")


def test_it_follows_a_quote_to_its_new_speaker_and_text():
    quote = Quote.objects.get(pk=242)
    quote.speaker = Author.objects.get(slug="nikolai-shmelev")
    quote.save()
    assert 242 not in found("Bohm")
    assert 242 in found("Shmelyev")
    assert 242 not in found("Chernobyl")
    Quote.objects.filter(pk=242).update(text=Quote.objects.get(pk=212).text)
    assert 242 in found("Chernobyl")


@pytest.mark.postgres
@only_on_postgresql
def test_it_answers_the_search_from_the_gin_index_on_postgresql():
    # All quotes, not only published ones: on the few hundred quotes of the test database the
    # planner may instead read a whole partial index of published quotes (their condition) and
    # check each row's words, which is cheap there and tells nothing about the search. Without
    # a sequential scan, only the GIN index can then answer.
    queryset = search_quotes(Quote.objects.all(), "Stalin wages")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "archive_quote_search_vector_gin" in plan


@pytest.mark.parametrize("text", ["Stalin wages", '"wage scales"', "Lenin -Stalin", "Shmelyev"])
def test_a_search_inside_another_query_matches_and_ranks_on_that_querys_quotes(text):
    # The search's match and rank are written as SQL on the quote table's own alias
    # (search.TextSearchSQL), which a subquery renames: they must follow it.
    expected = found(text)
    assert expected
    speakers = {quote.speaker_id for quote in Quote.objects.filter(pk__in=expected)}
    theirs = search_quotes(Quote.objects.published().filter(speaker=OuterRef("pk")), text)
    authors = Author.objects.filter(Exists(theirs)).annotate(
        best=Subquery(theirs.order_by("-rank").values("rank")[:1])
    )
    assert {author.pk for author in authors} == speakers
    ranks = dict(search_quotes(Quote.objects.published(), text).values_list("pk", "rank"))
    for author in authors:
        assert author.best == max(ranks[pk] for pk in expected if pk in quotes_of(author))


def quotes_of(author):
    return set(Quote.objects.published().filter(speaker=author).values_list("pk", flat=True))
