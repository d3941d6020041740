"""Serving an app over HTTP with waitress, a production WSGI server: a pool of worker threads
(each keeps its database connection, `mock_common.web`), HTTP/1.1 keep-alive, and no
"development server" banner.

waitress was chosen over werkzeug's development server and gunicorn by measurement (README,
Performance): on Okta's SCIM request mix over one keep-alive session the do-nothing floor app
served 760 req/s with waitress, 743 with gunicorn (gthread, 8 threads) and 426 with werkzeug.
gunicorn forks worker processes, which would each need their own provisioning worker; waitress
runs in the app's process, in a thread when a test wants it.
"""

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

#: Requests served at once; a request beyond that waits for a free thread.
THREADS = 8
#: How long the serving loop waits for sockets before it looks whether it was asked to stop
#: (seconds); `stop()` also wakes it at once.
_POLL_SECONDS = 0.05

access_log = logging.getLogger("mock_common.access")


def _make_server(app: Callable, host: str, port: int) -> BaseWSGIServer:
    # ident="": no Server header (werkzeug's advertised itself; neither vendor's does here).
    return create_server(app, host=host, port=port, threads=THREADS, ident="")


class ServedApp:
    """An app served by waitress on its own loop, stoppable from any thread."""

    def __init__(self, app: Callable, host: str, port: int) -> None:
        self._server = _make_server(app, host, port)
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The port bound (useful when 0 asked for a free one)."""
        return int(self._server.effective_port)

    def serve_until_stopped(self) -> None:
        """Answer requests until `stop()`; then finish the running ones and close."""
        socket_map = self._server._map  # waitress keeps its sockets there
        try:
            while not self._stopping.is_set() and socket_map:
                wasyncore.poll2(_POLL_SECONDS, socket_map)
        finally:
            self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            wasyncore.close_all(socket_map)

    def stop(self) -> None:
        """Ask the loop to stop, and wake it: it stops now, not at its next poll."""
        self._stopping.set()
        # waitress's own wake-up, safe from any thread; OSError: the loop already closed it.
        with suppress(OSError):
            self._server.pull_trigger()


@contextmanager
def served_in_thread(app: Callable, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the app from a background thread (port 0: a free one); yields its base URL and
    stops it, its threads and its database connections on exit."""
    served = ServedApp(app, host, port)
    thread = threading.Thread(target=served.serve_until_stopped, name="http", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{served.port}"
    finally:
        served.stop()
        thread.join(timeout=10)
        _close_connections(app)


def serve_in_foreground(app: Flask, host: str, port: int) -> None:
    """`serve`: the app with an access log on stderr until SIGTERM or Ctrl-C, then a clean
    exit: requests in flight finish, connections close."""
    served = ServedApp(AccessLog(app.wsgi_app), host, port)
    print(f"Serving on http://{host}:{served.port}", file=sys.stderr, flush=True)

    def stop(_signal: int, _frame: object) -> None:
        served.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    served.serve_until_stopped()
    _close_connections(app)


def _close_connections(app: Callable) -> None:
    connections = getattr(app, "extensions", {}).get("devenv_connections")
    if connections is not None:
        connections.close_all()


class AccessLog:
    """WSGI middleware: one Common Log Format line per request on the `mock_common.access`
    logger (what `devenv.sh logs` shows)."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        status_line: list[str] = []
        length: list[str] = []

        def recording_start_response(status: str, headers: list, *args: object) -> Callable:
            status_line[:] = [status.split(" ", 1)[0]]
            length[:] = [v for k, v in headers if k.lower() == "content-length"] or ["-"]
            return start_response(status, headers, *args)

        result = self.wsgi_app(environ, recording_start_response)
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path = f"{path}?{environ['QUERY_STRING']}"
        access_log.info(
            '%s - - [%s] "%s %s %s" %s %s',
            environ.get("REMOTE_ADDR", "-"),
            time.strftime("%d/%b/%Y:%H:%M:%S %z"),
            environ.get("REQUEST_METHOD", "-"),
            path,
            environ.get("SERVER_PROTOCOL", "-"),
            (status_line or ["-"])[0],
            (length or ["-"])[0],
        )
        return result


def log_to_stderr() -> None:
    """The access log and the apps' own logs, on stderr (the log files `devenv.sh` keeps)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
