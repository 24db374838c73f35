"""`manage.py loadtest`: the reader's main pages through the real gunicorn under Debian's wrk,
each reported as a ratio to a static file's throughput in the same run, with zero errors.

The run is the real thing, briefly (one second per page, two connections): the command in a
subprocess over a database of its own (migrated and loaded in subprocesses, as `make run`
does), with the real settings except a STATIC_ROOT that holds nothing, so the command has to
collect the static files for its run. Speed is not asserted, only that every page was served.

Workers are not recycled in this run (GUNICORN_MAX_REQUESTS=0): at these rates every worker
reaches its max_requests within seconds, and on a busy machine (the two suites of `make test`
side by side) replacing them all at once can stall the server past wrk's 2 s timeout. The
command reports recycling; this test is about the command, not about that setting.
"""

import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive import loadtesting
from tests.conftest import fresh_database
from tests.conftest import manage as run_manage

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["home", "quote list", "search", "quote page", "document page", "claim page"]
OVERLAY_SETTINGS = '''"""The settings, with a STATIC_ROOT where nothing is collected."""

from archive.settings import *  # noqa: F403

STATIC_ROOT = {root!r}
'''
ROW = re.compile(
    r"^\| (?P<page>.+?) `(?P<path>[^`]+)` \| (?P<per_second>[\d.]+) \| (?P<ratio>[\d.]+|–) "
    r"\| (?P<p50>[\d.]+|–) \| (?P<p99>[\d.]+|–) \| (?P<errors>.+) \| (?P<recycled>\d+) \|$",
    re.M,
)


@pytest.fixture(scope="module")
def wrk():
    if shutil.which("wrk") is None:
        message = "wrk is not installed: install Debian's wrk package"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it (.ci/run)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def archive_env(tmp_path_factory):
    """The environment of a fresh database on the engine under test holding the real archive."""
    workdir = tmp_path_factory.mktemp("loadtest")
    (workdir / "loadtest_test_settings.py").write_text(
        OVERLAY_SETTINGS.format(root=str(workdir / "nothing-collected"))
    )
    with fresh_database(workdir, "loadtest") as url:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "LANG": "C.UTF-8",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "loadtest_test_settings",
            "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
        }
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        loaded = manage(env, "load_archive")
        assert "Loaded" in loaded.stdout, loaded.stdout + loaded.stderr
        yield env


def manage(env, *args, check=True):
    return run_manage(env, *args, check=check)


@pytest.fixture(scope="module")
def run(wrk, archive_env):
    """One brief real run: (exit status, stdout, stderr, table rows by page name)."""
    done = manage(
        {**archive_env, "GUNICORN_MAX_REQUESTS": "0"},
        "loadtest",
        *["--duration", "1", "--warmup", "1", "--connections", "2", "--threads", "1"],
        *["--workers", "2"],
        check=False,
    )
    rows = {}
    for row in ROW.finditer(done.stdout):
        name = row["page"].split(" (")[0]
        rows[name] = row.groupdict()
    return done.returncode, done.stdout, done.stderr, rows


def test_every_main_page_is_served_under_load_with_zero_errors(run):
    status, out, err, rows = run
    assert status == 0, out + err
    assert list(rows) == [*PAGES, "static file"], out
    for name, row in rows.items():
        assert float(row["per_second"]) > 0, name
        assert row["errors"] == "0", name
        assert row["recycled"] == "0", name
        assert row["p50"] != "–" and row["p99"] != "–", name
    assert "Errors: none." in out


def test_the_pages_are_real_ones_from_the_database(run):
    _, out, _, rows = run
    assert rows["home"]["path"] == "/"
    assert rows["quote list"]["path"] == "/quotes/"
    assert re.fullmatch(r"/quotes/\?q=\w+", rows["search"]["path"])
    assert re.fullmatch(r"/quotes/\d+/", rows["quote page"]["path"])
    assert rows["document page"]["path"].startswith("/documents/")
    assert rows["claim page"]["path"].startswith("/claims/")


