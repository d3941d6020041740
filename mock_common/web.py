"""Web plumbing both apps share: the database connection a request uses, and the Host names
the app answers to.

A pool keeps connections open from request to request (opening one costs more than most
requests' queries); a request borrows one in `g` on first use and hands it back on teardown,
with any transaction it left open rolled back, so nothing carries over. The app's `DATABASE`
setting names the SQLite file.
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


class ConnectionPool:
    """Idle connections per database file, lent to one request at a time and kept open
    between requests until `close_all()` (an app that stops serving).

    The most recently returned connection is lent first. SQLite empties a connection's page
    cache whenever another connection has written since its last read, so under the usual
    load (one client, one request at a time) every request gets the connection that made
    the last write, its cache still warm; concurrent requests each get their own.
    """

    def __init__(self) -> None:
        self._idle: dict[str, list[Database]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # moved on by close_all(): connections lent before it are closed
        self._lent: dict[int, int] = {}  # id(connection) -> generation it was lent in
        # Weak: a connection dropped without being returned must be free to go.
        self._opened: weakref.WeakSet[Database] = weakref.WeakSet()

    def acquire(self, path: str) -> Database:
        """A connection to `path` that no one else holds until `release()`."""
        with self._lock:
            idle = self._idle.get(path)
            db = idle.pop() if idle else None
            generation = self._generation
        if db is None:
            db = connect(path)  # outside the lock: opening waits on the file
            with self._lock:
                self._opened.add(db)
        with self._lock:
            self._lent[id(db)] = generation
        return db

    def release(self, path: str, db: Database) -> None:
        """Take a connection back clean: a transaction left open is rolled back. One lent
        before `close_all()` is closed instead."""
        with self._lock:
            current = self._lent.pop(id(db), None) == self._generation
        if not current:
            db.conn.close()
            return
        if db.conn.in_transaction:
            db.conn.atomic_depth = 0  # type: ignore[attr-defined]
            db.conn.rollback()
        with self._lock:
            self._idle.setdefault(path, []).append(db)

    def close_all(self) -> None:
        """Close every connection the pool opened (call once no request is running)."""
        with self._lock:
            opened, self._opened = list(self._opened), weakref.WeakSet()
            self._idle, self._generation = {}, self._generation + 1
        for db in opened:
            db.conn.close()


def get_db() -> Database:
    """The request's connection, borrowed from the app's pool on first use."""
    if "db" not in g:
        pool: ConnectionPool = current_app.extensions["devenv_connections"]
        g.db = pool.acquire(current_app.config["DATABASE"])
        g.db_path = current_app.config["DATABASE"]
    return g.db


def release_db(_error: BaseException | None = None) -> None:
    """Teardown: hand the request's connection back to the pool."""
    db = g.pop("db", None)
    if db is not None:
        current_app.extensions["devenv_connections"].release(g.pop("db_path"), db)


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
    """Lend requests a pooled connection and take it back when they end; answer only to
    trusted Host names."""
    app.extensions["devenv_connections"] = ConnectionPool()
    app.teardown_appcontext(release_db)
    app.config.setdefault("ALLOWED_HOSTS", "")
    app.wsgi_app = RequestTargetLimit(TrustedHostsOnly(app))
