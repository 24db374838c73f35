"""Throughput of the reader's pages under a bounded load (`manage.py loadtest`).

The real server on loopback: `gunicorn archive.wsgi -c scripts/gunicorn.conf.py` on a free port
of 127.0.0.1, over the configured database (the environment is passed through), and Debian's
`wrk` against it, one page at a time, each for a fixed duration. Each page's requests per
second are given as a ratio to those of a static file (WhiteNoise, through the same server and
middleware) measured in the same run: a floor, about the least work a request can cost here, so
the ratio compares pages across machines and runs where raw requests per second do not. Runs
are short and share the machine with wrk: differences of a few tenths are noise.

A page's errors are wrk's socket errors (connect, read, write, timeout) and its responses with
a status of 400 or more ("Non-2xx or 3xx responses"); before the load, every page must answer
200 once. Speed is only measured here; the tests never assert it.
"""

import http.client
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db.models import Count
from django.templatetags.static import static
from django.test.utils import override_settings

from archive.models import Claim, Document, Quote

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "scripts" / "gunicorn.conf.py"
STATIC_FILE = "css/site.css"
STATIC_PAGE = "static file"
STARTUP_SECONDS = 60  # for gunicorn to answer and boot all its workers
STOP_SECONDS = 20  # for gunicorn to stop after SIGTERM, before SIGKILL
OVERLAY_MODULE = "loadtest_settings"
OVERLAY = '''"""Settings of one load test: {module}, with the static files collected for it."""

from {module} import *  # noqa: F403

STATIC_ROOT = {root!r}
'''


class LoadTestError(Exception):
    """The load test cannot run, or could not measure; the message says why."""


def find_wrk():
    """The path of the wrk binary on PATH, or a LoadTestError saying what to install."""
    found = shutil.which("wrk")
    if found is None:
        raise LoadTestError(
            "wrk is not installed (no `wrk` on PATH): install Debian's wrk package "
            "(apt-get install wrk)."
        )
    return found


# The pages, chosen from the database as it is now


@dataclass
class Page:
    name: str
    path: str


def search_word(text):
    """The longest word of a quote: a search that finds at least that quote."""
    words = re.findall(r"[^\W\d_]{4,}", text)
    return max(words, key=len).lower() if words else ""


def pages():
    """The reader's main pages, with real objects: the first published quote, the document and
    the claim with the most quotes and stances."""
    quote = Quote.objects.published().order_by("pk").first()
    document = (
        Document.objects.filter(quotes__in=Quote.objects.published().values("pk"))
        .annotate(n=Count("quotes"))
        .order_by("-n", "pk")
        .first()
    )
    claim = Claim.objects.annotate(n=Count("stances")).filter(n__gt=0).order_by("-n", "pk").first()
    if quote is None or document is None or claim is None:
        raise LoadTestError(
            "The database holds no published quote, document or claim with stances to load "
            "test: load the archive first (manage.py migrate && manage.py load_archive)."
        )
    word = search_word(quote.text) or "the"
    return [
        Page("home", "/"),
        Page("quote list", "/quotes/"),
        Page(f"search ({word})", "/quotes/?" + urlencode({"q": word})),
        Page("quote page", quote.get_absolute_url()),
        Page(f"document page ({document.n} quotes)", document.get_absolute_url()),
        Page(f"claim page ({claim.n} stances)", claim.get_absolute_url()),
    ]


# Static files: collected, or collected for this run only


def collected_static_url():
    """The URL of the static file as pages link to it (hashed under a manifest storage), if it
    is collected in STATIC_ROOT; None if it is not."""
    try:
        url = static(STATIC_FILE)
        stored = getattr(staticfiles_storage, "stored_name", lambda name: name)(STATIC_FILE)
    except ValueError:  # a manifest storage without the file in its manifest (or no manifest)
        return None
    return url if staticfiles_storage.exists(stored) else None


