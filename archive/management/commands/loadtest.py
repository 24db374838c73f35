"""Load the reader's pages through gunicorn with wrk (see archive/loadtesting.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from archive import benchmarking, loadtesting

LOG_LINES = 20


class Command(BaseCommand):
    help = (
        "Serve the configured database with gunicorn (scripts/gunicorn.conf.py) on a free "
        "loopback port and load each of the reader's main pages (home, quote list, a search, a "
        "quote, a document, a claim) and a static file in turn with Debian's wrk, for a fixed "
        "duration each. Prints a markdown table of requests per second, the ratio of each to "
        "the static file's (a floor: about the least a request costs, measured in the same "
        "run), latency p50 and p99, errors (socket errors and responses of 400 or more) and "
        "the workers gunicorn recycled meanwhile. Fails if any page had an error, or if wrk is "
        "not installed. Collects static files into a temporary directory for the run when "
        "STATIC_ROOT holds none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--duration", type=int, default=10, help="Seconds of load per page (default 10)."
        )
        parser.add_argument(
            "--warmup",
            type=int,
            default=2,
            help="Seconds of load per page before it is measured, not counted (default 2): "
            "each worker renders the page and counts the archive once (archive/tallies.py).",
        )
        parser.add_argument(
            "--connections", type=int, default=8, help="Open connections, wrk -c (default 8)."
        )
        parser.add_argument("--threads", type=int, default=2, help="wrk threads, -t (default 2).")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn worker processes (default: the gunicorn config's own, "
            "WEB_CONCURRENCY or 2 x cores + 1).",
        )

    def handle(self, *args, duration, warmup, connections, threads, workers, **options):
        if duration < 1:
            raise CommandError("--duration must be at least 1 second.")
        if warmup < 0:
            raise CommandError("--warmup must be 0 or more seconds.")
        if threads < 1 or connections < threads:
            raise CommandError("--threads must be at least 1, and --connections at least that.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        try:
            loadtesting.find_wrk()
            info = benchmarking.machine()
            self.stdout.write(f"Load test on {connection.vendor}: {info}")
            report = loadtesting.run(
                duration, connections, threads, workers, out=self.stdout.write, warmup=warmup
            )
        except loadtesting.LoadTestError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("")
        self.stdout.write(f"Machine: {info}")
        self.stdout.write(
            f"gunicorn archive.wsgi -c scripts/gunicorn.conf.py with {report.workers} workers on "
            f"127.0.0.1; wrk -t{threads} -c{connections} -d{duration}s --latency against one "
            f"page at a time, after {warmup} s of unmeasured load, on the same machine. Pages are "
            "served as readers get them: from Django's page cache once each worker has "
            "rendered them. Workers recycled: replaced by gunicorn after "
            "GUNICORN_MAX_REQUESTS requests, during that page's load."
        )
        self.stdout.write("")
        self.stdout.write(loadtesting.table(report.results))
        failed = loadtesting.failures(report.results)
        if failed:
            log = "\n".join(report.server_log[-LOG_LINES:]) or "(nothing)"
            raise CommandError(
                f"{len(failed)} of {len(report.results)} pages had errors under load:\n"
                + "\n".join(f"- {line}" for line in failed)
                + f"\ngunicorn's own log during the load (last {LOG_LINES} lines):\n{log}"
            )
        self.stdout.write("")
        self.stdout.write("Errors: none.")
