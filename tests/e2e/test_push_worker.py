"""The delivery worker live: apps delivered independently, the wire log of requests in flight.

A slow or hung SCIM server holds back only its own app (each app has its own lane), an app's
events still go out one at a time in order, and a request shows in the SCIM requests log from
the moment it is sent, also when Okta is killed before the answer comes.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from mock_common import clock
from mock_common.db import connect
from mock_common.fixture_files import load_fixture
from mock_okta import fixtures as okta_fixtures
from mock_okta import init_db
from mock_okta.provisioning.wire_log import CUT_OFF
from okta_sonar_devenv import start_devenv
from tests.conftest import fixture_variables
from tests.e2e.scim_target import HeldScimTarget, held_scim_target
from tests.e2e.world import FIXTURE, SONARQUBE_APP, SSWS

ROOT = Path(__file__).resolve().parents[2]
ALICE, ALICE_LOGIN = "00ualicemartin000001", "alice.martin@example.com"
BOB, BOB_LOGIN = "00ubobnguyen00000002", "bob.nguyen@example.com"
FRANK, FRANK_LOGIN = "00ufrankosei00000006", "frank.osei@example.com"
#: Generous: only an outright hang (the bug these tests guard against) should reach it.
PATIENCE = 20


def lookup(login: str) -> tuple[str, str]:
    """Okta's userName lookup as the SCIM requests log shows it (relative to the base URL)."""
    value = quote(f'userName eq "{login}"', safe="")
    return ("GET", f"/Users?filter={value}&startIndex=1&count=100")


def until(condition, what: str, timeout: float = PATIENCE):
    """Poll until `condition()` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def ok(response: requests.Response) -> requests.Response:
    assert response.status_code < 300, response.text
    return response


def connect_app(http: requests.Session, okta_url: str, app_id: str, base_url: str) -> None:
    """SCIM provisioning on for the app, to `base_url`, with Create and Update Users."""
    ok(
        http.put(
            f"{okta_url}/_mock/apps/{app_id}/provisioning",
            json={
                "enabled": True,
                "baseUrl": base_url,
                "uniqueIdentifierField": "userName",
                "actions": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES"],
                "authMode": "HTTP_HEADER",
                "token": "wiki-secret-token",
            },
        )
    )
    enabled = {"status": "ENABLED"}
    ok(
        http.put(
            f"{okta_url}/api/v1/apps/{app_id}/features/USER_PROVISIONING",
            json={"create": {"lifecycleCreate": enabled}, "update": {"profile": enabled}},
        )
    )


def wiki_app(world, target: HeldScimTarget) -> str:
    """A second SAML app, "Wiki", provisioning to the held target; returns its id."""
    created = ok(
        world.okta.post(
            f"{world.okta_url}/api/v1/apps",
            json={
                "label": "Wiki",
                "signOnMode": "SAML_2_0",
                "settings": {
                    "signOn": {"ssoAcsUrl": f"{target.url}/acs", "audience": "wiki"},
                },
            },
        )
    )
    app_id = created.json()["id"]
    connect_app(world.okta, world.okta_url, app_id, target.url)
    return app_id


def sonarqube_connected(world) -> None:
    """The guide's SCIM connection from Okta's SonarQube app to the live SonarQube."""
    world.configure_provisioning(world.enable_scim_and_make_token())
    world.enable_to_app()


def assign(http: requests.Session, okta_url: str, app_id: str, user_id: str) -> None:
    ok(http.post(f"{okta_url}/api/v1/apps/{app_id}/users", json={"id": user_id}))


def app_user(world, app_id: str, user_id: str) -> dict:
    return ok(world.okta.get(f"{world.okta_url}/api/v1/apps/{app_id}/users/{user_id}")).json()


def wire(http: requests.Session, okta_url: str, app_id: str) -> list[dict]:
    """The app's SCIM requests log, oldest first."""
    return ok(http.get(f"{okta_url}/_mock/apps/{app_id}/scim-requests?limit=1000")).json()


def wait_idle(http: requests.Session, okta_url: str, timeout: float) -> requests.Response:
    return http.post(f"{okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": timeout})


def relative(target: HeldScimTarget, entries: list[dict]) -> list[tuple[str, str]]:
    """(method, path?query under the target's base URL) of log entries."""
    return [(e["method"], e["url"].removeprefix(target.url)) for e in entries]


