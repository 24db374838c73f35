"""Reader pages. The home page and plain detail pages; the full reader's site comes next."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from archive.models import Author, Claim, Document, Quote, Stance, Topic


def home(request):
    published = Quote.objects.published()
    context = {
        "quote_count": published.count(),
        "author_count": Author.objects.filter(quotes__in=published).distinct().count(),
        "document_count": Document.objects.count(),
        "topics": Topic.objects.annotate(
            quote_count=Count("quotes", filter=Q(quotes__in=published))
        ),
        "claims": Claim.objects.annotate(stance_count=Count("stances")),
        "recent_quotes": published.with_speaker().order_by("-created_at", "-id")[:5],
    }
    return render(request, "archive/home.html", context)


def quote_detail(request, pk):
    quote = get_object_or_404(
        Quote.objects.published().with_speaker().prefetch_related("topics"), pk=pk
    )
    stances = Stance.objects.filter(quote=quote).select_related("claim")
    return render(request, "archive/quote_detail.html", {"quote": quote, "stances": stances})


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    quotes = author.quotes.published().with_speaker()
    return render(request, "archive/author_detail.html", {"author": author, "quotes": quotes})


def document_detail(request, slug):
    document = get_object_or_404(Document.objects.prefetch_related("authors"), slug=slug)
    quotes = document.quotes.published().with_speaker().order_by("start_offset")
    return render(request, "archive/document_detail.html", {"document": document, "quotes": quotes})


def claim_detail(request, slug):
    claim = get_object_or_404(Claim, slug=slug)
    stances = claim.stances.filter(quote__in=Quote.objects.published()).select_related(
        "quote__speaker", "quote__document"
    )
    columns = [
        (label, [stance for stance in stances if stance.position == value])
        for value, label in Stance.Position.choices
    ]
    return render(request, "archive/claim_detail.html", {"claim": claim, "columns": columns})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    quotes = topic.quotes.published().with_speaker()
    return render(request, "archive/topic_detail.html", {"topic": topic, "quotes": quotes})