def test_each_page_is_given_as_a_ratio_to_the_static_file_in_the_same_run(run):
    _, out, _, rows = run
    floor = float(rows["static file"]["per_second"])
    assert rows["static file"]["ratio"] == "1.00"
    for name in PAGES:
        expected = float(rows[name]["per_second"]) / floor
        assert float(rows[name]["ratio"]) == pytest.approx(expected, abs=0.011), name


def test_uncollected_static_files_are_collected_for_the_run_and_it_says_so(run):
    _, out, _, rows = run
    assert "Static files are not collected in STATIC_ROOT" in out
    # The URL pages link to: hashed by the manifest storage, as on the real site.
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", rows["static file"]["path"])


def test_the_report_names_the_machine_and_the_load(run):
    _, out, _, _ = run
    assert out.startswith("Load test on ")
    assert "Machine: " in out and " cores " in out
    assert "with 2 workers" in out and "wrk -t1 -c2 -d1s --latency" in out


def test_gunicorn_is_stopped_after_the_run(run):
    _, out, _, _ = run
    port = int(re.search(r"gunicorn on 127\.0\.0\.1:(\d+)", out).group(1))
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.1", port))


def test_without_wrk_the_command_refuses_and_says_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no wrk here; nothing is started, no query run
    with pytest.raises(CommandError, match="install Debian's wrk package"):
        call_command("loadtest", "--duration", "1")


WRK_WITH_ERRORS = """\
Running 1s test @ http://127.0.0.1:8000/quotes/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   850.12us    1.79ms  12.28ms   85.50%
    Req/Sec     1.20k   137.27     1.43k    60.00%
  Latency Distribution
     50%  512.00us
     75%    2.28ms
     90%    4.43ms
     99%    1.20s
  1199 requests in 1.00s, 608.87KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   1197.22
Transfer/sec:    607.96KB
"""


def test_wrk_socket_errors_and_error_responses_count_as_errors():
    result = loadtesting.parse_wrk("quote list", "/quotes/", WRK_WITH_ERRORS)
    assert (result.requests, result.per_second) == (1199, 1197.22)
    assert (result.p50, result.p99) == (pytest.approx(0.512), pytest.approx(1200.0))
    assert result.errors == 12
    assert result.describe_errors() == "12 (7 non-2xx/3xx, 2 read, 3 timeout)"
    assert loadtesting.failures([result]) == [
        "quote list (/quotes/): 12 (7 non-2xx/3xx, 2 read, 3 timeout)"
    ]


def test_a_wrk_that_could_not_connect_is_an_error():
    result = loadtesting.parse_wrk(
        "home", "/", "unable to connect to 127.0.0.1:1 Connection refused"
    )
    assert result.errors and "unable to connect" in result.describe_errors()


@pytest.mark.django_db
def test_any_page_with_errors_makes_the_command_fail_after_printing_the_table(monkeypatch, capsys):
    monkeypatch.setattr(loadtesting, "find_wrk", lambda: "/usr/bin/wrk")
    results = [
        loadtesting.parse_wrk("quote list", "/quotes/", WRK_WITH_ERRORS),
        loadtesting.Result("static file", "/static/css/site.css", 10, 2000.0, 0.4, 1.0),
    ]
    results[0].recycled = 3
    log = ["[2026-01-01 00:00:00 +0000] [42] [INFO] Autorestarting worker after current request."]
    report = loadtesting.Report(results, 2, log)
    monkeypatch.setattr(loadtesting, "run", lambda *args, **kwargs: report)
    with pytest.raises(CommandError, match=r"1 of 2 pages had errors under load") as refused:
        call_command("loadtest")
    assert log[0] in str(refused.value)  # gunicorn's own words about the load
    out = capsys.readouterr().out
    assert "| quote list `/quotes/` | 1197.2 | 0.60 | 0.5 | 1200.0 | 12 (" in out
    assert "timeout) | 3 |" in out
