"""Admin Console test helpers: a seeded org and a test client signed in as the org admin.

Sessions are made directly with web_sessions (the sign-in page is tested on its own); every
POST carries the session's CSRF token, as the console's forms do.
"""

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from mock_okta.config import ORG_ADMIN_LOGIN
from mock_okta.provisioning import engine
from mock_okta.provisioning.handlers import HANDLERS
from mock_okta.security import sessions as web_sessions
from tests.conftest import fixture_variables

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
APP_ID = "0oasonarqubedevenv01"
APP_NAME = "devenvorg_sonarqube_1"
APP_URL = f"/admin/app/{APP_NAME}/instance/{APP_ID}/"
#: Every Admin Console page of the default org, before provisioning is set up.
CONSOLE_PAGES = [
    "/admin/dashboard",
    "/admin/tasks",
    "/admin/users",
    "/admin/user/profile/view/00ualicemartin000001",
    "/admin/groups",
    "/admin/group/00gsonardevelopers01",
    "/admin/groups/rules",
    "/admin/apps/active",
    f"{APP_URL}?tab=general",
    f"{APP_URL}?tab=signon",
    f"{APP_URL}?tab=assignments",
    f"{APP_URL}?tab=assignments&filter=groups",
    f"{APP_URL}?tab=assignments&assign=people",
    f"{APP_URL}scim-requests",
    "/report/system_log_2",
]
#: The app's pages that appear once SCIM provisioning with Push Groups is set up.
PROVISIONING_PAGES = [
    f"{APP_URL}?tab=provisioning&section=integration",
    f"{APP_URL}?tab=provisioning&section=to-app",
    f"{APP_URL}?tab=push-groups",
    f"{APP_URL}?tab=push-groups&push=name",
    f"{APP_URL}?tab=push-groups&push=rule",
]
#: Nothing listens on the discard port: pushes fail at once with "connection refused".
UNREACHABLE = "http://127.0.0.1:9/api/scim/v2"


def sign_in(app: Flask, client: FlaskClient, login: str) -> str:
    """Start a browser session for a user and set its cookie; returns the CSRF token."""
    db = connect(app.config["DATABASE"])
    try:
        user_id = next(db.query("select id from users where login = ?", [login]))["id"]
        value = web_sessions.create_session(db, clock.now(db), user_id)
        session = web_sessions.find_session(db, clock.now(db), value)
    finally:
        db.conn.close()
    client.set_cookie(web_sessions.SESSION_COOKIE, value)
    return session["csrf_token"]


class Console:
    """A test client signed in as the org admin; `post` adds the CSRF token."""

    def __init__(self, app: Flask, client: FlaskClient, csrf: str):
        self.app, self.client, self.csrf = app, client, csrf

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | list | None = None, **kwargs):
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        form = MultiDict([*pairs, ("csrf_token", self.csrf)])
        return self.client.post(path, data=form, **kwargs)

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, response.data[:2000]
        return response.get_data(as_text=True)

    def db(self):
        return connect(self.app.config["DATABASE"])

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        db = self.db()
        try:
            return [dict(row) for row in db.query(sql, params or [])]
        finally:
            db.conn.close()

    def deliver(self) -> None:
        """Run the provisioning queue by hand (the app's worker is off in these tests)."""
        db = self.db()
        try:
            while engine.process_next(db, HANDLERS):
                pass
        finally:
            db.conn.close()

    def enable_scim(
        self,
        base_url: str = UNREACHABLE,
        actions=("PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"),
    ):
        """General > SCIM > Save, then the SCIM Connection form > Save."""
        assert self.post(f"{APP_URL}general", {"provisioning": "SCIM"}).status_code == 302
        form = [
            ("baseUrl", base_url),
            ("uniqueIdentifierField", "userName"),
            ("authMode", "HTTP_HEADER"),
            ("token", "squ_test"),
            *(("actions", action) for action in actions),
        ]
        response = self.post(f"{APP_URL}provisioning/integration", form)
        assert response.status_code == 302, response.data[:2000]


def seed(app: Flask, devenv_keys: str) -> None:
    """The default fixture (SPEC §3) in the app's database."""
    db = connect(app.config["DATABASE"])
    try:
        fixtures.seed(
            db, clock.now(db), json.loads(FIXTURE.read_text()), fixture_variables(devenv_keys)
        )
    finally:
        db.conn.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, okta_template, devenv_keys) -> Path:
    """The default org, seeded once and copied for each test."""
    path = tmp_path_factory.mktemp("console") / "okta.sqlite3"
    shutil.copyfile(okta_template, path)
    db = connect(path)
    try:
        fixtures.seed(
            db, clock.now(db), json.loads(FIXTURE.read_text()), fixture_variables(devenv_keys)
        )
    finally:
        db.conn.close()
    return path


@pytest.fixture(name="console")
def console_fixture(okta_app, seeded_template) -> Console:
    """The default org, and a client signed in as admin@example.com."""
    shutil.copyfile(seeded_template, okta_app.config["DATABASE"])
    client = okta_app.test_client()
    return Console(okta_app, client, sign_in(okta_app, client, ORG_ADMIN_LOGIN))


def next_page(html: str) -> str | None:
    """Where a paged console list's "Next page" goes, or None on the last page."""
    found = re.search(r'rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def user_ids(html: str) -> list[str]:
    """The people of a page's table, in order (their rows' `data-user-id`)."""
    return re.findall(r'<tr data-user-id="([^"]+)"', html)


def people_pages(console, url: str) -> list[list[str]]:
    """The people on each page of a paged list, following "Next page" to the end."""
    pages = []
    while url:
        html = console.text(url)
        pages.append(user_ids(html))
        url = next_page(html)
    return pages


def visible_text(html: str) -> str:
    """The page's text without tags, whitespace collapsed (to assert on labels)."""
    text = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", unescape(text))
