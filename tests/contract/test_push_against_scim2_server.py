"""Okta's push engine against an independent SCIM server (scim2-server from PyPI), not ours.

The same flows that reach SonarQube must work against any RFC 7644 server: assignment
(lookup then POST), group push by name (lookup, POST, GET, PUT), deactivation.
"""

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.memory import InMemoryStorage
from scim2_server.service import ScimService
from scim2_server.utils import load_default_provider

import mock_okta
from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from mock_okta.provisioning.worker import start_worker
from okta_sonar_devenv.live import live_server
from tests.conftest import fixture_variables
from tests.e2e.world import SONARQUBE_APP, SSWS

pytestmark = pytest.mark.contract
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"


class _Quiet(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        pass


@contextmanager
def scim2_server() -> Iterator[str]:
    """scim2-server's reference WSGI application on a free loopback port."""
    service = ScimService(load_default_provider())
    app = WSGIApplication(InMemoryStorage(), service.provider, service)
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)
        httpd.server_close()


@pytest.fixture
def okta_to_scim2_server(tmp_path, devenv_keys):
    okta_db = str(tmp_path / "okta.sqlite3")
    app = mock_okta.create_app({"DATABASE": okta_db, "TESTING": True})
    with scim2_server() as target, live_server(app) as okta_url, requests.Session() as http:
        app.config["BASE_URL"] = okta_url
        db = connect(okta_db)
        fixtures.seed(
            db,
            clock.now(db),
            json.loads(FIXTURE.read_text()),
            fixture_variables(devenv_keys, sonar_url=target, okta_url=okta_url),
        )
        db.conn.close()
        http.headers.update(SSWS)
        worker = start_worker(app)
        yield okta_url, target, http
        worker.stop()


def _configure(okta_url: str, target: str, http: requests.Session) -> None:
    http.put(
        f"{okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning",
        json={
            "enabled": True,
            "baseUrl": target,
            "actions": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"],
            "authMode": "HTTP_HEADER",
            "token": "not-checked",
        },
    ).raise_for_status()
    http.put(
        f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/features/USER_PROVISIONING",
        json={
            "create": {"lifecycleCreate": {"status": "ENABLED"}},
            "update": {
                "lifecycleDeactivate": {"status": "ENABLED"},
                "profile": {"status": "ENABLED"},
            },
        },
    ).raise_for_status()


def _wait(okta_url: str, http: requests.Session) -> None:
    response = http.post(f"{okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": 20})
    assert response.status_code == 200


def _target_users(target: str) -> dict[str, dict]:
    body = requests.get(f"{target}/Users", timeout=10).json()
    return {u["userName"]: u for u in body.get("Resources", [])}


def test_connector_test_passes(okta_to_scim2_server):
    okta_url, target, http = okta_to_scim2_server
    _configure(okta_url, target, http)
    result = http.post(f"{okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning/test").json()
    assert result["ok"] is True, result


def test_provision_assign_push_and_deactivate(okta_to_scim2_server):
    okta_url, target, http = okta_to_scim2_server
    _configure(okta_url, target, http)
    http.post(
        f"{okta_url}/_mock/apps/{SONARQUBE_APP}/users/00ubobnguyen00000002/provision"
    ).raise_for_status()
    http.post(
        f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/users",
        json={"id": "00uhenrydubois000008", "scope": "USER"},
    ).raise_for_status()
    _wait(okta_url, http)
    users = _target_users(target)
    assert users["bob.nguyen@example.com"]["active"] is True
    assert users["henry.dubois@example.com"]["externalId"] == "00uhenrydubois000008"
    app_user = http.get(f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/users/00uhenrydubois000008").json()
    assert app_user["externalId"] == users["henry.dubois@example.com"]["id"]
    assert app_user["syncState"] == "SYNCHRONIZED"

    group = http.post(f"{okta_url}/api/v1/groups", json={"profile": {"name": "pushed"}}).json()
    http.put(
        f"{okta_url}/api/v1/groups/{group['id']}/users/00uhenrydubois000008"
    ).raise_for_status()
    http.post(
        f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/group-push/mappings",
        json={"sourceGroupId": group["id"], "status": "ACTIVE", "targetGroupName": "pushed"},
    ).raise_for_status()
    _wait(okta_url, http)
    groups = requests.get(f"{target}/Groups", timeout=10).json()["Resources"]
    [pushed] = [g for g in groups if g["displayName"] == "pushed"]
    assert [m["value"] for m in pushed["members"]] == [users["henry.dubois@example.com"]["id"]]

    http.delete(
        f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/users/00uhenrydubois000008"
    ).raise_for_status()
    _wait(okta_url, http)
    assert _target_users(target)["henry.dubois@example.com"]["active"] is False
    assert http.get(f"{okta_url}/_mock/tasks").json() == []


def test_mapped_attributes_and_the_enterprise_extension_are_accepted(okta_to_scim2_server):
    okta_url, target, http = okta_to_scim2_server
    _configure(okta_url, target, http)
    http.post(
        f"{okta_url}/api/v1/apps/{SONARQUBE_APP}/users",
        json={"id": "00uhenrydubois000008", "scope": "USER"},
    ).raise_for_status()
    _wait(okta_url, http)
    henry = _target_users(target)["henry.dubois@example.com"]
    assert ENTERPRISE in henry["schemas"]
    assert henry["title"] == "Account Executive"
    assert henry[ENTERPRISE] == {
        "employeeNumber": "1008",
        "organization": "Example Corp",
        "department": "Sales",
    }

    profile = {
        "title": "Sales Director",
        "department": "Partnerships",
        "mobilePhone": "+1 555",
        "managerId": "00ugracekim000000007",
        "manager": "Grace Kim",
    }
    http.post(
        f"{okta_url}/api/v1/users/00uhenrydubois000008", json={"profile": profile}
    ).raise_for_status()
    _wait(okta_url, http)
    henry = _target_users(target)["henry.dubois@example.com"]
    assert henry["title"] == "Sales Director"
    assert henry[ENTERPRISE]["department"] == "Partnerships"
    # Okta's manager has no `$ref` (RFC 7643 §4.3 calls it required): scim2-server takes it,
    # and drops the displayName (read-only in RFC 7643).
    assert henry[ENTERPRISE]["manager"] == {"value": "00ugracekim000000007"}
    assert henry["phoneNumbers"] == [{"type": "mobile", "value": "+1 555"}]
    assert http.get(f"{okta_url}/_mock/tasks").json() == []
