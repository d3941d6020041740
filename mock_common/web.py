"""Web plumbing both apps share: one database connection per request (flaskr's `db.py`).

The connection opens on first use in a request, lives in `g` and closes on teardown; the
app's `DATABASE` setting names the SQLite file.
"""

from flask import Flask, current_app, g
from sqlite_utils import Database

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


def init_app(app: Flask) -> None:
    """Close each request's connection when the request ends."""
    app.teardown_appcontext(close_db)
