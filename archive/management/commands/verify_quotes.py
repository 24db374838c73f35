from django.core.management.base import BaseCommand, CommandError

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
        quotes = Quote.objects.order_by("document_id", "id")
        if ids:
            quotes = quotes.filter(pk__in=ids)
        found, lost = quotes.reverify()
        for quote in lost:
            nearest = nearest_passage(quote.text, quote.document.text) or "(nothing alike)"
            self.stderr.write(
                f"Quote {quote.pk} is not in document “{quote.document.slug}”.\n"
                f"  quote:   {quote.text[:200]}\n"
                f"  nearest: {nearest}"
            )
        checked = len(found) + len(lost)
        if lost:
            raise CommandError(
                f"{len(lost)} of {checked} quotes could not be found verbatim in their "
                "documents; they are hidden from readers until corrected."
            )
        self.stdout.write(f"All {checked} quotes found verbatim in their documents.")