@contextmanager
def static_files(directory, out):
    """(URL of the static file, environment for gunicorn). When STATIC_ROOT holds no collected
    static files, they are collected into `directory` and gunicorn runs with the configured
    settings plus that STATIC_ROOT (an overlay settings module: the settings do not read
    STATIC_ROOT from the environment)."""
    url = collected_static_url()
    if url is not None:
        out(f"Static files: collected in STATIC_ROOT ({settings.STATIC_ROOT}).")
        yield url, {}
        return
    root = Path(directory) / "static"
    out(
        f"Static files are not collected in STATIC_ROOT ({settings.STATIC_ROOT}): collecting "
        "them into a temporary directory for this run only (`manage.py collectstatic` collects "
        "them for the site)."
    )
    with override_settings(STATIC_ROOT=str(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = collected_static_url()
    if url is None:
        raise LoadTestError(f"collectstatic did not collect {STATIC_FILE}.")
    module = settings.SETTINGS_MODULE or "archive.settings"
    (Path(directory) / f"{OVERLAY_MODULE}.py").write_text(
        OVERLAY.format(module=module, root=str(root))
    )
    path = [str(directory), str(ROOT), os.environ.get("PYTHONPATH", "")]
    yield (
        url,
        {
            "DJANGO_SETTINGS_MODULE": OVERLAY_MODULE,
            "PYTHONPATH": os.pathsep.join(part for part in path if part),
        },
    )


# Gunicorn on loopback


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configured_workers(env):
    """The worker count scripts/gunicorn.conf.py gives in this environment."""
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return runpy.run_path(str(GUNICORN_CONFIG))["workers"]
    finally:
        os.environ.clear()
        os.environ.update(saved)


def get(port, path, timeout=10):
    """The status of one GET on loopback."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def live_children(pid):
    """The live child processes of pid (a gunicorn master's workers); None without /proc."""
    listed = list(Path(f"/proc/{pid}/task").glob("*/children"))
    if not listed:
        return None
    children = set()
    for path in listed:
        try:
            children.update(int(p) for p in path.read_text().split())
        except OSError:
            continue
    live = set()
    for child in children:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            live.add(child)
    return live


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    workers: int
    read_to: int = 0  # how far server_lines() has read the log

    def log_tail(self, characters=2000):
        return self.log.read_text(errors="replace")[-characters:]

    def failed(self, message):
        return LoadTestError(f"{message}\nThe end of gunicorn's log:\n{self.log_tail()}")

    def server_lines(self):
        """gunicorn's own log lines (not the access log's) written since the last call."""
        with self.log.open("rb") as log:
            log.seek(self.read_to)
            text = log.read()
        self.read_to += len(text)
        lines = text.decode(errors="replace").splitlines()
        return [line for line in lines if line.startswith("[")]

    def wait_until_ready(self, seconds=STARTUP_SECONDS):
        """Until the server answers and all its workers are up."""
        deadline = time.monotonic() + seconds
        answered = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.failed(f"gunicorn exited with status {self.process.returncode}.")
            if not answered:
                try:
                    get(self.port, "/")
                    answered = True
                except (OSError, http.client.HTTPException):
                    pass
            if answered:
                workers = live_children(self.process.pid)
                if workers is None or len(workers) >= self.workers:
                    return
            time.sleep(0.1)
        raise self.failed(f"gunicorn did not answer with {self.workers} workers in {seconds} s.")


def stop(process):
    """Stop gunicorn's whole process group: SIGTERM, then SIGKILL for whatever is left."""
    for sig, wait in [(signal.SIGTERM, STOP_SECONDS), (signal.SIGKILL, 5)]:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass


def spawn_gunicorn(env, log, **options):
    """Start `gunicorn archive.wsgi -c scripts/gunicorn.conf.py` from the checkout with exactly
    `env`, its output to the file `log`; the Popen (options are passed on to it)."""
    with Path(log).open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "archive.wsgi", "-c", str(GUNICORN_CONFIG)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            **options,
        )


@contextmanager
def gunicorn(directory, env, workers=None):
    """`gunicorn archive.wsgi -c scripts/gunicorn.conf.py` on a free loopback port, in a
    process group of its own, stopped (the whole group) when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE or "archive.settings",
        **env,
        "PORT": str(port),
        "GUNICORN_HOST": "127.0.0.1",
    }
    env.pop("GUNICORN_CONTROL_SOCKET", None)  # never the socket of a server already running
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = Path(directory) / "gunicorn.log"
    process = spawn_gunicorn(env, log, start_new_session=True)
    try:
        server = Server(process, port, log, workers or configured_workers(env))
        server.wait_until_ready()
        yield server
    finally:
        stop(process)


# wrk and its report

SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.M)
PER_SECOND = re.compile(r"^Requests/sec:\s*([\d.]+)", re.M)
PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M
)
STATUS_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)", re.M)


@dataclass
class Result:
    page: str
    path: str
    requests: int = 0
    per_second: float = 0.0
    p50: float | None = None  # milliseconds
    p99: float | None = None
    socket_errors: dict = field(default_factory=dict)
    status_errors: int = 0  # responses with a status of 400 or more
    failure: str = ""  # wrk did not run or reported nothing
    recycled: int = 0  # workers gunicorn replaced during the load (GUNICORN_MAX_REQUESTS)

    @property
    def errors(self):
        return sum(self.socket_errors.values()) + self.status_errors + bool(self.failure)

    def describe_errors(self):
        if self.failure:
            return f"wrk failed: {self.failure}"
        if not self.errors:
            return "0"
        parts = [f"{self.status_errors} non-2xx/3xx"] if self.status_errors else []
        parts += [f"{n} {kind}" for kind, n in self.socket_errors.items() if n]
        return f"{self.errors} ({', '.join(parts)})"


def parse_wrk(page, path, output):
    """A Result from the text wrk prints with --latency."""
    result = Result(page, path)
    per_second, requests = PER_SECOND.search(output), REQUESTS.search(output)
    if per_second is None or requests is None:
        last = output.strip().splitlines()[-1:] or ["no output"]
        result.failure = last[0].strip()
        return result
    result.per_second, result.requests = float(per_second.group(1)), int(requests.group(1))
    for percentile, value, unit in PERCENTILE.findall(output):
        setattr(result, f"p{percentile}", float(value) * SECONDS[unit] * 1000)
    found = SOCKET_ERRORS.search(output)
    if found:
        result.socket_errors = dict(
            zip(["connect", "read", "write", "timeout"], map(int, found.groups()), strict=True)
        )
    found = STATUS_ERRORS.search(output)
    result.status_errors = int(found.group(1)) if found else 0
    if result.requests == 0:
        result.failure = "no request completed"
    return result


def run_wrk(wrk, port, page, duration, connections, threads):
    url = f"http://127.0.0.1:{port}{page.path}"
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        return Result(page.name, page.path, failure=f"wrk ran over {duration + 60} s")
    return parse_wrk(page.name, page.path, done.stdout + done.stderr)


@dataclass
class Report:
    results: list  # the static file's comes last
    workers: int
    server_log: list  # gunicorn's own log lines during the load


def check_pages(server, chosen):
    """Every page answers 200 once before the load; otherwise nothing is measured."""
    for page in chosen:
        try:
            status = get(server.port, page.path)
        except (OSError, http.client.HTTPException) as error:
            raise server.failed(f"{page.name} ({page.path}): {error!r}") from None
        if status != 200:
            raise server.failed(
                f"{page.name} ({page.path}) answered {status} before the load, not 200; "
                "nothing was measured. (A 400 is a host not in DJANGO_ALLOWED_HOSTS; a 301 the "
                "HTTPS redirect, DJANGO_HTTPS.)"
            )


def run(duration, connections, threads, workers=None, out=print, warmup=0):
    """Serve the archive with gunicorn, load each page with wrk in turn, stop gunicorn.

    Each page is first loaded for `warmup` seconds, unmeasured: the first requests to each
    worker render the page and, without a shared cache, count the archive (archive/tallies.py)
    in every worker at once, which is what a server does right after it starts."""
    wrk = find_wrk()
    chosen = pages()
    with tempfile.TemporaryDirectory(prefix="loadtest-") as directory:
        with static_files(directory, out) as (static_url, env):
            chosen.append(Page(STATIC_PAGE, static_url))
            with gunicorn(directory, env, workers) as server:
                out(f"gunicorn on 127.0.0.1:{server.port} with {server.workers} workers.")
                check_pages(server, chosen)
                server.server_lines()  # start and check: not part of the load
                results, server_log = [], []
                for page in chosen:
                    if warmup:
                        run_wrk(wrk, server.port, page, warmup, connections, threads)
                        server.server_lines()  # the warm-up's recycling is not this page's
                    done = run_wrk(wrk, server.port, page, duration, connections, threads)
                    lines = server.server_lines()
                    done.recycled = sum("Autorestarting worker" in line for line in lines)
                    server_log += lines
                    results.append(done)
                    out(
                        f"  {page.name}: {done.per_second:.1f} requests/s, "
                        f"errors {done.describe_errors()}, workers recycled {done.recycled}"
                    )
                return Report(results, server.workers, server_log)


def ratio(result, floor):
    return result.per_second / floor.per_second if floor.per_second else None


def table(results):
    """A markdown table; the static file (the floor) is the last result."""
    floor = results[-1]

    def ms(value):
        return "–" if value is None else f"{value:.1f}"

    lines = [
        "| page | requests/s | ratio to static file | p50 ms | p99 ms | errors "
        "| workers recycled |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for result in results:
        share = ratio(result, floor)
        lines.append(
            f"| {result.page} `{result.path}` | {result.per_second:.1f} "
            f"| {'–' if share is None else f'{share:.2f}'} | {ms(result.p50)} | {ms(result.p99)} "
            f"| {result.describe_errors()} | {result.recycled} |"
        )
    return "\n".join(lines)


def failures(results):
    """One line for each page that had errors."""
    return [
        f"{result.page} ({result.path}): {result.describe_errors()}"
        for result in results
        if result.errors
    ]
