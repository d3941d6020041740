"""Pushing users from Okta to SonarQube, both apps live: the user rows of the trigger matrix.

reference/okta.md §1.3-§1.7 (what Okta sends), §3 (how it treats answers), §4 (Provision User),
§5.8 (trigger matrix). Each test asserts the exact SCIM requests and SonarQube's resulting state.
"""

import json
import re
import socket
import time
from urllib.parse import quote

import flask
import pytest

from mock_common import clock
from mock_common.db import connect
from mock_okta import outbox as okta_outbox
from mock_okta.provisioning import engine, users_push
from mock_okta.provisioning.handlers import HANDLERS
from mock_okta.provisioning.worker import ProvisioningWorker
from tests.e2e.world import SONARQUBE_APP

ALICE = "00ualicemartin000001"
BOB = "00ubobnguyen00000002"
CAROL = "00ucarolsmith0000003"
FRANK = "00ufrankosei00000006"
GRACE = "00ugracekim000000007"
KATE = "00ukatenovak00000011"
LEO = "00uleogarcia00000012"
DEVELOPERS = "00gsonardevelopers01"
QA = "00gsonarqa0000000002"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BODY_HEADERS = {"Content-Type": "application/scim+json; charset=utf-8"}
APP_URL = f"/api/v1/apps/{SONARQUBE_APP}"


# --- helpers ----------------------------------------------------------------------------------


def setup(world, *, dialect="CUSTOM_APP", create=True, update=True, deactivate=True) -> int:
    """SCIM on in SonarQube, the connection in Okta, the To App switches; the wire's length."""
    token = world.enable_scim_and_make_token()
    world.configure_provisioning(token, dialect=dialect)
    world.enable_to_app(create=create, update=update, deactivate=deactivate)
    return len(world.wire())


def sent(world, mark: int) -> list[dict]:
    """The SCIM requests Okta sent since the mark."""
    return world.wire()[mark:]


def calls(world, mark: int) -> list[tuple[str, str]]:
    """(method, path?query relative to the SCIM base) of what Okta sent since the mark."""
    base = f"{world.sonar_url}/api/scim/v2"
    return [(r["method"], r["url"].removeprefix(base)) for r in sent(world, mark)]


def lookup(login: str) -> tuple[str, str]:
    """Okta's userName lookup, with its %20 encoding (§1.3)."""
    value = quote(f'userName eq "{login}"', safe="")
    return ("GET", f"/Users?filter={value}&startIndex=1&count=100")


def okta(world, method: str, path: str, **kwargs):
    response = world.okta.request(method, f"{world.okta_url}{path}", **kwargs)
    assert response.status_code < 300, response.text
    return response


def assign(world, user_id: str) -> None:
    okta(world, "POST", f"{APP_URL}/users", json={"id": user_id})


def unassign(world, user_id: str) -> None:
    okta(world, "DELETE", f"{APP_URL}/users/{user_id}")


