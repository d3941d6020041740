"""Fixtures for mock_okta: a live org on a free port, driven by the official okta SDK."""

import asyncio
import os
import shutil

import pytest

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")
# The SDK refuses plain-http org URLs unless this testing flag is set (reference §5.2).
os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

from okta.client import Client

from mock_okta import create_app, init_db
from mock_okta.config import DEFAULT_API_TOKEN
from okta_sonar_devenv.live import live_server


@pytest.fixture(scope="session")
def okta_template(tmp_path_factory):
    """A migrated, bootstrapped org database, made once and copied for each test."""
    path = tmp_path_factory.mktemp("okta-template") / "okta.sqlite3"
    init_db(str(path))
    return path


@pytest.fixture
def okta_app(tmp_path, okta_template, devenv_keys):
    """A mock_okta app on a fresh org."""
    database = tmp_path / "okta.sqlite3"
    shutil.copyfile(okta_template, database)
    return create_app(
        {
            "DATABASE": str(database),
            "TESTING": True,
            "BASE_URL": "http://okta.test",
            "KEYS_DIR": devenv_keys,
        }
    )


@pytest.fixture
def okta(okta_app):
    """A Flask test client for mock_okta (Werkzeug, no network)."""
    return okta_app.test_client()


@pytest.fixture
def okta_url(okta_app):
    """mock_okta served on a free loopback port; its BASE_URL follows the port."""
    with live_server(okta_app) as url:
        okta_app.config["BASE_URL"] = url
        yield url


@pytest.fixture
def sdk(okta_url):
    """Run one official-SDK call: `sdk(lambda c: c.get_user(uid))` -> (result, resp, err)."""

    def call(make_coroutine):
        async def run():
            client = Client({"orgUrl": okta_url, "token": DEFAULT_API_TOKEN})
            return await make_coroutine(client)

        return asyncio.run(run())

    return call