@pytest.fixture
def held_lookup():
    """A SCIM server that answers a userName lookup only when the test releases it."""
    with held_scim_target("GET /Users?filter=") as target:
        yield target


# --- lanes --------------------------------------------------------------------------------------


def test_a_hung_scim_server_holds_back_only_its_own_app(world, held_lookup):
    sonarqube_connected(world)
    wiki = wiki_app(world, held_lookup)
    assign(world.okta, world.okta_url, wiki, ALICE)
    until(held_lookup.held.is_set, "the Wiki lookup reaches its server")
    mark = len(held_lookup.received)

    assign(world.okta, world.okta_url, SONARQUBE_APP, FRANK)
    until(
        lambda: app_user(world, SONARQUBE_APP, FRANK)["syncState"] == "SYNCHRONIZED",
        "Frank is provisioned to SonarQube while the Wiki's server hangs",
    )
    assert world.sonar_user(FRANK_LOGIN)["managed"] is True
    # ... and the Wiki's lookup is still waiting: no answer, nothing else sent there.
    assert held_lookup.received[mark:] == []
    assert wire(world.okta, world.okta_url, wiki)[-1]["inFlight"] is True
    assert app_user(world, wiki, ALICE)["syncState"] == "SYNCING"
    # Idle means no deliverable work left in any lane: the Wiki's lane is still at work.
    waited = wait_idle(world.okta, world.okta_url, 0.2)
    assert (waited.status_code, waited.json()) == (504, {"idle": False})

    held_lookup.release()
    world.wait()
    assert app_user(world, wiki, ALICE)["syncState"] == "SYNCHRONIZED"
    assert held_lookup.received[mark:] == [("POST", "/Users")]


def test_an_apps_events_still_go_out_one_at_a_time_in_order(world, held_lookup):
    wiki = wiki_app(world, held_lookup)
    mark = len(wire(world.okta, world.okta_url, wiki))
    assign(world.okta, world.okta_url, wiki, ALICE)
    until(held_lookup.held.is_set, "Alice's lookup reaches the Wiki's server")
    assign(world.okta, world.okta_url, wiki, BOB)
    time.sleep(0.5)  # idle lanes had the time to take Bob's event, were they allowed to
    assert held_lookup.received[-1] == lookup(ALICE_LOGIN)

    held_lookup.release()
    world.wait()
    assert relative(held_lookup, wire(world.okta, world.okta_url, wiki)[mark:]) == [
        lookup(ALICE_LOGIN),
        ("POST", "/Users"),
        lookup(BOB_LOGIN),
        ("POST", "/Users"),
    ]


# --- the wire log: requests in flight -------------------------------------------------------------


def test_a_request_in_flight_shows_in_the_log_until_its_answer_completes_it(world, held_lookup):
    wiki = wiki_app(world, held_lookup)
    assign(world.okta, world.okta_url, wiki, ALICE)
    until(held_lookup.held.is_set, "the lookup reaches the server")

    pending = wire(world.okta, world.okta_url, wiki)[-1]
    assert relative(held_lookup, [pending]) == [lookup(ALICE_LOGIN)]
    assert pending["requestHeaders"]["Authorization"] == "Bearer ***"
    assert pending["sent"].endswith("Z")
    assert {k: pending[k] for k in ("inFlight", "status", "durationMs", "error")} == {
        "inFlight": True,
        "status": None,
        "durationMs": None,
        "error": None,
    }
    assert (pending["responseHeaders"], pending["responseBody"]) == (None, None)

    held_lookup.release()
    world.wait()
    [answered] = [e for e in wire(world.okta, world.okta_url, wiki) if e["id"] == pending["id"]]
    assert (answered["inFlight"], answered["status"], answered["error"]) == (False, 200, None)
    assert answered["responseBody"]["totalResults"] == 0
    assert answered["durationMs"] >= 0


# --- a reset while a push is in flight -----------------------------------------------------------


