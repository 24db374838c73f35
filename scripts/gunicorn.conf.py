"""Gunicorn settings, all from the environment.

    gunicorn archive.wsgi -c scripts/gunicorn.conf.py

| variable | meaning | default |
|---|---|---|
| `PORT` | port to listen on | `8000` |
| `GUNICORN_HOST` | address to listen on (`0.0.0.0` for a proxy on another host) | `127.0.0.1` |
| `WEB_CONCURRENCY` | worker processes | (2 × cores) + 1 |
| `GUNICORN_TIMEOUT` | seconds a silent worker lives before it is killed and replaced | `30` |
| `GUNICORN_GRACEFUL_TIMEOUT` | seconds a worker has to finish its request on restart/stop | `30` |
| `GUNICORN_KEEPALIVE` | seconds a keep-alive connection waits for the next request | `5` |
| `GUNICORN_MAX_REQUESTS` | requests a worker serves before it is replaced (0: never) | `10000` |
| `GUNICORN_MAX_REQUESTS_JITTER` | random extra requests: workers restart apart | half the above |
| `GUNICORN_CONTROL_SOCKET` | path of gunicorn's control socket; none unless set | none |

A worker that dies (killed, out of memory) is replaced by the master; the listening socket
stays open, so requests wait in its queue instead of being refused. The application is
loaded in each worker (`preload_app = False`), so every worker opens its own database
connections and a replacement starts clean.
"""

import os

from archive.env import envint


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = f"{os.environ.get('GUNICORN_HOST', '127.0.0.1').strip()}:{envint('PORT', 8000)}"
workers = envint("WEB_CONCURRENCY", 2 * _cores() + 1)
timeout = envint("GUNICORN_TIMEOUT", 30)
graceful_timeout = envint("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = envint("GUNICORN_KEEPALIVE", 5)
max_requests = envint("GUNICORN_MAX_REQUESTS", 10000)
# A wide spread: workers that serve the same steady load reach their limit together unless
# their limits differ by many requests, and replacing all of them at once stalls the server
# (seen under the load test, `manage.py loadtest`).
max_requests_jitter = envint("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 2)
preload_app = False

accesslog = "-"  # stdout
errorlog = "-"  # stderr
capture_output = False

# Heartbeat files in memory where there is /dev/shm (a disk-backed tmp can stall workers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# The control socket (gunicornc) can resize and stop the server: off unless asked for.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip() or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket
