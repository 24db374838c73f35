from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import Author, Claim, Document, Quote, Stance, Topic

CURATED_MODELS = [Topic, Claim, Author, Document, Quote, Stance]
LOADED = "Loaded from the archive's fixtures"


def record_first_revisions():
    """Give every row its revision 1, "as loaded".

    Fixture rows are saved raw, which records no history, except that setting many-to-many
    fields records a change for some of them: those become revision 1 too.
    """
    for model in CURATED_MODELS:
        missing = list(model.objects.exclude(pk__in=model.history.values("id")))
        model.history.bulk_history_create(missing)
        model.history.update(history_type="+", history_change_reason=LOADED)


class Command(BaseCommand):
    help = (
        "Load the archive's fixtures, only into an empty database, and verify every quote. "
        "A database that holds any archive data is left untouched, so curators' edits survive."
    )

    def handle(self, *args, **options):
        held = {model._meta.verbose_name_plural: model.objects.count() for model in CURATED_MODELS}
        if any(held.values()):
            summary = ", ".join(f"{count} {name}" for name, count in held.items() if count)
            self.stdout.write(
                f"The database already holds archive data ({summary}); fixtures not loaded, "
                "so nothing a curator changed is overwritten."
            )
            return
        fixtures = sorted(str(path) for path in settings.ARCHIVE_FIXTURES.glob("*.yaml"))
        with transaction.atomic():
            call_command("loaddata", *fixtures, verbosity=0)
            record_first_revisions()
            call_command("verify_quotes", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(
            f"Loaded {len(fixtures)} fixture files: {Quote.objects.count()} quotes, "
            f"{Author.objects.count()} authors, {Document.objects.count()} documents, "
            f"{Claim.objects.count()} claims, {Stance.objects.count()} stances."
        )
