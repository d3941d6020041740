"""Shared fixtures: mock_sonar apps on temporary databases."""

import base64
import os
import shutil

import pytest

# Fewer PBKDF2 rounds for the passwords tests create (each hash records its rounds).
os.environ.setdefault("MOCK_SONAR_PBKDF2_ROUNDS", "1000")

from mock_sonar import create_app, init_db


@pytest.fixture(scope="session")
def sonar_template(tmp_path_factory):
    """A migrated, bootstrapped database, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "sonar.sqlite3"
    init_db(str(path))
    return path


@pytest.fixture
def sonar_app(tmp_path, sonar_template):
    """A mock_sonar app on a fresh database (bootstrap state, Enterprise edition)."""
    database = tmp_path / "sonar.sqlite3"
    shutil.copyfile(sonar_template, database)
    return create_app({"DATABASE": str(database), "TESTING": True, "BASE_URL": "http://sonar.test"})


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
