"""Shared fixtures: mock_sonar apps on temporary databases."""

import base64
import gc
import os
import shutil
from datetime import UTC, datetime

import pytest

# Fewer PBKDF2 rounds for the passwords tests create (each hash records its rounds).
os.environ.setdefault("MOCK_SONAR_PBKDF2_ROUNDS", "1000")

from mock_common import keys
from mock_okta.applications import signing_keys
from mock_sonar import create_app, init_db

#: The IdP key file the default fixture shares between mock_okta and mock_sonar.
OKTA_IDP_KEY_FILE = "okta-sonarqube-idp.pem"


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    """What collection imports and builds (the okta SDK's models, the fuzz documents, every
    test function) lives until the end of the run, so the cyclic collector has nothing to
    find in it: it is off while collecting, then that heap is frozen out of its full passes.
    Left in, it was scanned again by each of them: a quarter of a worker's time went there."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()


@pytest.fixture(scope="session")
def sonar_template(tmp_path_factory):
    """A migrated, bootstrapped database, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "sonar.sqlite3"
    init_db(str(path))
    return path


@pytest.fixture(scope="session")
def devenv_keys(tmp_path_factory) -> str:
    """The folder the default fixture calls ${DEVENV_KEYS}, with the Okta app's IdP key made
    (as mock_okta's seed makes it), so either app can be seeded alone."""
    folder = tmp_path_factory.mktemp("keys")
    keys.load_or_create_key_pair(
        folder / OKTA_IDP_KEY_FILE,
        lambda: signing_keys.new_key_pair("devenvorg", datetime.now(UTC)),
    )
    return str(folder)


def fixture_variables(devenv_keys: str, **urls: str) -> dict[str, str]:
    """${...} values for the default fixture; SONAR_URL/OKTA_URL default to the SPEC ports."""
    return {
        "SONAR_URL": urls.get("sonar_url", "http://localhost:9000"),
        "OKTA_URL": urls.get("okta_url", "http://localhost:8080"),
        "DEVENV_KEYS": devenv_keys,
    }


@pytest.fixture
def sonar_app(tmp_path, sonar_template, devenv_keys):
    """A mock_sonar app on a fresh database (bootstrap state, Enterprise edition)."""
    database = tmp_path / "sonar.sqlite3"
    shutil.copyfile(sonar_template, database)
    return create_app(
        {
            "DATABASE": str(database),
            "TESTING": True,
            "BASE_URL": "http://sonar.test",
            "KEYS_DIR": devenv_keys,
        }
    )


@pytest.fixture
def sonar(sonar_app):
    """A test client for mock_sonar."""
    return sonar_app.test_client()


def basic(login: str, password: str = "") -> dict[str, str]:
    """An Authorization header for Basic login:password (empty password: token as login)."""
    raw = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for a Bearer token."""
    return {"Authorization": f"Bearer {token}"}


ADMIN = basic("admin", "admin")


@pytest.fixture
def admin_token(sonar) -> str:
    """A fresh USER_TOKEN of the bootstrap admin."""
    response = sonar.post("/api/user_tokens/generate", data={"name": "tests"}, headers=ADMIN)
    assert response.status_code == 200, response.data
    return response.get_json()["token"]