def provision(world, user_id: str):
    return world.okta.post(f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/users/{user_id}/provision")


def lifecycle(world, user_id: str, action: str) -> None:
    okta(world, "POST", f"/api/v1/users/{user_id}/lifecycle/{action}")


def app_user(world, user_id: str) -> dict:
    return okta(world, "GET", f"{APP_URL}/users/{user_id}").json()


def app_user_row(world, user_id: str) -> dict:
    """The app user as stored: the red "!" lives in error_summary / provisioned_before_enabled."""
    db = connect(world.okta_app.config["DATABASE"])
    try:
        rows = list(
            db.query(
                "select * from app_users where app_id = ? and user_id = ?",
                [SONARQUBE_APP, user_id],
            )
        )
    finally:
        db.conn.close()
    return rows[0]


def events(world, event_type: str) -> list[dict]:
    response = okta(
        world,
        "GET",
        "/api/v1/logs",
        params={"filter": f'eventType eq "{event_type}"', "since": "2000-01-01T00:00:00Z"},
    )
    return response.json()


def tasks(world) -> list[dict]:
    return okta(world, "GET", "/_mock/tasks").json()


def outbox(world) -> list[dict]:
    db = connect(world.okta_app.config["DATABASE"])
    try:
        return list(db.query("select * from provisioning_events order by id"))
    finally:
        db.conn.close()


def wait_for_status(world, status: str, timeout: float = 10) -> dict:
    """Until an outbox event reaches a status (e.g. WAITING after a 429)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in outbox(world) if e["status"] == status]
        if found:
            return found[-1]
        time.sleep(0.02)
    raise AssertionError(f"no event became {status}")


def status_of(world, event: dict) -> str:
    return next(e["status"] for e in outbox(world) if e["id"] == event["id"])


def fault(world, **spec) -> None:
    response = world.sonar.post(f"{world.sonar_url}/_mock/faults", json=spec)
    assert response.status_code == 201, response.text


def scim_error(status: int, detail: str, scim_type: str | None = None) -> str:
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    return json.dumps({**body, "detail": detail})


def assert_okta_headers(request: dict, *, body: bool) -> None:
    headers = request["requestHeaders"]
    assert headers["User-Agent"] == "Okta SCIM Client 1.0.0"
    assert headers["Accept"] == "application/scim+json"
    assert headers["Accept-Charset"] == "utf-8"
    assert headers["Authorization"] == "Bearer ***"
    if body:
        assert headers["Content-Type"] == "application/scim+json; charset=utf-8"
    else:
        assert "Content-Type" not in headers


def assert_managed(user: dict, *, name: str, email: str, active: bool = True) -> None:
    assert user["managed"] is True
    assert user["local"] is False
    assert user["externalProvider"] == "saml"
    assert user["active"] is active
    assert (user["name"], user["email"]) == (name, email)


def created_body(
    request: dict,
    *,
    login: str,
    first: str,
    last: str,
    okta_id: str,
    title: str,
    department: str,
    number: str,
) -> None:
    """Okta's create body for a fixture user: §1.3's attributes, title and the extension."""
    body = request["requestBody"]
    password = body.pop("password")
    assert re.fullmatch(r"[a-z0-9]{8}", password)
    assert list(body) == [
        "schemas",
        "userName",
        "name",
        "emails",
        "title",
        "displayName",
        ENTERPRISE,
        "externalId",
        "groups",
        "active",
    ]
    assert body == {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "userName": login,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": True, "value": login, "type": "work"}],
        "title": title,
        "displayName": f"{first} {last}",
        ENTERPRISE: {
            "employeeNumber": number,
            "organization": "Example Corp",
            "department": department,
        },
        "externalId": okta_id,
        "groups": [],
        "active": True,
    }


def provisioned(world, user_id: str) -> dict:
    """A user assigned now (To App on) and pushed; returns the app user."""
    assign(world, user_id)
    world.wait()
    result = app_user(world, user_id)
    assert result["syncState"] == "SYNCHRONIZED", result
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- To App save and Provision User (§1.2, §4) -------------------------------------------------


def test_saving_to_app_with_create_users_sends_the_probe(world):
    token = world.enable_scim_and_make_token()
    world.configure_provisioning(token)
    world.enable_to_app(create=False, update=True, deactivate=True)
    assert world.wire() == []
    world.enable_to_app()
    world.enable_to_app()  # saving again: the probe again, nothing else (§4, OBS1)
    assert calls(world, 0) == [("GET", "/Users?startIndex=1&count=2")] * 2
    assert_okta_headers(world.wire()[0], body=False)


def test_provision_user_creates_a_user_assigned_before(world):
    mark = setup(world)
    world.wait()
    assert calls(world, mark) == []  # enabling and To App do not provision the backlog (§4)
    assert app_user_row(world, CAROL)["provisioned_before_enabled"] == 1

    assert provision(world, CAROL).status_code == 202
    world.wait()

    lookup_request, create = sent(world, mark)
    assert calls(world, mark) == [lookup("carol.smith@example.com"), ("POST", "/Users")]
    assert_okta_headers(lookup_request, body=False)
    assert lookup_request["responseBody"]["totalResults"] == 0
    assert_okta_headers(create, body=True)
    created_body(
        create,
        login="carol.smith@example.com",
        first="Carol",
        last="Smith",
        okta_id=CAROL,
        title="QA Lead",
        department="Quality Assurance",
        number="1003",
    )
    assert create["status"] == 201
    scim_id = create["responseBody"]["id"]
    carol = world.sonar_user("carol.smith@example.com")
    assert_managed(carol, name="Carol Smith", email="carol.smith@example.com")
    result = app_user(world, CAROL)
    assert (result["status"], result["syncState"], result["externalId"]) == (
        "PROVISIONED",
        "SYNCHRONIZED",
        scim_id,
    )
    assert result["lastSync"] is not None
    row = app_user_row(world, CAROL)
    assert (row["provisioned_before_enabled"], row["error_summary"]) == (0, None)
    [pushed] = events(world, "application.provision.user.push")
    assert pushed["outcome"] == {"result": "SUCCESS", "reason": None}
    assert [t["type"] for t in pushed["target"]] == ["AppUser", "AppInstance", "User"]
    assert pushed["target"][0]["alternateId"] == "carol.smith@example.com"


def test_provision_user_adopts_alice_the_saml_jit_user(world):
    before = world.sonar_user("alice.martin@example.com")
    assert (before["managed"], before["login"]) == (False, "alice-martin-example-com20417")
    mark = setup(world)
    provision(world, ALICE)
    world.wait()
    # Not yet SCIM-managed, SonarQube's filter does not list her: Okta creates, SonarQube adopts.
    assert calls(world, mark) == [lookup("alice.martin@example.com"), ("POST", "/Users")]
    alice = world.sonar_user("alice.martin@example.com")
    assert_managed(alice, name="Alice Martin", email="alice.martin@example.com")
    assert alice["login"] == "alice-martin-example-com20417"  # the same account, now managed
    assert app_user(world, ALICE)["externalId"] == sent(world, mark)[1]["responseBody"]["id"]


def test_provision_user_is_only_for_flagged_app_users(world):
    setup(world)
    provision(world, CAROL)
    world.wait()
    again = provision(world, CAROL)  # already provisioned: no red "!" any more
    assert again.status_code == 400
    assert again.json()["errorCode"] == "E0000001"
    assert provision(world, FRANK).json()["errorCode"] == "E0000007"  # not assigned


def test_provision_user_needs_provisioning(world):
    response = provision(world, CAROL)
    assert response.status_code == 400
    assert response.json()["errorCauses"] == [
        {"errorSummary": "Provisioning is not enabled for the app instance."}
    ]


# --- assignment (§1.3) --------------------------------------------------------------------------


def test_new_assignment_looks_up_then_creates(world):
    mark = setup(world)
    assert app_user(world, CAROL)["syncState"] == "DISABLED"  # assigned before: untouched
    result = provisioned(world, FRANK)
    assert calls(world, mark) == [lookup("frank.osei@example.com"), ("POST", "/Users")]
    created_body(
        sent(world, mark)[1],
        login="frank.osei@example.com",
        first="Frank",
        last="Osei",
        okta_id=FRANK,
        title="Test Automation Engineer",
        department="Quality Assurance",
        number="1006",
    )
    assert (result["status"], result["scope"]) == ("PROVISIONED", "USER")
    frank = world.sonar_user("frank.osei@example.com")
    assert_managed(frank, name="Frank Osei", email="frank.osei@example.com")
    assert frank["groups"] == ["sonar-users"]


def test_assignment_through_a_group(world):
    mark = setup(world)
    okta(world, "PUT", f"{APP_URL}/groups/{QA}", json={})
    world.wait()
    # Carol is already a (direct) app user: only Frank is new.
    assert calls(world, mark) == [lookup("frank.osei@example.com"), ("POST", "/Users")]
    assert app_user(world, FRANK)["scope"] == "GROUP"
    assert_managed(
        world.sonar_user("frank.osei@example.com"),
        name="Frank Osei",
        email="frank.osei@example.com",
    )
    assert world.sonar_user("carol.smith@example.com") is None  # still waiting for Provision User


def test_joining_an_assigned_group_provisions(world):
    mark = setup(world)
    okta(world, "PUT", f"/api/v1/groups/{DEVELOPERS}/users/{GRACE}")
    world.wait()
    assert calls(world, mark) == [lookup("grace.kim@example.com"), ("POST", "/Users")]
    assert app_user(world, GRACE)["scope"] == "GROUP"


@pytest.mark.parametrize("dialect", ["CUSTOM_APP", "OIN"])
def test_a_user_already_managed_is_linked_with_get_and_put(world, dialect):
    mark = setup(world, dialect=dialect, deactivate=False)
    first = provisioned(world, FRANK)
    unassign(world, FRANK)  # Deactivate Users off: nothing sent, SonarQube keeps him
    world.wait()
    assert len(sent(world, mark)) == 2
    mark = len(world.wire())
    okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": {"lastName": "Osei-Mensah"}})
    assign(world, FRANK)
    world.wait()
    scim_id = first["externalId"]
    # Okta KB "Existing SCIM User Being Created at Assignment": the filter, then "GET
    # …/Users/{externalIdInOkta} followed by PUT …/Users/{externalIdInOkta} to sync the profile".
    assert calls(world, mark) == [
        lookup("frank.osei@example.com"),
        ("GET", f"/Users/{scim_id}"),
        ("PUT", f"/Users/{scim_id}"),
    ]
    found, get, put = sent(world, mark)
    assert found["responseBody"]["totalResults"] == 1
    assert_okta_headers(get, body=False)
    assert_okta_headers(put, body=True)
    body = put["requestBody"]
    # The GET's representation with Okta's attributes merged (meta, groups echoed back).
    assert body["id"] == scim_id
    assert body["meta"] == get["responseBody"]["meta"]
    assert body["name"] == {"givenName": "Frank", "familyName": "Osei-Mensah"}
    assert body["displayName"] == "Frank Osei"  # the profile's displayName attribute
    assert body["title"] == "Test Automation Engineer"
    assert body["active"] is True
    assert app_user(world, FRANK)["externalId"] == scim_id
    assert len(events(world, "application.provision.user.sync")) == 1


def test_create_users_off_and_no_match_is_matching_user_not_found(world):
    mark = setup(world, create=False)
    assign(world, FRANK)
    world.wait()
    assert calls(world, mark) == [lookup("frank.osei@example.com")]  # verify only, no POST
    message = "Automatic provisioning of user Frank Osei to app SonarQube failed: " + (
        "Matching user not found."
    )
    [task] = tasks(world)
    assert (task["userId"], task["errorSummary"]) == (FRANK, message)
    assert app_user(world, FRANK)["syncState"] == "ERROR"
    assert app_user_row(world, FRANK)["error_summary"] == message
    assert world.sonar_user("frank.osei@example.com") is None


def test_a_staged_user_is_pushed_on_activation(world):
    mark = setup(world)
    assign(world, LEO)
    world.wait()
    assert calls(world, mark) == []
    assert app_user(world, LEO)["status"] == "STAGED"
    lifecycle(world, LEO, "activate?sendEmail=false")
    world.wait()
    assert calls(world, mark) == [lookup("leo.garcia@example.com"), ("POST", "/Users")]
    assert app_user(world, LEO)["status"] == "PROVISIONED"


def test_empty_create_answer_fails(world):
    mark = setup(world)
    fault(
        world,
        method="POST",
        path="/Users",
        status=201,
        body="",
        contentType="application/scim+json",
    )
    assign(world, FRANK)
    world.wait()
    assert calls(world, mark)[-1] == ("POST", "/Users")
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: "
        "Error while creating user Frank Osei: Create new user returned empty user."
    )


# --- membership of pushed groups follows provisioning -----------------------------------------


def test_provisioned_users_are_added_to_pushed_groups(world):
    setup(world)
    okta(
        world,
        "POST",
        f"{APP_URL}/group-push/mappings",
        json={"sourceGroupId": QA, "status": "ACTIVE", "targetGroupName": "sonar-qa"},
    )
    world.wait()
    assert world.sonar_group("sonar-qa") is not None
    provisioned(world, FRANK)
    world.wait()
    groups = world.sonar_user("frank.osei@example.com")["groups"]
    assert sorted(groups) == ["sonar-qa", "sonar-users"]


# --- profile update (§1.4) ----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["CUSTOM_APP", "OIN"])
def test_profile_change_is_get_then_put(world, dialect):
    setup(world, dialect=dialect)
    scim_id = provisioned(world, FRANK)["externalId"]
    mark = len(world.wire())
    okta(
        world,
        "POST",
        f"/api/v1/users/{FRANK}",
        json={"profile": {"displayName": "Franklin Osei", "email": "franklin.osei@example.com"}},
    )
    world.wait()
    assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
    _get, put = sent(world, mark)
    assert_okta_headers(put, body=True)
    body = put["requestBody"]
    assert body["displayName"] == "Franklin Osei"
    assert body["emails"] == [
        {"primary": True, "value": "franklin.osei@example.com", "type": "work"}
    ]
    assert body["userName"] == "frank.osei@example.com"
    assert body["active"] is True
    frank = world.sonar_user("frank.osei@example.com")
    assert_managed(frank, name="Franklin Osei", email="franklin.osei@example.com")
    assert len(events(world, "application.provision.user.push_profile")) == 1


@pytest.mark.parametrize("dialect", ["CUSTOM_APP", "OIN"])
def test_title_change_is_get_then_put(world, dialect):
    # Both dialects: Okta's SCIM 2.0 reference PATCHes OIN users only to (de)activate them and
    # to sync passwords; "All other updates to User objects are handled through a PUT".
    setup(world, dialect=dialect)
    scim_id = provisioned(world, FRANK)["externalId"]
    mark = len(world.wire())
    okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": {"title": "QA Manager"}})
    world.wait()
    assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
    get, put = sent(world, mark)
    assert get["responseBody"]["title"] == "Test Automation Engineer"  # echoed by SonarQube
    assert put["requestBody"] == {**get["responseBody"], "title": "QA Manager"}
    assert len(events(world, "application.provision.user.push_profile")) == 1


def test_a_department_change_pushes_the_enterprise_extension(world):
    setup(world)
    scim_id = provisioned(world, FRANK)["externalId"]
    mark = len(world.wire())
    okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": {"department": "Platform"}})
    world.wait()
    assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
    get, put = sent(world, mark)
    assert put["requestBody"] == {
        **get["responseBody"],
        ENTERPRISE: {
            "employeeNumber": "1006",
            "organization": "Example Corp",
            "department": "Platform",
        },
    }
    assert put["requestBody"]["schemas"] == [USER_SCHEMA, ENTERPRISE]
    # SonarQube stores none of it, and echoes it back.
    assert put["status"] == 200
    assert put["responseBody"][ENTERPRISE]["department"] == "Platform"
    assert world.sonar_user("frank.osei@example.com")["name"] == "Frank Osei"
    assert tasks(world) == []


def test_unmapped_attribute_change_sends_nothing(world):
    setup(world)
    provisioned(world, FRANK)
    mark = len(world.wire())
    okta(
        world,
        "POST",
        f"/api/v1/users/{FRANK}",
        json={"profile": {"secondEmail": "frank@home.example"}},
    )
    world.wait()
    assert calls(world, mark) == []


def test_bodies_are_compact_utf8_on_the_wire(world):
    received = []

    def keep_body(sender, **_extra):
        if flask.request.path.startswith("/api/scim/v2/Users") and flask.request.method == "POST":
            received.append(
                (flask.request.headers["Content-Type"], flask.request.get_data(cache=True))
            )

    flask.request_started.connect(keep_body, world.sonar_app)
    try:
        mark = setup(world)
        profile = {"firstName": "Zoë", "lastName": "Müller-Łukasz", "displayName": "Zoë Müller"}
        okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": profile})
        assign(world, FRANK)
        world.wait()
    finally:
        flask.request_started.disconnect(keep_body, world.sonar_app)
    [(content_type, raw)] = received
    assert content_type == "application/scim+json; charset=utf-8"
    assert '"name":{"givenName":"Zoë","familyName":"Müller-Łukasz"}'.encode() in raw
    assert b'": ' not in raw
    assert b'", "' not in raw
    assert b"\\u" not in raw
    # The wire log keeps the same text.
    create = sent(world, mark)[-1]
    db = connect(world.okta_app.config["DATABASE"])
    try:
        [row] = db.query("select request_body from scim_requests where id = ?", [create["id"]])
    finally:
        db.conn.close()
    assert row["request_body"].encode("utf-8") == raw
    sonar = world.sonar_user("frank.osei@example.com")
    assert sonar["name"] == "Zoë Müller"


def test_update_user_attributes_off_sends_nothing(world):
    setup(world, update=False)
    provisioned(world, FRANK)
    mark = len(world.wire())
    okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": {"lastName": "Other"}})
    world.wait()
    assert calls(world, mark) == []
    assert world.sonar_user("frank.osei@example.com")["name"] == "Frank Osei"


def test_profile_push_failure_is_a_task(world):
    setup(world)
    provisioned(world, FRANK)
    fault(
        world,
        method="PUT",
        path="/Users",
        status=400,
        body=scim_error(400, "Email is not valid", "invalidValue"),
        contentType="application/scim+json",
    )
    okta(world, "POST", f"/api/v1/users/{FRANK}", json={"profile": {"lastName": "Other"}})
    world.wait()
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic profile push of user Frank Osei to app SonarQube failed: Error while trying "
        "to push profile update for frank.osei@example.com: Bad Request. Errors reported by "
        "remote server: Email is not valid"
    )
    assert app_user(world, FRANK)["syncState"] == "ERROR"


# --- suspend, unsuspend, deactivate, unassign, reassign (§1.5-§1.7) ---------------------------


def test_suspend_and_unsuspend_send_nothing(world):
    setup(world)
    provisioned(world, FRANK)
    before = world.sonar_user("frank.osei@example.com")
    mark = len(world.wire())
    lifecycle(world, FRANK, "suspend")
    world.wait()
    assert calls(world, mark) == []
    assert world.sonar_user("frank.osei@example.com") == before
    lifecycle(world, FRANK, "unsuspend")
    world.wait()
    assert calls(world, mark) == []
    assert world.sonar_user("frank.osei@example.com") == before
    assert app_user(world, FRANK)["status"] == "PROVISIONED"


@pytest.mark.parametrize("dialect", ["CUSTOM_APP", "OIN"])
def test_okta_deactivation_deactivates_in_sonarqube(world, dialect):
    setup(world, dialect=dialect)
    scim_id = provisioned(world, FRANK)["externalId"]
    login = world.sonar_user("frank.osei@example.com")["login"]
    world.sonar.post(
        f"{world.sonar_url}/api/user_tokens/generate", data={"name": "ci", "login": login}
    ).raise_for_status()
    assert world.sonar_user("frank.osei@example.com")["tokensCount"] == 1
    mark = len(world.wire())
    lifecycle(world, FRANK, "deactivate")
    world.wait()
    if dialect == "OIN":
        assert calls(world, mark) == [("PATCH", f"/Users/{scim_id}")]
        [patch] = sent(world, mark)
        assert patch["requestBody"] == {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        }
        assert_okta_headers(patch, body=True)
    else:
        assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
        get, put = sent(world, mark)
        assert put["requestBody"] == {**get["responseBody"], "active": False}
    assert world.sonar_user("frank.osei@example.com") is None
    frank = world.sonar_user("frank.osei@example.com", deactivated=True)
    assert (frank["active"], frank["tokensCount"], frank["managed"]) == (False, 0, True)
    [logged] = events(world, "application.provision.user.deactivate")
    assert logged["outcome"]["result"] == "SUCCESS"


@pytest.mark.parametrize("dialect", ["CUSTOM_APP", "OIN"])
def test_unassign_then_reassign_deactivates_then_reactivates(world, dialect):
    setup(world, dialect=dialect)
    scim_id = provisioned(world, FRANK)["externalId"]
    unassign(world, FRANK)
    world.wait()
    assert world.sonar_user("frank.osei@example.com", deactivated=True)["active"] is False
    mark = len(world.wire())
    assign(world, FRANK)
    world.wait()
    expected = [lookup("frank.osei@example.com"), ("GET", f"/Users/{scim_id}")]
    expected.append(("PUT", f"/Users/{scim_id}"))
    if dialect == "OIN":
        expected.append(("PATCH", f"/Users/{scim_id}"))
    assert calls(world, mark) == expected
    requests_ = sent(world, mark)
    assert requests_[0]["responseBody"]["Resources"][0]["active"] is False
    if dialect == "OIN":
        assert requests_[2]["requestBody"]["active"] is False  # the PUT keeps the server's
        assert requests_[3]["requestBody"]["Operations"] == [
            {"op": "replace", "value": {"active": True}}
        ]
    else:
        assert requests_[2]["requestBody"]["active"] is True
    frank = world.sonar_user("frank.osei@example.com")
    assert_managed(frank, name="Frank Osei", email="frank.osei@example.com")
    assert app_user(world, FRANK)["externalId"] == scim_id  # same id, same user (§1.6)
    assert len(events(world, "application.provision.user.reactivate")) == 1


def test_leaving_the_assigning_group_deactivates(world):
    setup(world)
    okta(world, "PUT", f"/api/v1/groups/{DEVELOPERS}/users/{GRACE}")
    world.wait()
    scim_id = app_user(world, GRACE)["externalId"]
    mark = len(world.wire())
    okta(world, "DELETE", f"/api/v1/groups/{DEVELOPERS}/users/{GRACE}")
    world.wait()
    assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
    assert sent(world, mark)[1]["requestBody"]["active"] is False
    assert world.sonar_user("grace.kim@example.com", deactivated=True)["active"] is False


def test_removing_the_group_assignment_deactivates_its_users(world):
    setup(world)
    okta(world, "PUT", f"{APP_URL}/groups/{QA}", json={})
    world.wait()
    scim_id = app_user(world, FRANK)["externalId"]
    mark = len(world.wire())
    okta(world, "DELETE", f"{APP_URL}/groups/{QA}")
    world.wait()
    # Carol keeps her direct assignment (and was never pushed); Frank goes.
    assert calls(world, mark) == [("GET", f"/Users/{scim_id}"), ("PUT", f"/Users/{scim_id}")]
    assert world.sonar_user("frank.osei@example.com") is None


def test_a_suspended_user_is_provisioned_by_provision_user(world):
    # Decision: suspension keeps assignments and unsuspend sends nothing, so Okta pushes them.
    mark = setup(world)
    provision(world, KATE)
    world.wait()
    assert calls(world, mark) == [lookup("kate.novak@example.com"), ("POST", "/Users")]
    assert world.sonar_user("kate.novak@example.com")["active"] is True


def test_reassign_an_inactive_user_without_deactivate_users_fails(world):
    setup(world)
    provisioned(world, FRANK)
    unassign(world, FRANK)
    world.wait()
    world.enable_to_app(deactivate=False)
    assign(world, FRANK)
    world.wait()
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: "
        "User account is inactive"
    )


def test_deactivate_users_off_sends_nothing(world):
    setup(world, deactivate=False)
    provisioned(world, FRANK)
    provisioned(world, GRACE)
    mark = len(world.wire())
    unassign(world, FRANK)
    lifecycle(world, GRACE, "deactivate")
    world.wait()
    assert calls(world, mark) == []
    assert world.sonar_user("frank.osei@example.com")["active"] is True
    assert world.sonar_user("grace.kim@example.com")["active"] is True


def test_unassigning_a_never_pushed_user_sends_nothing(world):
    mark = setup(world)
    unassign(world, CAROL)  # assigned before provisioning, never provisioned
    world.wait()
    assert calls(world, mark) == []


def test_deactivating_a_user_sonarqube_no_longer_has(world):
    setup(world)
    provisioned(world, FRANK)
    world.sonar.post(f"{world.sonar_url}/api/scim_management/disable").raise_for_status()
    world.sonar.post(f"{world.sonar_url}/api/scim_management/enable").raise_for_status()
    mark = len(world.wire())
    unassign(world, FRANK)
    world.wait()
    assert [r["status"] for r in sent(world, mark)] == [404]
    assert tasks(world) == []  # nothing left to deactivate
    [verify] = events(world, "application.provision.user.verify_exists")
    assert verify["outcome"]["result"] == "FAILURE"


# --- failures (§3) ------------------------------------------------------------------------------


def test_conflict_on_create_is_a_task_and_retry_succeeds(world):
    setup(world)
    fault(
        world,
        method="POST",
        path="/Users",
        status=409,
        count=5,
        body=scim_error(
            409, "User with userName 'frank.osei@example.com' already exists", "uniqueness"
        ),
        contentType="application/scim+json",
    )
    assign(world, FRANK)
    world.wait()
    message = (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: Error while creating "
        "user Frank Osei: Conflict. Errors reported by remote server: User with userName "
        "'frank.osei@example.com' already exists"
    )
    [task] = tasks(world)
    assert (task["kind"], task["userId"], task["errorSummary"]) == ("USER_ASSIGNED", FRANK, message)
    result = app_user(world, FRANK)
    assert (result["status"], result["syncState"], result["externalId"]) == (
        "STAGED",
        "ERROR",
        None,
    )
    assert app_user_row(world, FRANK)["error_summary"] == message
    [failed] = events(world, "application.provision.user.push")
    assert failed["outcome"] == {"result": "FAILURE", "reason": message}
    assert failed["severity"] == "ERROR"

    world.sonar.delete(f"{world.sonar_url}/_mock/faults").raise_for_status()
    mark = len(world.wire())
    okta(world, "POST", f"/_mock/tasks/{task['id']}/retry")
    world.wait()
    assert calls(world, mark) == [lookup("frank.osei@example.com"), ("POST", "/Users")]
    assert tasks(world) == []
    result = app_user(world, FRANK)
    assert (result["status"], result["syncState"]) == ("PROVISIONED", "SYNCHRONIZED")
    assert app_user_row(world, FRANK)["error_summary"] is None
    assert_managed(
        world.sonar_user("frank.osei@example.com"),
        name="Frank Osei",
        email="frank.osei@example.com",
    )


def test_provision_user_failure_keeps_the_red_mark(world):
    setup(world)
    fault(
        world,
        method="POST",
        path="/Users",
        status=409,
        body=scim_error(409, "taken"),
        contentType="application/scim+json",
    )
    provision(world, CAROL)
    world.wait()
    row = app_user_row(world, CAROL)
    assert row["provisioned_before_enabled"] == 1
    assert row["sync_state"] == "ERROR"
    assert row["error_summary"].endswith("Conflict. Errors reported by remote server: taken")
    assert provision(world, CAROL).status_code == 202  # Provision User can be clicked again
    world.wait()
    assert app_user(world, CAROL)["syncState"] == "SYNCHRONIZED"


def test_bad_token_is_the_credentials_error(world):
    world.enable_scim_and_make_token()
    world.configure_provisioning("squ_" + "0" * 40)
    world.enable_to_app()
    mark = len(world.wire())
    assign(world, FRANK)
    world.wait()
    [request] = sent(world, mark)
    assert request["status"] == 401
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: The credentials "
        "used to connect to the API were invalid; please check your configuration"
    )
    assert len(events(world, "application.integration.authentication_failure")) == 1


def test_sonarqube_unreachable(world):
    token = world.enable_scim_and_make_token()
    world.configure_provisioning(token)
    world.enable_to_app()
    okta(
        world,
        "PUT",
        f"/_mock/apps/{SONARQUBE_APP}/provisioning",
        json={"baseUrl": f"http://127.0.0.1:{free_port()}/api/scim/v2"},
    )
    assign(world, FRANK)
    world.wait()
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: Error while "
        "searching for user frank.osei@example.com: Could not connect to the remote server: "
        "connection refused"
    )
    [request] = world.wire()[-1:]
    assert (request["status"], request["error"] is not None) == (None, True)


def test_non_json_error_body_is_jacksons_parse_error(world):
    setup(world)
    fault(
        world,
        method="POST",
        path="/Users",
        status=500,
        body="Unsupported operation",
        contentType="text/plain",
    )
    assign(world, FRANK)
    world.wait()
    [task] = tasks(world)
    assert task["errorSummary"] == (
        "Automatic provisioning of user Frank Osei to app SonarQube failed: Error while creating "
        "user Frank Osei: Internal Server Error. Errors reported by remote server: Invalid JSON: "
        "Unrecognized token 'Unsupported': was expecting (JSON String, Number, Array, Object or "
        "token 'null', 'true' or 'false')"
    )


@pytest.mark.parametrize(("headers", "wait"), [({"Retry-After": "2"}, 2), ({}, 300)])
def test_rate_limited_create_waits_then_succeeds(world, headers, wait):
    mark = setup(world)
    fault(world, method="POST", path="/Users", status=429, headers=headers)
    assign(world, FRANK)
    waiting = wait_for_status(world, "WAITING")
    assert waiting["attempts"] == 1
    assert [r["status"] for r in sent(world, mark)] == [200, 429]
    [limited] = events(world, "application.integration.rate_limit_exceeded")
    assert limited["debugContext"]["debugData"]["retryInSeconds"] == wait
    assert tasks(world) == []
    if wait > 2:
        okta(world, "POST", "/_mock/clock", json={"advanceSeconds": wait - 5})
        db = connect(world.okta_app.config["DATABASE"])
        try:  # five seconds before the retry, the engine finds nothing due
            assert okta_outbox.next_due(db, clock.now(db)) is None
        finally:
            db.conn.close()
        assert outbox(world)[-1]["status"] == "WAITING"
    okta(world, "POST", "/_mock/clock", json={"advanceSeconds": wait + 1})
    world.wait()
    assert calls(world, mark) == [
        lookup("frank.osei@example.com"),
        ("POST", "/Users"),
        lookup("frank.osei@example.com"),
        ("POST", "/Users"),
    ]
    assert app_user(world, FRANK)["syncState"] == "SYNCHRONIZED"


# --- durability --------------------------------------------------------------------------------


class Crash(BaseException):
    """The process dies: not an error the engine could catch."""


def test_restart_delivers_once_and_a_crash_after_the_post_creates_no_duplicate(world, monkeypatch):
    mark = setup(world)
    world.okta_app.extensions["okta_provisioning"].stop()
    assign(world, FRANK)
    assign(world, GRACE)
    [frank_event, grace_event] = [e for e in outbox(world) if e["status"] == "PENDING"]
    assert calls(world, mark) == []

    # Frank's POST reaches SonarQube, then the process dies before Okta commits.
    def crash(*args, **kwargs):
        raise Crash

    db = connect(world.okta_app.config["DATABASE"])
    with monkeypatch.context() as patched:
        patched.setattr(users_push, "_commit_provisioned", crash)
        with pytest.raises(Crash):
            engine.process_next(db, HANDLERS)
    db.conn.close()
    assert calls(world, mark) == [lookup("frank.osei@example.com"), ("POST", "/Users")]
    assert status_of(world, frank_event) == "PENDING"

    worker = ProvisioningWorker(world.okta_app.config["DATABASE"]).start()
    world.okta_app.extensions["okta_provisioning"] = worker  # stopped by the fixture
    world.wait()
    frank_id = sent(world, mark)[1]["responseBody"]["id"]
    assert calls(world, mark)[2:] == [
        lookup("frank.osei@example.com"),  # the re-run finds what the first run created
        ("GET", f"/Users/{frank_id}"),
        ("PUT", f"/Users/{frank_id}"),
        lookup("grace.kim@example.com"),
        ("POST", "/Users"),
    ]
    assert app_user(world, FRANK)["externalId"] == frank_id
    everyone = world.sonar.get(
        f"{world.sonar_url}/api/users/search", params={"ps": 500, "q": "frank"}
    ).json()["users"]
    assert len(everyone) == 1
    assert (status_of(world, frank_event), status_of(world, grace_event)) == ("DONE", "DONE")