def test_a_reset_while_a_push_is_in_flight_drops_what_it_would_have_written():
    """A test suite resets between tests while Okta may still be pushing: the answer that
    comes after the reset belongs to a world that is gone, and must not land in the new one."""
    with held_scim_target("POST /Users") as held, start_devenv() as devenv:
        connect_app(devenv.okta, devenv.okta_url, SONARQUBE_APP, held.url)
        ok(
            devenv.okta.post(
                f"{devenv.okta_url}/_mock/apps/{SONARQUBE_APP}/users/{ALICE}/provision"
            )
        )
        until(held.held.is_set, "Alice's create reaches the server")

        devenv.reset()
        held.release()
        devenv.wait_for_provisioning()

        assert devenv.scim_requests() == []
        alice = ok(devenv.okta.get(f"{devenv.okta_url}/api/v1/apps/{SONARQUBE_APP}/users/{ALICE}"))
        assert alice.json()["externalId"] is None
        assert devenv.tasks() == []


# --- kill -9 ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OktaProcess:
    """`python -m mock_okta serve` on a database, as `devenv.sh up` runs it."""

    def __init__(self, database: Path, home: Path):
        self.database, self.home = database, home
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = (self.home / f"okta-{port}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mock_okta",
                "serve",
                "--port",
                str(port),
                "--db",
                str(self.database),
            ],
            cwd=ROOT,
            env={**os.environ, "DEVENV_HOME": str(self.home)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        until(self._answers, "Okta answers", timeout=30)

    def _answers(self) -> bool:
        assert self.process.poll() is None, "Okta exited; see its log in the test's tmp_path"
        try:
            return requests.get(f"{self.url}/api/v1/users?limit=1", headers=SSWS, timeout=1).ok
        except requests.ConnectionError:
            return False

    def kill(self) -> None:
        """kill -9: no cleanup of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def okta_process(tmp_path, devenv_keys):
    """A seeded Okta database (the default fixture) and a way to run Okta on it."""
    database = tmp_path / "okta.sqlite3"
    init_db(str(database))
    db = connect(database)
    try:
        variables = fixture_variables(devenv_keys)
        okta_fixtures.seed(db, clock.now(db), load_fixture(FIXTURE), variables)
    finally:
        db.conn.close()
    okta = OktaProcess(database, tmp_path)
    try:
        yield okta
    finally:
        okta.stop()


def test_kill_9_mid_request_leaves_it_in_the_log_and_creates_nothing_twice(okta_process):
    with held_scim_target("POST /Users") as target, requests.Session() as http:
        http.headers.update(SSWS)
        okta_process.start()
        assert (
            wait_idle(http, okta_process.url, PATIENCE).status_code == 200
        )  # the seed's events first
        connect_app(http, okta_process.url, SONARQUBE_APP, target.url)
        assign(http, okta_process.url, SONARQUBE_APP, FRANK)
        until(target.held.is_set, "the create reaches the server, which creates Frank")
        [created] = target.users.values()

        log = wire(http, okta_process.url, SONARQUBE_APP)
        assert [(r["method"], r["inFlight"], r["status"]) for r in log[-2:]] == [
            ("GET", False, 200),
            ("POST", True, None),
        ]
        assert log[-1]["requestBody"]["userName"] == FRANK_LOGIN
        okta_process.kill()
        target.release()  # the answer goes nowhere: Okta is gone

        okta_process.start()
        assert wait_idle(http, okta_process.url, PATIENCE).status_code == 200
        log = wire(http, okta_process.url, SONARQUBE_APP)
        frank = ok(http.get(f"{okta_process.url}/api/v1/apps/{SONARQUBE_APP}/users/{FRANK}"))

    calls = [(*call, r["status"]) for call, r in zip(relative(target, log), log, strict=True)]
    assert calls[-5:] == [
        (*lookup(FRANK_LOGIN), 200),
        ("POST", "/Users", None),  # cut off by the kill, kept with no answer
        (*lookup(FRANK_LOGIN), 200),  # the restart re-runs the event: the lookup finds Frank
        ("GET", f"/Users/{created['id']}", 200),
        ("PUT", f"/Users/{created['id']}", 200),
    ]
    cut_off = log[-4]
    assert (cut_off["inFlight"], cut_off["error"], cut_off["durationMs"]) == (False, CUT_OFF, None)
    assert list(target.users) == [created["id"]]
    assert (frank.json()["externalId"], frank.json()["syncState"]) == (
        created["id"],
        "SYNCHRONIZED",
    )
