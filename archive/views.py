"""Reader pages: server-rendered, working without JavaScript (../shared/CONTRACT.md, URLs)."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseGone
from django.shortcuts import get_object_or_404, redirect, render

from archive import citations, filters, revisions, search
from archive.caching import reader_page
from archive.filters import SORTS, QuoteFilter
from archive.markup import mark_quotes
from archive.models import Author, Claim, Document, Quote, Stance, Topic
from archive.permanence import final_replacement, follow_moves, get_by_slug
from archive.timeline import claim_timeline

QUOTES_PER_PAGE = 25
MAX_PAGES = 100
QUOTES_PER_GROUP = 10  # quotes per topic on an author page, per side on a claim page
AUTHOR_QUOTES_LOADED = 300  # an author page shows from the first quotes by date
AUTHOR_DOCUMENTS_SHOWN = 20
ROWS_PER_PAGE = 100


class CappedPaginator(Paginator):
    """A paginator that stops after MAX_PAGES: deep pages cost the database ever more, and a
    reader that far down is better served by a filter or a search."""

    @property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)

    @property
    def capped(self):
        return super().num_pages > MAX_PAGES


def paginate(request, queryset, per_page):
    """The requested page, and a note if the page number was not usable."""
    paginator = CappedPaginator(queryset, per_page)
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
    published = Quote.objects.published()
    context = {
        "quote_count": published.count(),
        "author_count": Author.objects.filter(
            Exists(published.filter(speaker=OuterRef("pk")))
        ).count(),
        "document_count": Document.objects.count(),
        "topics": Topic.objects.annotate(
            quote_count=Count("quotes", filter=Q(quotes__in=published.values("pk")))
        ),
        "claims": Claim.objects.annotate(
            stance_count=Count("stances", filter=Q(stances__quote__in=published.values("pk")))
        ),
        "recent_quotes": published.with_speaker().order_by("-created_at", "-id")[:5],
    }
    return render(request, "archive/home.html", context)


@reader_page(store=True)
def quote_list(request):
    filterset = QuoteFilter(request.GET, queryset=Quote.objects.published())
    quotes = filterset.ordered(filterset.qs.with_speaker())
    page, page_note = paginate(request, quotes, QUOTES_PER_PAGE)
    rows = list(page.object_list)
    if filterset.words:
        search.add_headlines(rows, filterset.words)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "quotes": rows,
        "facets": filterset.facets(),
        "active": filterset.active(),
        "ignored": filterset.ignored(),
        "page_note": page_note,
        "sorts": SORTS.items(),
        "sort": filterset.chosen_sort,
        "words": filterset.words,
        "query": query,
        "positions": Stance.Position.choices,
        "facet_limit": filters.FACET_LIMIT,
    }
    return render(request, "archive/quote_list.html", context)


@reader_page
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
    authors = (
        Author.objects.annotate(
            quote_count=Count(
                "quotes", filter=Q(quotes__in=Quote.objects.published().values("pk"))
            ),
            first_said=Min("quotes__said_start", filter=Q(quotes__status=Quote.Status.PUBLISHED)),
            last_said=Max("quotes__said_end", filter=Q(quotes__status=Quote.Status.PUBLISHED)),
        )
        .filter(quote_count__gt=0)
        .order_by("sort_name")
    )
    page, page_note = paginate(request, authors, ROWS_PER_PAGE)
    return render(request, "archive/author_list.html", {"page": page, "page_note": page_note})


@reader_page
@follow_moves
def author_detail(request, slug):
    author = get_by_slug(Author.objects, slug)
    published = author.quotes.published()
    shown = list(
        published.with_speaker()
        .prefetch_related("topics")
        .order_by("said_start", "id")[:AUTHOR_QUOTES_LOADED]
    )
    by_topic = defaultdict(list)
    for quote in shown:
        for topic in quote.topics.all():
            if len(by_topic[topic.pk]) < QUOTES_PER_GROUP:
                by_topic[topic.pk].append(quote)
    topics = Topic.objects.filter(quotes__in=published.values("pk")).annotate(n=Count("quotes"))
    sides = (
        Stance.objects.filter(quote__in=published.values("pk"))
        .values("claim__slug", "claim__text", "position")
        .annotate(n=Count("id"))
        .order_by("claim__text", "position")
    )
    claims = defaultdict(list)
    for side in sides:
        claims[(side["claim__slug"], side["claim__text"])].append(side)
    span = published.aggregate(
        count=Count("id"), first_said=Min("said_start"), last_said=Max("said_end")
    )
    context = {
        "author": author,
        "quote_count": span["count"],
        "first_said": span["first_said"],
        "last_said": span["last_said"],
        "by_topic": [(topic, by_topic[topic.pk]) for topic in topics.order_by("name")],
        "claims": list(claims.items()),
        "documents": Document.objects.filter(quotes__in=published.values("pk"))
        .distinct()
        .order_by("published_on", "title")[:AUTHOR_DOCUMENTS_SHOWN],
        "quotes_per_group": QUOTES_PER_GROUP,
    }
    return render(request, "archive/author_detail.html", context)


@reader_page
def document_list(request):
    documents = (
        Document.objects.prefetch_related("authors")
        .annotate(
            quote_count=Count("quotes", filter=Q(quotes__in=Quote.objects.published().values("pk")))
        )
        .order_by("published_on", "title")
    )
    kind = request.GET.get("kind", "")
    note = ""
    if kind in Document.Kind.values:
        documents = documents.filter(kind=kind)
    elif kind:
        note = f"There is no kind of document called “{kind[:40]}”; showing all documents."
    page, page_note = paginate(request, documents, ROWS_PER_PAGE)
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
    published = Q(stances__quote__in=Quote.objects.published().values("pk"))
    claims = (
        Claim.objects.prefetch_related("topics")
        .annotate(
            **{
                position: Count("stances", filter=Q(stances__position=position) & published)
                for position in Stance.Position.values
            }
        )
        .order_by("text")
    )
    return render(request, "archive/claim_list.html", {"claims": claims})


@reader_page(store=True)
@follow_moves
def claim_detail(request, slug):
    claim = get_by_slug(Claim.objects.prefetch_related("topics"), slug)
    stances = claim.stances.filter(quote__in=Quote.objects.published().values("pk"))
    totals = dict(stances.values_list("position").annotate(n=Count("id")))
    shown = sides_shown(stances)
    columns = [
        (value, label, [s for s in shown if s.position == value], totals.get(value, 0))
        for value, label in Stance.Position.choices
    ]
    by_year = (
        stances.values("quote__said_start__year", "position")
        .annotate(n=Count("id"))
        .order_by("quote__said_start__year", "position")
    )
    context = {
        "claim": claim,
        "columns": columns,
        "timeline": claim_timeline(by_year),
        "quotes_per_group": QUOTES_PER_GROUP,
    }
    return render(request, "archive/claim_detail.html", context)


def sides_shown(stances):
    """The first QUOTES_PER_GROUP stances on each side, by date said: one query per side."""
    shown = []
    for value in Stance.Position.values:
        shown += (
            stances.filter(position=value)
            .select_related("quote__speaker", "quote__document")
            .order_by("quote__said_start", "quote_id")[:QUOTES_PER_GROUP]
        )
    return shown


@reader_page
def topic_list(request):
    published = Quote.objects.published().values("pk")
    topics = Topic.objects.annotate(
        quote_count=Count("quotes", filter=Q(quotes__in=published)),
        claim_count=Count("claims", distinct=True),
    ).order_by("start_year", "name")
    return render(request, "archive/topic_list.html", {"topics": topics})


@reader_page
@follow_moves
def topic_detail(request, slug):
    topic = get_by_slug(Topic.objects, slug)
    quotes = topic.quotes.published().with_speaker().order_by("said_start", "id")
    page, page_note = paginate(request, quotes, QUOTES_PER_PAGE)
    speakers = (
        Author.objects.filter(quotes__in=quotes.values("pk"))
        .annotate(n=Count("quotes"))
        .order_by("-n", "sort_name")[:10]
    )
    context = {
        "topic": topic,
        "page": page,
        "page_note": page_note,
        "claims": topic.claims.all(),
        "speakers": speakers,
    }
    return render(request, "archive/topic_detail.html", context)
