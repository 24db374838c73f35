"""Measure the reader's pages on a growing synthetic corpus (see archive/benchmarking.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from archive import benchmarking
from archive.management.commands.seed_synthetic import is_checkout_database
from archive.models import Quote
from archive.synthetic import RealArchiveData, check_database


def sizes_list(text):
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--sizes must be whole numbers, comma-separated, not {text!r}"
        ) from None
    if not sizes or any(size < 1 for size in sizes) or sizes != sorted(set(sizes)):
        raise CommandError("--sizes must be positive and increasing: 1000,10000,100000.")
    return sizes


class Command(BaseCommand):
    help = (
        "Grow a synthetic corpus (seed_synthetic) in the configured database to each of "
        "--sizes quotes in turn and measure the median and p95 server time and SQL queries of "
        "the reader's pages, with the bare search SQL and a static file as floors; print a "
        "markdown table. Refuses a database that holds real archive data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000", help="Corpus sizes (quotes).")
        parser.add_argument(
            "--repeat",
            type=int,
            default=100,
            help="Timed requests per row. The p95 of 100 is the sixth slowest; of 30 it would "
            "be the second slowest, which one slow moment of a shared machine decides.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the corpus.")
        parser.add_argument(
            "--budget",
            type=float,
            default=60.0,
            help="Seconds per row after which fewer requests are timed (at least 3).",
        )
        parser.add_argument(
            "--warm-cache",
            action="store_true",
            help="Keep each page's stored copy between requests (default: drop it before each "
            "request, so that every request renders the page).",
        )

    def handle(self, *args, sizes, repeat, seed, budget, warm_cache, **options):
        sizes = sizes_list(sizes)
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        try:
            check_database()
        except RealArchiveData as refusal:
            raise CommandError(str(refusal)) from None
        if is_checkout_database():
            raise CommandError(
                "DATABASE_URL is the checkout's db.sqlite3; benchmark a database of its own."
            )
        held = Quote.objects.count()
        if held > sizes[0]:
            raise CommandError(
                f"The database already holds {held} quotes, more than the first size "
                f"{sizes[0]}; start from an empty database or larger sizes."
            )
        info = benchmarking.machine()
        self.stdout.write(f"Benchmark on {connection.vendor}: {info}")
        rows = benchmarking.run(
            sizes, repeat, seed, budget, out=self.stdout.write, cold=not warm_cache
        )
        self.stdout.write("")
        self.stdout.write(f"Machine: {info}")
        self.stdout.write(
            f"Server time in-process (django.test.Client, whole middleware stack), {repeat} "
            "timed requests per row after one warm-up; queries counted on the warm-up. "
            + (
                "Page cache kept between requests."
                if warm_cache
                else "The page's stored copy dropped before every request (every page "
                "rendered), except the row marked 'from the page cache'; the archive's counts "
                "(archive/tallies.py) kept, as between curations, except the row 'after a change'."
            )
        )
        self.stdout.write("")
        self.stdout.write(benchmarking.table(rows))
        missed, beyond = benchmarking.misses(rows)
        self.stdout.write("")
        self.stdout.write("Targets missed:" if missed else "Targets missed: none.")
        for line in missed:
            self.stdout.write(f"- {line}")
        if beyond:
            self.stdout.write("")
            self.stdout.write(
                "Beyond the targets (their timing is set for "
                f"{benchmarking.TARGET_SIZE:,} quotes on PostgreSQL), the same numbers missed:"
            )
            for line in beyond:
                self.stdout.write(f"- {line}")
