"""Both apps live on free loopback ports, real HTTP between them (Okta pushes SCIM to Sonar):
`live_world` starts them from a fixture file, `World` drives the guide's steps."""

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

import requests

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")
os.environ.setdefault("MOCK_SONAR_PBKDF2_ROUNDS", "1000")

import mock_okta
import mock_sonar
from mock_common import clock
from mock_common.db import connect
from mock_common.fixture_files import load_fixture
from mock_okta import fixtures as okta_fixtures
from mock_okta.config import DEFAULT_API_TOKEN
from mock_okta.provisioning.worker import start_worker
from mock_sonar import fixtures as sonar_fixtures
from okta_sonar_devenv.live import live_server
from tests.conftest import fixture_variables

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = FIXTURES / "default.json"
SONARQUBE_APP = "0oasonarqubedevenv01"
SSWS = {"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}


class World:
    """Both apps, seeded from a fixture, with helpers for the guide's steps."""

    def __init__(self, okta_url: str, sonar_url: str, okta_app, sonar_app):
        self.okta_url, self.sonar_url = okta_url, sonar_url
        self.okta_app, self.sonar_app = okta_app, sonar_app
        self.okta = requests.Session()
        self.okta.headers.update(SSWS)
        self.sonar = requests.Session()
        self.sonar.auth = ("admin", "admin")

    def close(self) -> None:
        self.okta.close()
        self.sonar.close()

    # --- SonarQube side: "Configuring SonarQube Server" and Step 1 of "Configuring Okta"
    def enable_scim_and_make_token(self) -> str:
        """SCIM on in SonarQube, and a user token of the local admin (guide Step 1)."""
        self.sonar.post(f"{self.sonar_url}/api/scim_management/enable").raise_for_status()
        response = self.sonar.post(
            f"{self.sonar_url}/api/user_tokens/generate", data={"name": "okta-scim"}
        )
        response.raise_for_status()
        return response.json()["token"]

    # --- Okta side: Steps 2-10
    def configure_provisioning(
        self,
        token: str,
        *,
        dialect: str = "CUSTOM_APP",
        actions=("PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"),
    ) -> dict:
        """Enable SCIM provisioning and fill the SCIM Connection form (Steps 2-5)."""
        response = self.okta.put(
            f"{self.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning",
            json={
                "enabled": True,
                "baseUrl": f"{self.sonar_url}/api/scim/v2",
                "uniqueIdentifierField": "userName",
                "actions": list(actions),
                "authMode": "HTTP_HEADER",
                "token": token,
                "dialect": dialect,
            },
        )
        response.raise_for_status()
        return response.json()

    def enable_to_app(self, *, create=True, update=True, deactivate=True) -> dict:
        """Provisioning > To App: Create Users, Update User Attributes, Deactivate Users."""

        def status(flag):
            return {"status": "ENABLED" if flag else "DISABLED"}

        response = self.okta.put(
            f"{self.okta_url}/api/v1/apps/{SONARQUBE_APP}/features/USER_PROVISIONING",
            json={
                "create": {"lifecycleCreate": status(create)},
                "update": {"lifecycleDeactivate": status(deactivate), "profile": status(update)},
            },
        )
        response.raise_for_status()
        return response.json()

    def wait(self, timeout: float = 20) -> None:
        """Until Okta's push queue is idle."""
        response = self.okta.post(
            f"{self.okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": timeout}
        )
        assert response.status_code == 200, response.text

    def wire(self) -> list[dict]:
        """Every SCIM request Okta sent to SonarQube, oldest first."""
        response = self.okta.get(
            f"{self.okta_url}/_mock/apps/{SONARQUBE_APP}/scim-requests?limit=1000"
        )
        response.raise_for_status()
        return response.json()

    def sonar_user(self, external_identity: str, *, deactivated: bool = False) -> dict | None:
        """The SonarQube user as api/users/search shows it."""
        params = {"ps": 500, **({"deactivated": "true"} if deactivated else {})}
        users = self.sonar.get(f"{self.sonar_url}/api/users/search", params=params).json()
        found = [u for u in users["users"] if u.get("externalIdentity") == external_identity]
        return found[0] if found else None

    def sonar_group(self, name: str) -> dict | None:
        """The SonarQube group as api/user_groups/search shows it."""
        groups = self.sonar.get(
            f"{self.sonar_url}/api/user_groups/search", params={"ps": 500}
        ).json()["groups"]
        found = [g for g in groups if g["name"] == name]
        return found[0] if found else None


@cache
def _new_database(app_module: ModuleType) -> Path:
    """A new database of the app, migrated and bootstrapped once per process: each world
    starts from a copy (~1 ms) instead of migrating its own (~30-70 ms)."""
    folder = Path(tempfile.mkdtemp(prefix="world-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "new.sqlite3"
    app_module.init_db(str(path))
    return path


@contextmanager
def live_world(tmp_path: Path, devenv_keys: str, fixture_path: Path) -> Iterator[World]:
    """Both apps live, seeded from a fixture file (its `extends` resolved) as `seed` does.

    SonarQube is seeded first: Okta's worker delivers what Okta's seed enqueues at once.
    """
    okta_db, sonar_db = str(tmp_path / "okta.sqlite3"), str(tmp_path / "sonar.sqlite3")
    shutil.copyfile(_new_database(mock_okta), okta_db)
    shutil.copyfile(_new_database(mock_sonar), sonar_db)
    okta_app = mock_okta.create_app({"DATABASE": okta_db, "TESTING": True})
    sonar_app = mock_sonar.create_app({"DATABASE": sonar_db, "TESTING": True})
    with live_server(sonar_app) as sonar_url, live_server(okta_app) as okta_url:
        okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
        fixture = load_fixture(fixture_path)
        variables = fixture_variables(devenv_keys, sonar_url=sonar_url, okta_url=okta_url)
        for module, path in ((sonar_fixtures, sonar_db), (okta_fixtures, okta_db)):
            db = connect(path)
            module.seed(db, clock.now(db), fixture, variables)
            db.conn.close()
        state = World(okta_url, sonar_url, okta_app, sonar_app)
        worker = start_worker(okta_app)
        try:
            yield state
        finally:
            state.close()
            worker.stop()
