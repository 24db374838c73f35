"""Reader pages: server-rendered, working without JavaScript (../shared/CONTRACT.md, URLs)."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, HttpResponseGone
from django.shortcuts import get_object_or_404, redirect, render

from archive import citations, revisions, search
from archive.author_counts import FIRST_SAID, POSITIONS, claims_taken, topic_places
from archive.caching import reader_page
from archive.cards import read_cards
from archive.filters import SORTS, FoundPage, QuoteFilter
from archive.markup import mark_quotes
from archive.models import Author, Claim, Document, Quote, Stance, Topic, published_via
from archive.permanence import final_replacement, follow_moves, get_by_slug
from archive.tallies import TOP_CLAIMS, archive_tallies
from archive.timeline import claim_timeline

QUOTES_PER_PAGE = 25
MAX_PAGES = 100
# A filtered quote list counts at most this many quotes (all that its pages can show); a
# search with more is sorted by date said instead of ranked, as ranking reads every match.
COUNT_LIMIT = QUOTES_PER_PAGE * MAX_PAGES
QUOTES_PER_GROUP = 10  # quotes per topic on an author page, per side on a claim page
AUTHOR_DOCUMENTS_SHOWN = 20
AUTHOR_CLAIMS_SHOWN = 20  # the claims an author has most quotes on
AUTHOR_CARDS = 30  # quotes shown on an author page, shared out among their topics
ROWS_PER_PAGE = 100
HOME_CLAIMS = TOP_CLAIMS  # the most quoted claims on the home page; /claims/ lists them all


class CappedPaginator(Paginator):
    """A paginator that stops after MAX_PAGES: deep pages cost the database ever more, and a
    reader that far down is better served by a filter or a search.

    `count`, when given, is the number of items already known (see QuoteFilter.counts); a
    count above `count_limit` means "more than count_limit", and no query counts them again.
    """

    def __init__(self, object_list, per_page, count=None, count_limit=None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property
        self.count_limit = count_limit

    @property
    def count_exceeded(self):
        return self.count_limit is not None and self.count > self.count_limit

    @property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)

    @property
    def capped(self):
        return super().num_pages > MAX_PAGES


def paginate(request, queryset, per_page, **counted):
    """The requested page, and a note if the page number was not usable."""
    paginator = CappedPaginator(queryset, per_page, **counted)
    raw = request.GET.get("page", "1")
    page = paginator.get_page(raw)
    note = ""
    if raw != str(page.number):
        note = (
            f"There is no page “{raw[:20]}”; showing page {page.number} of {paginator.num_pages}."
        )
    return page, note


@reader_page(store=True)
def home(request):
    tallies = archive_tallies()
    topics = list(Topic.objects.all())
    for topic in topics:
        topic.quote_count = tallies.by_topic.get(topic.pk, 0)
    claims = most_quoted_claims(tallies, HOME_CLAIMS)
    context = {
        "quote_count": tallies.quotes,
        "author_count": tallies.speakers,
        "document_count": tallies.documents,
        "topics": topics,
        "claims": claims,
        "claim_total": Claim.objects.count(),
        "recent_quotes": Quote.objects.published().for_cards().order_by("-created_at", "-id")[:5],
    }
    return render(request, "archive/home.html", context)


def most_quoted_claims(tallies, number):
    """The `number` claims with the most stances of published quotes, each with stance_count."""
    totals = dict(tallies.top_claims[:number])
    found = Claim.objects.in_bulk(list(totals))
    claims = [found[pk] for pk in totals if pk in found]
    if len(claims) < number:  # claims no published quote takes a side on yet
        claims += Claim.objects.exclude(pk__in=list(totals)).order_by("text")[
            : number - len(claims)
        ]
    for claim in claims:
        claim.stance_count = totals.get(claim.pk, 0)
    return sorted(claims, key=lambda claim: (-claim.stance_count, claim.text))


@reader_page(store=True)
def quote_list(request):
    filterset = QuoteFilter(request.GET, queryset=Quote.objects.published())
    results, found, asked = filterset.qs, None, None
    if filterset.has_filters():
        # Sorted by relevance, only the page's quotes come back from the search (FoundPage).
        if filterset.chosen_sort == "relevance":
            asked = FoundPage(
                request.GET.get("page", "1"), QUOTES_PER_PAGE,
                marked_text=search.marked_text_column(filterset.words),
            )  # fmt: skip
        counted, total, found = filterset.counts(limit=COUNT_LIMIT, page=asked)
        archive_facets = None
        if any(values is None for values in counted.values()):
            archive_facets = archive_tallies().facets
        facets = filterset.facets_beside(counted, archive_facets)
        if found is not None and asked is None:  # the quotes found, read by key
            results = filterset.queryset.among(found)
    else:
        tallies = archive_tallies()
        facets, total = tallies.facets, tallies.quotes
    unranked = filterset.chosen_sort == "relevance" and total > COUNT_LIMIT
    if found is not None and asked is not None:
        # Ranked as found: the page's quotes, read as cards by the statement that found them.
        page, page_note = paginate(
            request, found, QUOTES_PER_PAGE, count=total,
            count_limit=COUNT_LIMIT,
        )  # fmt: skip
        rows = found.cards  # read with them
    else:
        quotes = search.with_marked_text(results.for_cards(), filterset.words)
        quotes = filterset.ordered(quotes, rank=not unranked)
        page, page_note = paginate(
            request, quotes, QUOTES_PER_PAGE, count=total, count_limit=COUNT_LIMIT
        )
        rows = list(page.object_list)
    if filterset.words:
        search.add_headlines(rows, filterset.words)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "quotes": rows,
        "facets": facets,
        "active": filterset.active(),
        "ignored": filterset.ignored(),
        "page_note": page_note,
        "sorts": SORTS.items(),
        "sort": "said" if unranked else filterset.chosen_sort,
        "unranked": unranked,
        "count_limit": COUNT_LIMIT,
        "words": filterset.words,
        "query": query,
        "positions": Stance.Position.choices,
    }
    return render(request, "archive/quote_list.html", context)


@reader_page(store=True)
def quote_detail(request, pk):
    quote = get_object_or_404(
        Quote.objects.with_speaker()
        .prefetch_related("topics", "document__authors")
        .exclude(status=Quote.Status.DRAFT),
        pk=pk,
    )
    permanent_url = request.build_absolute_uri(quote.get_absolute_url())
    document_url = request.build_absolute_uri(quote.document.get_absolute_url())
    context = {
        "quote": quote,
        "permanent_url": permanent_url,
        "document_url": document_url,
        "citation": citations.formatted(quote, permanent_url),
    }
    if quote.status == Quote.Status.MERGED:
        return redirect(final_replacement(quote).get_absolute_url(), permanent=True)
    if quote.status == Quote.Status.WITHDRAWN:
        return render(request, "archive/quote_withdrawn.html", context, status=410)
    if not quote.is_located:
        raise Http404("This quote is awaiting verification.")
    context["stances"] = Stance.objects.filter(quote=quote).select_related("claim")
    context["revision_count"] = revisions.revision_count(quote.pk)
    context["structured_data"] = citations.json_ld_script(quote, permanent_url, document_url)
    return render(request, "archive/quote_detail.html", context)


@reader_page
def quote_citation(request, pk, fmt):
    export = citations.EXPORTS.get(fmt)
    if export is None:
        raise Http404("Citations come as cite.bib, cite.ris or cite.json.")
    merged = Quote.objects.filter(pk=pk, status=Quote.Status.MERGED).first()
    if merged is not None:
        target = final_replacement(merged)
        return redirect("quote-citation", pk=target.pk, fmt=fmt, permanent=True)
    withdrawn = Quote.objects.filter(pk=pk, status=Quote.Status.WITHDRAWN).first()
    if withdrawn is not None:
        return HttpResponseGone(
            f"Quote {pk} was withdrawn from the archive: {withdrawn.withdrawn_reason}\n"
            f"Its page, with the citation as it was: {withdrawn.get_absolute_url()}\n",
            content_type="text/plain; charset=utf-8",
        )
    quote = get_object_or_404(
        Quote.objects.published().with_speaker().prefetch_related("document__authors"), pk=pk
    )
    permanent_url = request.build_absolute_uri(quote.get_absolute_url())
    response = HttpResponse(export.render(quote, permanent_url), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="quote-{quote.pk}.{export.extension}"'
    return response


@reader_page
def author_list(request):
    """Everyone with a published quote, by name; a page counts only its own authors' quotes."""
    published = Quote.objects.published()
    authors = Author.objects.filter(Exists(published.filter(speaker=OuterRef("pk")))).order_by(
        "sort_name", "id"
    )
    page, page_note = paginate(request, authors, ROWS_PER_PAGE, count=archive_tallies().speakers)
    page.object_list = list(page.object_list)
    spans = {
        row["speaker"]: row
        for row in published.filter(speaker__in=page.object_list)
        .order_by()
        .values("speaker")
        .annotate(n=Count("id"), first=Min("said_start"), last=Max("said_end"))
    }
    for author in page.object_list:
        span = spans.get(author.pk, {})
        author.quote_count = span.get("n", 0)
        author.first_said, author.last_said = span.get("first"), span.get("last")
    return render(request, "archive/author_list.html", {"page": page, "page_note": page_note})


