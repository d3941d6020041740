"""Web plumbing both apps share: one database connection per request (flaskr's `db.py`), and
the Host names the app answers to.

The connection opens on first use in a request, lives in `g` and closes on teardown; the
app's `DATABASE` setting names the SQLite file.
"""

import os
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g
from sqlite_utils import Database
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from .db import connect


def get_db() -> Database:
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    """Teardown: close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


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


def init_app(app: Flask) -> None:
    """Close each request's connection when the request ends; answer only to trusted Host
    names."""
    app.teardown_appcontext(close_db)
    app.config.setdefault("ALLOWED_HOSTS", "")
    app.wsgi_app = TrustedHostsOnly(app)
