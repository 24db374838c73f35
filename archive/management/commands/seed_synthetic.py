"""Fill a database of its own with a synthetic corpus shaped like the archive (for benchmarks)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from archive.synthetic import PROVENANCE, RealArchiveData, Seeder, check_database


def is_checkout_database():
    """True when the configured database is the checkout's own db.sqlite3 (the default)."""
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict.get("NAME") or "")
    try:
        return Path(name).resolve() == (Path(settings.BASE_DIR) / "db.sqlite3").resolve()
    except (OSError, ValueError):
        return False


class Command(BaseCommand):
    help = (
        'Grow a synthetic corpus ("Synthetic …" documents, authors and claims; never real '
        "quotes) until the configured database holds --quotes quotes. Refuses a database that "
        "holds any real archive data, and the checkout's db.sqlite3 without "
        "--allow-checkout-database. " + PROVENANCE
    )

    def add_arguments(self, parser):
        parser.add_argument("--quotes", type=int, required=True, help="Quotes the corpus holds.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--allow-checkout-database",
            action="store_true",
            help="Seed the checkout's db.sqlite3 even so (it is where `make run` serves from).",
        )

    def handle(self, *args, quotes, seed, allow_checkout_database, **options):
        if quotes < 1:
            raise CommandError("--quotes must be at least 1.")
        try:
            check_database()
        except RealArchiveData as refusal:
            raise CommandError(str(refusal)) from None
        if is_checkout_database() and not allow_checkout_database:
            raise CommandError(
                "DATABASE_URL is the checkout's db.sqlite3, which `make run` serves; set "
                "DATABASE_URL to a database of its own (or pass --allow-checkout-database)."
            )
        self.stdout.write(
            f"Seeding a synthetic corpus of {quotes} quotes (seed {seed}) into "
            f"{connection.vendor} database {connection.settings_dict.get('NAME')}"
        )
        try:
            added = Seeder(seed, out=self.stdout).grow(quotes)
        except RealArchiveData as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"Added {added} synthetic quotes.")