@reader_page(store=True)
@follow_moves
def author_detail(request, slug):
    author = get_by_slug(Author.objects, slug)
    published = author.quotes.published()
    # In one query, for each topic the author is quoted on: how many quotes, and the first
    # QUOTES_PER_GROUP they said (ids only; the quotes are read below, only those shown).
    placed = topic_places(author, QUOTES_PER_GROUP)
    counts = {topic: n for topic, _, n, _ in placed}
    topics = list(Topic.objects.filter(pk__in=list(counts)).order_by("name"))
    for topic in topics:
        topic.n = counts[topic.pk]
    # At most AUTHOR_CARDS quotes in all: an author quoted on many topics gets fewer per topic,
    # and if on more topics than AUTHOR_CARDS, their most frequent topics get one each.
    per_topic = max(1, min(QUOTES_PER_GROUP, AUTHOR_CARDS // max(1, len(topics))))
    most = sorted(topics, key=lambda topic: (-topic.n, topic.name))
    with_cards = {topic.pk for topic in most[: max(1, AUTHOR_CARDS // per_topic)]}
    firsts = [
        (topic, quote)
        for topic, quote, _, place in sorted(placed, key=lambda row: (row[0], row[3]))
        if topic in with_cards and place <= per_topic
    ]
    quotes = {quote.pk: quote for quote in read_cards([quote for _, quote in firsts])}
    by_topic = defaultdict(list)
    for topic, quote in firsts:
        if quote in quotes:  # not if unpublished between the two statements (read_cards)
            by_topic[topic].append(quotes[quote])
    # The claims the author has most quotes on, at most AUTHOR_CLAIMS_SHOWN, with the quotes
    # on each side, and how many claims in all: one query, which returns only the claims shown.
    claims = claims_taken(author, AUTHOR_CLAIMS_SHOWN)
    shown_claims = [
        {
            "slug": claim["slug"],
            "text": claim["text"],
            "sides": [{"position": p, "n": claim[p]} for p in POSITIONS if claim[p]],
        }
        for claim in sorted(claims, key=lambda claim: claim["text"])
    ]
    span = published.aggregate(
        count=Count("id"), first_said=Min("said_start"), last_said=Max("said_end")
    )
    context = {
        "author": author,
        "quote_count": span["count"],
        "first_said": span["first_said"],
        "last_said": span["last_said"],
        "by_topic": [(topic, by_topic[topic.pk]) for topic in topics],
        "claims": shown_claims,
        "claims_not_shown": claims[0]["claims"] - len(claims) if claims else 0,
        "documents": Document.objects.filter(pk__in=published.values("document"))
        .defer("text")
        .order_by("published_on", "title")[:AUTHOR_DOCUMENTS_SHOWN],
        "quotes_per_group": QUOTES_PER_GROUP,
    }
    return render(request, "archive/author_detail.html", context)


@reader_page
def document_list(request):
    documents = (
        Document.objects.prefetch_related("authors").defer("text").order_by("published_on", "title")
    )
    kind = request.GET.get("kind", "")
    note = ""
    if kind in Document.Kind.values:
        documents = documents.filter(kind=kind)
    elif kind:
        note = f"There is no kind of document called “{kind[:40]}”; showing all documents."
    page, page_note = paginate(request, documents, ROWS_PER_PAGE)
    page.object_list = list(page.object_list)
    counts = dict(
        Quote.objects.published()
        .filter(document__in=page.object_list)
        .order_by()
        .values_list("document")
        .annotate(n=Count("id"))
    )
    for document in page.object_list:
        document.quote_count = counts.get(document.pk, 0)
    return render(
        request,
        "archive/document_list.html",
        {"page": page, "page_note": page_note or note, "kinds": Document.Kind.choices},
    )


@reader_page(store=True)
@follow_moves
def document_detail(request, slug):
    document = get_by_slug(Document.objects.prefetch_related("authors"), slug)
    quotes = list(document.quotes.published().select_related("speaker").order_by("start_offset"))
    context = {
        "document": document,
        "quotes": quotes,
        "marked_text": mark_quotes(document.text, quotes),
        "speakers": Author.objects.filter(quotes__in=[q.pk for q in quotes])
        .annotate(n=Count("quotes"))
        .order_by("-n", "sort_name"),
    }
    return render(request, "archive/document_detail.html", context)


@reader_page
def claim_list(request):
    claims = Claim.objects.prefetch_related("topics").order_by("text")
    page, page_note = paginate(request, claims, ROWS_PER_PAGE)
    page.object_list = list(page.object_list)
    sides = (
        Stance.objects.filter(published_via("quote"), claim__in=page.object_list)
        .values_list("claim", "position")
        .annotate(n=Count("id"))
    )
    counts = {(claim, position): n for claim, position, n in sides}
    for claim in page.object_list:
        for position in Stance.Position.values:
            setattr(claim, position, counts.get((claim.pk, position), 0))
    return render(request, "archive/claim_list.html", {"page": page, "page_note": page_note})


@reader_page(store=True)
@follow_moves
def claim_detail(request, slug):
    claim = get_by_slug(Claim.objects.prefetch_related("topics"), slug)
    stances = claim.stances.filter(published_via("quote"))
    by_year = list(
        stances.values("quote__said_start__year", "position")
        .annotate(n=Count("id"))
        .order_by("quote__said_start__year", "position")
    )
    totals = defaultdict(int)
    for row in by_year:
        totals[row["position"]] += row["n"]
    shown = sides_shown(stances)
    columns = [
        (value, label, [s for s in shown if s.position == value], totals[value])
        for value, label in Stance.Position.choices
    ]
    context = {
        "claim": claim,
        "columns": columns,
        "timeline": claim_timeline(by_year, claim.slug),
        "quotes_per_group": QUOTES_PER_GROUP,
    }
    return render(request, "archive/claim_detail.html", context)


def sides_shown(stances):
    """The first QUOTES_PER_GROUP stances on each side, by date said (undated last), each with
    its quote's card: the database numbers each side's stances on narrow rows and keeps the
    first; their quotes are then read as cards (archive/cards.py). Numbering whole rows, with
    the quote's text, speaker and document joined to every stance, took twice as long."""
    shown = list(
        stances.annotate(
            place=Window(RowNumber(), partition_by=[F("position")], order_by=FIRST_SAID)
        )
        .filter(place__lte=QUOTES_PER_GROUP)
        .only("quote_id", "claim_id", "position", "note")
        .order_by("position", "place")
    )
    quotes = {quote.pk: quote for quote in read_cards([stance.quote_id for stance in shown])}
    quote_field = Stance._meta.get_field("quote")
    for stance in shown:
        quote_field.set_cached_value(stance, quotes.get(stance.quote_id))
    return [stance for stance in shown if stance.quote is not None]


@reader_page
def topic_list(request):
    by_topic = archive_tallies().by_topic
    topics = list(
        Topic.objects.annotate(claim_count=Count("claims", distinct=True)).order_by(
            "start_year", "name"
        )
    )
    for topic in topics:
        topic.quote_count = by_topic.get(topic.pk, 0)
    return render(request, "archive/topic_list.html", {"topics": topics})


@reader_page(store=True)
@follow_moves
def topic_detail(request, slug):
    topic = get_by_slug(Topic.objects, slug)
    tallies = archive_tallies()
    quotes = topic.quotes.published().for_cards().order_by("said_start", "id")
    page, page_note = paginate(
        request, quotes, QUOTES_PER_PAGE, count=tallies.by_topic.get(topic.pk, 0)
    )
    most = tallies.topic_speakers.get(topic.pk, [])
    found = Author.objects.in_bulk([speaker for speaker, _ in most])
    speakers = []
    for speaker, n in most:
        if speaker in found:
            found[speaker].n = n
            speakers.append(found[speaker])
    context = {
        "topic": topic,
        "page": page,
        "page_note": page_note,
        "claims": topic.claims.all(),
        "speakers": speakers,
    }
    return render(request, "archive/topic_detail.html", context)
