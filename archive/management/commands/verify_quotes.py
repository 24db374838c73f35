from django.core.management.base import BaseCommand, CommandError

from archive import caching
from archive.models import Quote
from archive.verification import nearest_passage


class Command(BaseCommand):
    help = (
        "Find every quote in its document's text and store its place (offsets, prefix, suffix). "
        "A quote that cannot be found loses its place, so readers never see it, and is listed "
        "with the nearest passage; the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these quote ids.")

    def handle(self, *args, ids, **options):
        quotes = Quote.objects.select_related("document").order_by("document_id", "id")
        if ids:
            quotes = quotes.filter(pk__in=ids)
        failures = []
        checked = 0
        for quote in quotes.iterator(chunk_size=500):
            checked += 1
            location = quote.find_in_document()
            if location is None:
                failures.append(quote)
                if quote.is_located:
                    Quote.objects.filter(pk=quote.pk).update(
                        start_offset=None, end_offset=None, prefix="", suffix=""
                    )
                continue
            stored = (quote.start_offset, quote.end_offset, quote.prefix, quote.suffix)
            found = (location.start, location.end, location.prefix, location.suffix)
            if stored != found:
                Quote.objects.filter(pk=quote.pk).update(
                    start_offset=location.start,
                    end_offset=location.end,
                    prefix=location.prefix,
                    suffix=location.suffix,
                )
        caching.archive_changed()  # update() sends no signal; readers' cached pages are now stale
        for quote in failures:
            nearest = nearest_passage(quote.text, quote.document.text) or "(nothing alike)"
            self.stderr.write(
                f"Quote {quote.pk} is not in document “{quote.document.slug}”.\n"
                f"  quote:   {quote.text[:200]}\n"
                f"  nearest: {nearest}"
            )
        if failures:
            raise CommandError(
                f"{len(failures)} of {checked} quotes could not be found verbatim in their "
                "documents; they are hidden from readers until corrected."
            )
        self.stdout.write(f"All {checked} quotes found verbatim in their documents.")
