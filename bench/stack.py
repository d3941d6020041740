"""Both apps as real processes on free loopback ports, for benchmarks that kill and restart them.

`Stack` seeds the default fixture into fresh databases, starts `mock-sonar serve` and
`mock-okta serve` (whose provisioning worker then runs), switches SCIM on in SonarQube and
points Okta's SonarQube app at it, as the guide does. `kill_okta()` is a kill -9;
`start_okta()` brings it back on the same port and database.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests
from guide_steps import provision_app_to

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_common import clock  # noqa: E402
from mock_common.db import connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_okta import init_db as init_okta  # noqa: E402
from mock_okta.config import DEFAULT_API_TOKEN  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from mock_sonar import init_db as init_sonar  # noqa: E402

APP = "0oasonarqubedevenv01"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """mock_sonar and mock_okta as processes, seeded with the default fixture."""

    def __init__(self, home: str, *, okta: bool = True, okta_env: dict[str, str] | None = None):
        self.home = Path(home)
        self.with_okta, self.okta_env = okta, okta_env or {}
        self.okta_port, self.sonar_port = free_port(), free_port()
        self.okta_url = f"http://127.0.0.1:{self.okta_port}"
        self.sonar_url = f"http://127.0.0.1:{self.sonar_port}"
        self.okta_db, self.sonar_db = (
            str(self.home / "okta.sqlite3"),
            str(self.home / "sonar.sqlite3"),
        )
        self.processes: dict[str, subprocess.Popen] = {}
        self.okta = requests.Session()
        self.okta.headers["Authorization"] = f"SSWS {DEFAULT_API_TOKEN}"
        self.sonar = requests.Session()
        self.sonar.auth = ("admin", "admin")
        self.scim_token = ""

    # -- processes ---------------------------------------------------------------------

    def seed(self) -> None:
        fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
        variables = {
            "SONAR_URL": self.sonar_url,
            "OKTA_URL": self.okta_url,
            "DEVENV_KEYS": str(self.home / "keys"),
        }
        for init, module, path in (
            (init_okta, okta_fixtures, self.okta_db),
            (init_sonar, sonar_fixtures, self.sonar_db),
        ):
            init(path)
            db = connect(path)
            module.seed(db, clock.now(db), fixture, variables)
            db.conn.close()

    def _start(self, name: str, port: int, db: str, extra_env: dict[str, str]) -> None:
        log = open(self.home / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        env = {
            **os.environ,
            "DEVENV_HOME": str(self.home),
            "DEVENV_KEYS": str(self.home / "keys"),
            **extra_env,
        }
        self.processes[name] = subprocess.Popen(
            [
                str(BIN / f"mock-{name}"),
                "serve",
                "--port",
                str(port),
                "--db",
                db,
                "--base-url",
                f"http://127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(f"{url}/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"mock-{name} did not start; see {self.home / f'{name}.log'}")

    def start_sonar(self) -> None:
        self._start("sonar", self.sonar_port, self.sonar_db, {})

    def start_okta(self) -> None:
        self._start("okta", self.okta_port, self.okta_db, self.okta_env)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=10)

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def __enter__(self) -> "Stack":
        self.seed()
        self.start_sonar()
        self.sonar.post(f"{self.sonar_url}/api/scim_management/enable").raise_for_status()
        self.scim_token = self.sonar.post(
            f"{self.sonar_url}/api/user_tokens/generate", data={"name": "okta"}
        ).json()["token"]
        if self.with_okta:
            self.start_okta()
            self.connect_app(APP)
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    # -- the guide's setup -------------------------------------------------------------

    def connect_app(self, app_id: str, base_url: str | None = None) -> None:
        """SCIM on for an app of Okta, pushing users (create, update, deactivate)."""
        scim_url = base_url or f"{self.sonar_url}/api/scim/v2"
        provision_app_to(self.okta, self.okta_url, app_id, scim_url, self.scim_token)

    def call(self, api: str, method: str, path: str, **kwargs) -> requests.Response:
        """A request to one of the APIs with the admin credential it takes."""
        if api.startswith("okta"):
            return self.okta.request(method, f"{self.okta_url}{path}", timeout=60, **kwargs)
        if "SCIM" in api:
            headers = {"Authorization": f"Bearer {self.scim_token}", **kwargs.pop("headers", {})}
            return requests.request(
                method, f"{self.sonar_url}{path}", headers=headers, timeout=60, **kwargs
            )
        return self.sonar.request(method, f"{self.sonar_url}{path}", timeout=60, **kwargs)

    # -- Okta --------------------------------------------------------------------------

    def create_users(self, count: int, prefix: str = "bench") -> dict[str, str]:
        """`count` active users; their ids and logins."""
        users = {}
        for i in range(count):
            login = f"{prefix}{i}@example.com"
            profile = {"login": login, "email": login, "firstName": "Bench", "lastName": str(i)}
            response = self.okta.post(f"{self.okta_url}/api/v1/users", json={"profile": profile})
            response.raise_for_status()
            users[response.json()["id"]] = login
        return users

    def assign(self, user_ids: list[str], app_id: str = APP) -> None:
        for user_id in user_ids:
            self.okta.post(
                f"{self.okta_url}/api/v1/apps/{app_id}/users", json={"id": user_id, "scope": "USER"}
            ).raise_for_status()

    def wait_idle(self, timeout: float = 600) -> bool:
        response = self.okta.post(
            f"{self.okta_url}/_mock/provisioning/wait",
            json={"timeoutSeconds": timeout},
            timeout=timeout + 10,
        )
        return response.status_code == 200

    def retry_failed_tasks(self, rounds: int = 5) -> int:
        """Retry open tasks as an admin would in Dashboard > Tasks; returns how many were."""
        retried = 0
        for _ in range(rounds):
            tasks = self.okta.get(f"{self.okta_url}/_mock/tasks").json()
            if not tasks:
                break
            for task in tasks:
                self.okta.post(f"{self.okta_url}/_mock/tasks/{task['id']}/retry")
                retried += 1
            self.wait_idle()
        return retried

    def app_users(self, app_id: str = APP) -> list[dict]:
        users, url = [], f"{self.okta_url}/api/v1/apps/{app_id}/users?limit=500"
        while url:
            response = self.okta.get(url)
            users += response.json()
            url = response.links.get("next", {}).get("url")
        return users

    def wire_log(self, app_id: str = APP) -> list[dict]:
        return self.okta.get(
            f"{self.okta_url}/_mock/apps/{app_id}/scim-requests", params={"limit": 100000}
        ).json()

    # -- SonarQube ---------------------------------------------------------------------

    def scim_users(self) -> list[dict]:
        """Every SCIM user SonarQube holds."""
        headers = {"Authorization": f"Bearer {self.scim_token}"}
        users, start = [], 1
        while True:
            page = requests.get(
                f"{self.sonar_url}/api/scim/v2/Users",
                params={"startIndex": start, "count": 100},
                headers=headers,
                timeout=30,
            ).json()
            users += page.get("Resources", [])
            start += 100
            if start > page["totalResults"]:
                return users


def convergence(stack: Stack, users: dict[str, str]) -> dict[str, int]:
    """How the assigned users ended up: in SonarQube and linked in Okta, lost, duplicated."""
    scim = stack.scim_users()
    by_name: dict[str, list[dict]] = {}
    for user in scim:
        by_name.setdefault(user["userName"].lower(), []).append(user)
    linked = {u["id"]: u for u in stack.app_users()}
    converged = lost = 0
    for user_id, login in users.items():
        app_user = linked.get(user_id)
        present = [u for u in by_name.get(login.lower(), []) if u.get("active")]
        if present and app_user and app_user.get("externalId") == present[0]["id"]:
            converged += 1
        elif not present:
            lost += 1
    # The whole wire log, from Okta's database (the API returns the last 1,000 only).
    db = sqlite3.connect(f"file:{stack.okta_db}?mode=ro", uri=True)
    created: dict[str, int] = {}
    for (body,) in db.execute(
        "select request_body from scim_requests where method = 'POST' and status = 201 "
        "and url like '%/Users'"
    ):
        name = json.loads(body or "{}").get("userName", "").lower()
        created[name] = created.get(name, 0) + 1
    db.close()
    return {
        "total": len(users),
        "converged": converged,
        "lost": lost,
        "duplicates": sum(len(v) - 1 for v in by_name.values() if len(v) > 1)
        + sum(n - 1 for n in created.values() if n > 1),
    }
