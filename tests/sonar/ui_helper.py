"""Helpers of the admin UI tests: sessions opened directly, the form token, page fragments."""

import json
import re
from html import unescape
from pathlib import Path

from mock_common.db import connect
from mock_sonar import clock, create_app, fixtures
from mock_sonar.accounts import sessions, users
from tests.conftest import fixture_variables

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
PASSWORD = "Str0ng-Passw0rd!"


class Browser:
    """A test client with a signed-in session and the session's form token."""

    def __init__(self, client, xsrf: str):
        self.client, self.xsrf = client, xsrf

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def text(self, path: str) -> str:
        """The HTML of a page that must answer 200."""
        response = self.client.get(path)
        assert response.status_code == 200, (response.status_code, response.headers)
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict | None = None, **kwargs):
        """A form post with the session's token."""
        return self.client.post(path, data={"xsrf_token": self.xsrf, **(data or {})}, **kwargs)


def csrf_token(page: str) -> str:
    """The login form's CSRF token, from the page's HTML."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def open_session(app, client, login: str, *, clear_reset: bool = True) -> Browser:
    """Sign `login` in by creating a session directly (as api/authentication/login does)."""
    db = connect(app.config["DATABASE"])
    try:
        user = users.require_user(db, login)
        if clear_reset:
            db["users"].update(user["uuid"], {"reset_password": 0})
        value, xsrf = sessions.create_session(db, clock.now(db), user["uuid"])
    finally:
        db.conn.close()
    client.set_cookie("JWT-SESSION", value)
    return Browser(client, xsrf)


def seeded_app(tmp_path, devenv_keys: str, **config):
    """An app seeded from the default fixture (SAML configured and enabled, JIT mode)."""
    path = str(tmp_path / "seeded.sqlite3")
    app = create_app({"DATABASE": path, "TESTING": True, **config})
    db = connect(path)
    try:
        fixtures.seed(
            db, clock.now(db), json.loads(FIXTURE.read_text()), fixture_variables(devenv_keys)
        )
    finally:
        db.conn.close()
    return app


def between(page: str, start: str, end: str) -> str:
    """The part of a page between two markers."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def dialog(page: str) -> str:
    """The open modal of a page."""
    return between(page, "<dialog", "</dialog>")


def texts(fragment: str) -> str:
    """A fragment's text, tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def radio(page: str, element_id: str) -> str:
    """The <input> tag with this id."""
    return re.search(rf'<input type="radio" id="{element_id}"[^>]*>', page).group(0)


def button(page: str, label: str) -> str:
    """The first <button …>label</button> tag."""
    return re.search(rf"<button[^>]*>{re.escape(label)}</button>", page).group(0)
