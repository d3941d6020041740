"""Web plumbing both apps share: the database connection a request uses, and the Host names
the app answers to.

Each server thread keeps one connection per database file and reuses it from request to
request (opening one costs more than most requests' queries); a request gets it in `g` on
first use, and on teardown a transaction the request left open is rolled back, so nothing
carries over. The app's `DATABASE` setting names the SQLite file.
"""

import os
import threading
import weakref
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g
from sqlite_utils import Database
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from .db import connect


class ThreadConnections:
    """One connection per thread and database file, opened on first use and kept until the
    thread ends or `close_all()` (an app that stops serving)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._generation = 0  # moved on by close_all(): threads then open new connections
        self._lock = threading.Lock()
        # Weak: a connection whose thread has ended must be free to go.
        self._opened: weakref.WeakSet[Database] = weakref.WeakSet()

    def get(self, path: str) -> Database:
        """This thread's connection to `path`."""
        if getattr(self._local, "generation", None) != self._generation:
            self._local.generation, self._local.connections = self._generation, {}
        connections = self._local.connections
        if path not in connections:
            connections[path] = connect(path)
            with self._lock:
                self._opened.add(connections[path])
        return connections[path]

    def close_all(self) -> None:
        """Close every connection any thread opened (call once no request is running)."""
        with self._lock:
            opened, self._opened = list(self._opened), weakref.WeakSet()
            self._generation += 1
        for db in opened:
            db.conn.close()


def get_db() -> Database:
    """The request's connection: the serving thread's, taken on first use."""
    if "db" not in g:
        connections: ThreadConnections = current_app.extensions["devenv_connections"]
        g.db = connections.get(current_app.config["DATABASE"])
    return g.db


def release_db(_error: BaseException | None = None) -> None:
    """Teardown: hand the connection back clean (a transaction left open is rolled back)."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.atomic_depth = 0  # type: ignore[attr-defined]
        db.conn.rollback()


#: Names every loopback request may carry as its Host (IPv6 literals are not matched by
#: werkzeug's host check; the apps bind to 127.0.0.1).
LOOPBACK_HOSTS = ("localhost", ".localhost", "127.0.0.1")
#: The knob for more Host names: comma-separated, `.example.com` takes subdomains, `*` any host.
ALLOWED_HOSTS_ENV = "DEVENV_ALLOWED_HOSTS"


def allowed_hosts_from_env() -> str:
    """The `ALLOWED_HOSTS` setting's default: the environment knob, empty when unset."""
    return os.environ.get(ALLOWED_HOSTS_ENV, "")


def trusted_hosts(base_url: str, allowed: str) -> list[str] | None:
    """The Host names the app answers to: its public host, the loopback names and the
    `allowed` ones; None (every host) when `allowed` holds `*`."""
    extra = [name.strip() for name in allowed.split(",") if name.strip()]
    if "*" in extra:
        return None
    public = urlsplit(base_url).hostname
    return [*([public] if public else []), *LOOPBACK_HOSTS, *extra]


class TrustedHostsOnly:
    """WSGI middleware: a request whose Host is not trusted gets a plain 400 before the app
    sees it, so a web page cannot reach the app through DNS rebinding. The names are read
    from the app's config on each request (`BASE_URL`, `ALLOWED_HOSTS`): tests move
    `BASE_URL` once their server has a port."""

    def __init__(self, app: Flask):
        self.app, self.wsgi_app = app, app.wsgi_app

    def __call__(self, environ: dict, start_response):
        hosts = trusted_hosts(self.app.config["BASE_URL"], self.app.config["ALLOWED_HOSTS"])
        try:
            get_host(environ, trusted_hosts=hosts)
        except SecurityError:
            host = environ.get("HTTP_HOST", "")
            message = (
                f"Host {host!r} is not allowed: this simulator answers to "
                f"{', '.join(hosts or [])}. Set {ALLOWED_HOSTS_ENV} to allow more.\n"
            )
            return Response(message, status=400, mimetype="text/plain")(environ, start_response)
        return self.wsgi_app(environ, start_response)


#: The longest request target (path and query) either app reads. Real front ends refuse longer
#: ones before the application sees them (nginx: 414 beyond its 8 KB header buffers; Tomcat:
#: 400 beyond `maxHttpHeaderSize`). Guess: neither vendor publishes its limit; 16 KB holds any
#: request a client of the real services sends (SAML redirect bindings, long filters).
MAX_REQUEST_TARGET = 16 * 1024


class RequestTargetLimit:
    """WSGI middleware: a request target over `MAX_REQUEST_TARGET` gets a plain 414 before the
    app sees it (the app would otherwise echo it into headers such as Okta's `Link`)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response):
        target = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
        if target > MAX_REQUEST_TARGET:
            message = f"Request-URI Too Long: at most {MAX_REQUEST_TARGET} characters.\n"
            return Response(message, status=414, mimetype="text/plain")(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Give requests their thread's connection and release it when they end; answer only to
    trusted Host names."""
    app.extensions["devenv_connections"] = ThreadConnections()
    app.teardown_appcontext(release_db)
    app.config.setdefault("ALLOWED_HOSTS", "")
    app.wsgi_app = RequestTargetLimit(TrustedHostsOnly(app))
