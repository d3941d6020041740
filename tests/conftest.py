"""Shared fixtures: mock_sonar apps on temporary databases."""

import base64

import pytest

from mock_sonar import create_app


@pytest.fixture
def sonar_app(tmp_path):
    """A mock_sonar app on a fresh database (bootstrap state, Enterprise edition)."""
    return create_app(
        {
            "DATABASE": str(tmp_path / "sonar.sqlite3"),
            "TESTING": True,
            "BASE_URL": "http://sonar.test",
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
