"""Public revision permalinks: a quote exactly as it read at revision n.

The revisions of quote <id> are its history records (django-simple-history), in the order
they were recorded (history_date, history_id); revision n is the n-th, counted from 1. Revision
1 is the quote as loaded or first saved. A record of the quote's deletion is not a revision: it
repeats the last one.

Which revisions readers see: every revision of a quote that has ever been public, that is, has
a revision whose status is published, withdrawn or merged. A citation may point at any of them,
so they keep answering 200 whatever happens to the quote later (withdrawn, merged, even
removed); the notice says what became of it. A revision recorded while the quote was a draft is
shown too, marked as a draft. A quote that was only ever a draft has no public revisions: 404.

Who made a change is never shown here (curators' privacy); the admin's history shows it.
"""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from archive import citations
from archive.caching import reader_page
from archive.models import Author, Document, Quote
from archive.permanence import final_replacement

PUBLIC_STATUSES = {Quote.Status.PUBLISHED, Quote.Status.WITHDRAWN, Quote.Status.MERGED}
TopicRow = Quote.history.model.topics.model


@dataclass
class Revision:
    """One revision of a quote: its number, its history record and what it changed."""

    number: int
    record: object
    changed: list

    @property
    def date(self):
        return self.record.history_date

    @property
    def reason(self):
        return self.record.history_change_reason or ""

    @property
    def citation_revision(self):
        """The revision as the citations package names it."""
        return citations.Revision(self.number, timezone.localdate(self.date))


def revision_count(pk):
    """How many revisions quote pk has (for its current page's "Revisions" line)."""
    return Quote.history.filter(id=pk).exclude(history_type="-").count()


def public_records(pk):
    """The quote's history records, oldest first; 404 unless the quote was ever public."""
    records = list(
        Quote.history.filter(id=pk).exclude(history_type="-").order_by("history_date", "history_id")
    )
    if not any(record.status in PUBLIC_STATUSES for record in records):
        raise Http404(f"Quote {pk} has no published revisions.")
    return records


def topic_ids_by_record(pk):
    """{history_id: set of topic ids} for every record of quote pk, in one query."""
    topics = {}
    rows = TopicRow.objects.filter(history__id=pk).values_list("history_id", "topic_id")
    for history_id, topic_id in rows:
        topics.setdefault(history_id, set()).add(topic_id)
    return topics


# Fields as the quote's page names them, where its verbose name would not say.
LABELS = {
    "said_start": "date said",
    "said_end": "date said",
    "said_precision": "date said",
    "via": "relayed",
    "withdrawn_reason": "reason for withdrawal",
    "withdrawn_at": "date withdrawn",
}


def changed_fields(new, old, topics):
    """The names, as readers read them, of the fields `new` changed since `old`."""
    names = new.diff_against(old, excluded_fields=["topics"]).changed_fields
    if topics.get(new.history_id, set()) != topics.get(old.history_id, set()):
        names.append("topics")
    labels = {LABELS.get(name) or str(Quote._meta.get_field(name).verbose_name) for name in names}
    return sorted(labels)


def revisions_of(pk, records):
    """Every revision, each with what it changed: diffs worked out in Python, no query each."""
    topics = topic_ids_by_record(pk)
    revisions = [Revision(1, records[0], [])]
    for number, (old, new) in enumerate(zip(records, records[1:], strict=False), start=2):
        revisions.append(Revision(number, new, changed_fields(new, old, topics)))
    return revisions


def current_or_last(model, pk, queryset=None):
    """The object now, or, if it was removed from the archive, as its history last had it."""
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if found is None:
        last = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
        found = last.instance if last else model(pk=pk)
    return found


def as_it_read(record):
    """A Quote holding the record's values, with its speaker and document (and its authors)."""
    quote = record.instance
    quote.speaker = current_or_last(Author, record.speaker_id)
    documents = Document.objects.prefetch_related("authors")
    quote.document = current_or_last(Document, record.document_id, documents)
    return quote


def topics_of(record):
    """The quote's topics as the record has them."""
    rows = TopicRow.objects.filter(history=record).select_related("topic")
    return sorted((row.topic for row in rows), key=lambda topic: topic.name)


def current_state(pk):
    """What became of the quote: (state, current quote or None, address to follow or "")."""
    quote = Quote.objects.filter(pk=pk).first()
    if quote is None:
        return "removed", None, ""
    if quote.status == Quote.Status.MERGED:
        return "merged", quote, final_replacement(quote).get_absolute_url()
    if quote.status == Quote.Status.WITHDRAWN:
        return "withdrawn", quote, quote.get_absolute_url()
    if quote.status == Quote.Status.DRAFT or not quote.is_located:
        return "unpublished", quote, ""
    return "published", quote, quote.get_absolute_url()


def chosen(records, number):
    """Revision `number` of the records, or None if there is no such revision."""
    if not 1 <= number <= len(records):
        return None
    return Revision(number, records[number - 1], [])


@reader_page
def quote_revisions(request, pk):
    """/quotes/<id>/v/: every revision of the quote, with its date, reason and what changed."""
    records = public_records(pk)
    return render_list(request, pk, records)


def render_list(request, pk, records, missing=None, status=200):
    """The list of revisions; with `missing`, the 404 page for a revision that does not exist."""
    state, current, current_url = current_state(pk)
    latest = records[-1]
    context = {
        "pk": pk,
        "revisions": revisions_of(pk, records),
        "latest": latest,
        "speaker": current_or_last(Author, latest.speaker_id),
        "state": state,
        "current": current,
        "current_url": current_url,
        "missing": missing,
    }
    return render(request, "archive/quote_revisions.html", context, status=status)


@reader_page
def quote_revision(request, pk, number):
    """/quotes/<id>/v/<n>/: the quote exactly as it read at revision n, citable as such."""
    records = public_records(pk)
    revision = chosen(records, number)
    if revision is None:
        return render_list(request, pk, records, missing=number, status=404)
    quote = as_it_read(revision.record)
    url = request.build_absolute_uri(reverse("quote-revision", args=[pk, number]))
    document_url = request.build_absolute_uri(quote.document.get_absolute_url())
    cited = revision.citation_revision
    state, current, current_url = current_state(pk)
    context = {
        "quote": quote,
        "record": revision.record,
        "revision": revision,
        "count": len(records),
        "is_latest": number == len(records),
        "topics": topics_of(revision.record),
        "permanent_url": url,
        "state": state,
        "current": current,
        "current_url": current_url,
        "citation": citations.formatted(quote, url, revision=cited),
        "structured_data": citations.json_ld_script(quote, url, document_url, cited),
    }
    return render(request, "archive/quote_revision.html", context)


@reader_page
def quote_revision_citation(request, pk, number, fmt):
    """/quotes/<id>/v/<n>/cite.<fmt>: a citation file naming revision n and its address."""
    export = citations.EXPORTS.get(fmt)
    if export is None:
        raise Http404("Citations come as cite.bib, cite.ris or cite.json.")
    revision = chosen(public_records(pk), number)
    if revision is None:
        raise Http404(f"Quote {pk} has no revision {number}.")
    quote = as_it_read(revision.record)
    url = request.build_absolute_uri(reverse("quote-revision", args=[pk, number]))
    body = export.render(quote, url, revision=revision.citation_revision)
    response = HttpResponse(body, content_type=export.content_type)
    filename = f"quote-{pk}-v{number}.{export.extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
