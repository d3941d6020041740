"""Push Groups end to end, both apps live: the group rows of the trigger matrix.

reference/okta.md §2 (by name and by rule, the create sequence, membership changes, rename,
deactivate/activate, Push Now, unlink), §3 (errors: mapping ERROR + errorSummary, tasks, System
Log), §5.7 (Group Push Mappings API), §5.8. Each test asserts the exact SCIM requests Okta sent
to /Groups and what SonarQube ends up with.

App users are provisioned through the console's Provision User action (the real flow: lookup,
then POST /Users), so group members carry SonarQube's SCIM ids.
"""

import json
from urllib.parse import quote

import pytest

from tests.e2e.world import SONARQUBE_APP

ALICE, ALICE_LOGIN = "00ualicemartin000001", "alice.martin@example.com"
BOB = "00ubobnguyen00000002"
CAROL, CAROL_LOGIN = "00ucarolsmith0000003", "carol.smith@example.com"
DAVE, DAVE_LOGIN = "00udavelee0000000004", "dave.lee@example.com"
ERIN, JACK, KATE = "00uerinkowalski00005", "00ujackmoreau0000010", "00ukatenovak00000011"
FRANK, FRANK_LOGIN = "00ufrankosei00000006", "frank.osei@example.com"
GRACE, GRACE_LOGIN = "00ugracekim000000007", "grace.kim@example.com"
HENRY, HENRY_LOGIN = "00uhenrydubois000008", "henry.dubois@example.com"
IVY, IVY_LOGIN = "00uivychen0000000009", "ivy.chen@example.com"
DEVELOPERS, QA, ADMINS = "00gsonardevelopers01", "00gsonarqa0000000002", "00gsonaradmins000003"

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
APP_URL = f"/api/v1/apps/{SONARQUBE_APP}"
CONSOLE_URL = f"/_mock/apps/{SONARQUBE_APP}"


class Scene:
    """The guide's end state for Push Groups: SCIM connected, alice, carol and dave provisioned."""

    def __init__(self, world, dialect: str):
        self.world, self.dialect = world, dialect
        self.token = world.enable_scim_and_make_token()
        world.configure_provisioning(self.token, dialect=dialect)
        world.enable_to_app()
        for user_id in (ALICE, CAROL, DAVE):
            self.okta("POST", f"{CONSOLE_URL}/users/{user_id}/provision", expect=202)
        world.wait()
        self.mark = len(world.wire())

    # --- Okta
    def okta(self, method: str, path: str, *, expect: int | None = None, **kwargs):
        response = self.world.okta.request(method, f"{self.world.okta_url}{path}", **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def push(self, group_id: str, name: str, status: str = "ACTIVE") -> dict:
        """Push Groups by name, through the Group Push Mappings API (§5.7)."""
        body = {"sourceGroupId": group_id, "status": status, "targetGroupName": name}
        mapping = self.okta("POST", f"{APP_URL}/group-push/mappings", json=body, expect=201)
        self.world.wait()
        return mapping.json()

    def mapping(self, mapping_id: str) -> dict:
        return self.okta("GET", f"{APP_URL}/group-push/mappings/{mapping_id}", expect=200).json()

    def set_status(self, mapping_id: str, status: str) -> None:
        path = f"{APP_URL}/group-push/mappings/{mapping_id}"
        self.okta("PATCH", path, json={"status": status}, expect=200)
        self.world.wait()

    def join(self, group_id: str, user_id: str) -> None:
        self.okta("PUT", f"/api/v1/groups/{group_id}/users/{user_id}", expect=204)
        self.world.wait()

    def leave(self, group_id: str, user_id: str) -> None:
        self.okta("DELETE", f"/api/v1/groups/{group_id}/users/{user_id}", expect=204)
        self.world.wait()

    def member(self, user_id: str, login: str) -> dict:
        """The members entry Okta sends: SonarQube's SCIM id and the userName (§2.4)."""
        app_user = self.okta("GET", f"{APP_URL}/users/{user_id}", expect=200).json()
        return {"value": app_user["externalId"], "display": login}

    def log(self, event_type: str) -> list[dict]:
        params = {"filter": f'eventType eq "{event_type}"'}
        return self.okta("GET", "/api/v1/logs", params=params, expect=200).json()

    # --- the wire
    def sent(self) -> list[tuple[str, str, object]]:
        """(method, path relative to the SCIM base, body) of /Groups requests since the mark."""
        base = f"{self.world.sonar_url}/api/scim/v2"
        requests = self.world.wire()[self.mark :]
        self.mark += len(requests)
        return [
            (r["method"], r["url"].removeprefix(base), r["requestBody"])
            for r in requests
            if "/Groups" in r["url"]
        ]

    # --- SonarQube
    def scim_group(self, name: str) -> dict | None:
        """The group as SonarQube's SCIM API shows it."""
        response = self.world.sonar.get(
            f"{self.world.sonar_url}/api/scim/v2/Groups",
            params={"filter": f'displayName eq "{name}"'},
            headers={"Authorization": f"Bearer {self.token}"},
            auth=None,
        )
        resources = response.json()["Resources"]
        return resources[0] if resources else None

    def members_of(self, name: str) -> set[str]:
        return {m["value"] for m in self.scim_group(name)["members"]}


@pytest.fixture
def scene(world, request):
    dialect = getattr(request, "param", "CUSTOM_APP")
    return Scene(world, dialect)


def both_dialects(test):
    """Run a scene test once per dialect."""
    return pytest.mark.parametrize("scene", ["CUSTOM_APP", "OIN"], indirect=True)(test)


# --- expected traffic -----------------------------------------------------------------------------


def lookup(name: str) -> tuple[str, str, None]:
    """`GET /Groups?filter=displayName eq "x"&startIndex=1&count=100`, %20-encoded (§2.3)."""
    query = quote(f'displayName eq "{name}"', safe="")
    return ("GET", f"/Groups?filter={query}&startIndex=1&count=100", None)


def post(name: str) -> tuple[str, str, dict]:
    return ("POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []})


def get_and_put(scim_id: str, name: str, members: list[dict]) -> list[tuple]:
    """The custom-app dialect's update: GET, then PUT of the full group (§2.4)."""
    body = {"schemas": [GROUP_SCHEMA], "id": scim_id, "displayName": name, "members": members}
    return [("GET", f"/Groups/{scim_id}", None), ("PUT", f"/Groups/{scim_id}", body)]


def patch(scim_id: str, *operations: dict) -> tuple[str, str, dict]:
    return ("PATCH", f"/Groups/{scim_id}", {"schemas": [PATCH_OP], "Operations": list(operations)})


def name_patch(scim_id: str, name: str) -> tuple[str, str, dict]:
    """OIN: the path-less `replace {id, displayName}` (§2.5)."""
    return patch(scim_id, {"op": "replace", "value": {"id": scim_id, "displayName": name}})


def created(dialect: str, scim_id: str, name: str, members: list[dict]) -> list[tuple]:
    """The whole create sequence of a pushed group (§2.3, §5.8)."""
    if dialect == "CUSTOM_APP":
        return [lookup(name), post(name), *get_and_put(scim_id, name, members)]
    added = [patch(scim_id, {"op": "add", "path": "members", "value": members})]
    return [lookup(name), post(name), name_patch(scim_id, name), *(added if members else [])]


def full_push(dialect: str, scim_id: str, name: str, members: list[dict]) -> list[tuple]:
    """Activation and Push Now: the complete member list, possibly empty (§2.4, §2.6)."""
    if dialect == "CUSTOM_APP":
        return get_and_put(scim_id, name, members)
    replace = {"op": "replace", "path": "members", "value": members}
    return [name_patch(scim_id, name), patch(scim_id, replace)]


# --- push by name (§2.3) -------------------------------------------------------------------------


@both_dialects
def test_push_by_name_creates_the_group_with_its_provisioned_members(scene):
    mapping = scene.push(DEVELOPERS, "sonar-developers")

    scim_id = scene.scim_group("sonar-developers")["id"]
    members = [scene.member(ALICE, ALICE_LOGIN), scene.member(DAVE, DAVE_LOGIN)]
    assert scene.sent() == created(scene.dialect, scim_id, "sonar-developers", members)
    # SonarQube adopted its hand-made group of that name (reference/sonarqube.md §3.3).
    group = scene.world.sonar_group("sonar-developers")
    assert (group["managed"], group["membersCount"]) == (True, 2)
    assert scene.members_of("sonar-developers") == {m["value"] for m in members}
    pushed = scene.mapping(mapping["id"])
    assert (pushed["status"], pushed["errorSummary"]) == ("ACTIVE", "")
    assert pushed["lastPush"] is not None


def test_only_assigned_provisioned_active_members_are_pushed(scene):
    scene.push(DEVELOPERS, "sonar-developers")
    # erin and jack are assigned but not provisioned; kate is suspended and not provisioned.
    (ignored,) = scene.log("app.user_management.grouppush.mapping.okta.users.ignored")
    assert ignored["debugContext"]["debugData"]["ignoredUserIds"] == [ERIN, JACK, KATE]
    assert [t["id"] for t in ignored["target"]] == [SONARQUBE_APP, DEVELOPERS]


def test_the_requests_carry_okta_headers(scene):
    scene.push(QA, "sonar-qa")
    requests = [r for r in scene.world.wire() if "/Groups" in r["url"]]
    assert [r["method"] for r in requests] == ["GET", "POST", "GET", "PUT"]
    for request in requests:
        headers = request["requestHeaders"]
        assert headers["User-Agent"] == "Okta SCIM Client 1.0.0"
        assert headers["Accept"] == "application/scim+json"
        assert headers["Authorization"] == "Bearer ***"
        has_body = request["method"] in ("POST", "PUT")
        assert headers.get("Content-Type") == (
            "application/scim+json; charset=utf-8" if has_body else None
        )
    assert [r["status"] for r in requests] == [200, 201, 200, 200]


# --- push by rule (§2.2) -------------------------------------------------------------------------


@both_dialects
def test_push_by_rule_pushes_the_matching_groups(scene):
    rule = {"name": "SonarQube groups", "groupName": {"startsWith": "sonar-"}}
    response = scene.okta("POST", f"{CONSOLE_URL}/group-push/rules", json=rule, expect=201)
    scene.world.wait()

    body = response.json()
    assert (body["name"], body["status"], body["groupName"]) == (
        "SonarQube groups",
        "ACTIVE",
        {"startsWith": "sonar-"},
    )
    mappings = scene.okta("GET", f"{APP_URL}/group-push/mappings", expect=200).json()
    assert [m["id"] for m in mappings] == body["mappingIds"]
    assert [m["sourceGroupId"] for m in mappings] == [DEVELOPERS, QA, ADMINS]
    assert {m["status"] for m in mappings} == {"ACTIVE"}
    ids = {
        name: scene.scim_group(name)["id"]
        for name in ("sonar-developers", "sonar-qa", "sonar-admins")
    }
    alice, carol, dave = (
        scene.member(ALICE, ALICE_LOGIN),
        scene.member(CAROL, CAROL_LOGIN),
        scene.member(DAVE, DAVE_LOGIN),
    )
    assert scene.sent() == [
        *created(scene.dialect, ids["sonar-developers"], "sonar-developers", [alice, dave]),
        *created(scene.dialect, ids["sonar-qa"], "sonar-qa", [carol]),
        *created(scene.dialect, ids["sonar-admins"], "sonar-admins", []),
    ]
    groups = {name: scene.world.sonar_group(name) for name in ids}
    counts = {name: (g["managed"], g["membersCount"]) for name, g in groups.items()}
    assert counts == {
        "sonar-developers": (True, 2),
        "sonar-qa": (True, 1),
        "sonar-admins": (True, 0),
    }
    for name in ("engineering", "sales", "marketing"):
        assert scene.world.sonar_group(name) is None


def test_a_group_created_while_the_rule_is_active_is_pushed(scene):
    rule = {"name": "sonar", "groupName": {"startsWith": "sonar-"}, "pushImmediately": True}
    rule_id = scene.okta("POST", f"{CONSOLE_URL}/group-push/rules", json=rule, expect=201).json()[
        "id"
    ]
    scene.world.wait()
    scene.sent()

    profile = {"profile": {"name": "sonar-architects", "description": "Architects"}}
    group = scene.okta("POST", "/api/v1/groups", json=profile, expect=200).json()
    # Okta pushes a group's members as they are at delivery: wait for the first push to end
    # before alice joins, or she may already be in it.
    scene.world.wait()
    scene.join(group["id"], ALICE)
    scene.world.wait()

    scim_id = scene.scim_group("sonar-architects")["id"]
    alice = scene.member(ALICE, ALICE_LOGIN)
    # The group is pushed empty (the rule saw it on creation), then alice joins it.
    assert scene.sent() == [
        *created("CUSTOM_APP", scim_id, "sonar-architects", []),
        *get_and_put(scim_id, "sonar-architects", [alice]),
    ]
    rules = scene.okta("GET", f"{CONSOLE_URL}/group-push/rules", expect=200).json()
    assert len(rules[0]["mappingIds"]) == 4

    scene.okta("POST", f"{CONSOLE_URL}/group-push/rules/{rule_id}/lifecycle/deactivate", expect=200)
    scene.okta("POST", "/api/v1/groups", json={"profile": {"name": "sonar-later"}}, expect=200)
    scene.world.wait()
    assert scene.sent() == []


@pytest.mark.parametrize("delete", [True, False])
def test_deleting_a_rule_deletes_or_leaves_its_groups(scene, delete):
    rule = {"name": "sonar", "groupName": {"startsWith": "sonar-"}}
    rule_id = scene.okta("POST", f"{CONSOLE_URL}/group-push/rules", json=rule, expect=201).json()[
        "id"
    ]
    scene.world.wait()
    names = ("sonar-developers", "sonar-qa", "sonar-admins")
    ids = [scene.scim_group(name)["id"] for name in names]
    scene.sent()

    path = f"{CONSOLE_URL}/group-push/rules/{rule_id}?deleteTargetGroups={str(delete).lower()}"
    scene.okta("DELETE", path, expect=204)
    scene.world.wait()

    assert scene.sent() == ([("DELETE", f"/Groups/{i}", None) for i in ids] if delete else [])
    assert [scene.world.sonar_group(name) is None for name in names] == [delete] * 3
    assert scene.okta("GET", f"{APP_URL}/group-push/mappings", expect=200).json() == []
    assert scene.okta("GET", f"{CONSOLE_URL}/group-push/rules", expect=200).json() == []


# --- membership changes (§2.4) ------------------------------------------------------------------


@both_dialects
def test_membership_changes_are_pushed(scene):
    scene.push(DEVELOPERS, "sonar-developers")
    scim_id = scene.scim_group("sonar-developers")["id"]
    scene.sent()
    alice, carol, dave = (
        scene.member(ALICE, ALICE_LOGIN),
        scene.member(CAROL, CAROL_LOGIN),
        scene.member(DAVE, DAVE_LOGIN),
    )

    scene.join(DEVELOPERS, CAROL)  # carol is assigned directly: she keeps the app
    assert scene.members_of("sonar-developers") == {alice["value"], carol["value"], dave["value"]}
    scene.leave(DEVELOPERS, CAROL)

    if scene.dialect == "CUSTOM_APP":
        expected = [
            *get_and_put(scim_id, "sonar-developers", [alice, carol, dave]),
            *get_and_put(scim_id, "sonar-developers", [alice, dave]),
        ]
    else:
        expected = [
            name_patch(scim_id, "sonar-developers"),
            patch(scim_id, {"op": "add", "path": "members", "value": [carol]}),
            name_patch(scim_id, "sonar-developers"),
            patch(scim_id, {"op": "remove", "path": f'members[value eq "{carol["value"]}"]'}),
        ]
    assert scene.sent() == expected
    assert scene.members_of("sonar-developers") == {alice["value"], dave["value"]}


def test_leaving_the_assigning_group_deactivates_without_a_group_update(scene):
    # sonar-developers both assigns the app and is pushed, which Okta does not support: dave
    # loses the app and is deactivated, and no membership removal is sent (§2.1).
    scene.push(DEVELOPERS, "sonar-developers")
    scene.sent()
    scene.leave(DEVELOPERS, DAVE)
    assert scene.sent() == []
    assert scene.world.sonar_user(DAVE_LOGIN) is None
    assert scene.world.sonar_user(DAVE_LOGIN, deactivated=True) is not None


def test_a_member_who_is_not_provisioned_is_ignored(scene):
    scene.push(QA, "sonar-qa")
    scene.sent()
    scene.join(QA, BOB)  # assigned before provisioning, never provisioned
    assert scene.sent() == []
    ignored = scene.log("app.user_management.grouppush.mapping.okta.users.ignored")
    assert ignored[-1]["debugContext"]["debugData"]["ignoredUserIds"] == [BOB]


def test_a_new_member_of_an_assigned_group_is_provisioned_then_pushed(scene):
    scene.push(DEVELOPERS, "sonar-developers")
    scim_id = scene.scim_group("sonar-developers")["id"]
    mark = len(scene.world.wire())
    scene.join(DEVELOPERS, FRANK)  # sonar-developers is assigned to the app: frank gets it

    base = f"{scene.world.sonar_url}/api/scim/v2"
    methods = [(r["method"], r["url"].removeprefix(base)) for r in scene.world.wire()[mark:]]
    assert methods[-3:] == [
        ("POST", "/Users"),
        ("GET", f"/Groups/{scim_id}"),
        ("PUT", f"/Groups/{scim_id}"),
    ]
    frank = scene.member(FRANK, FRANK_LOGIN)
    assert frank["value"] in scene.members_of("sonar-developers")


@both_dialects
def test_members_who_join_together_are_pushed_in_one_request(scene):
    # Assigning a pushed group provisions its members one by one; the memberships they bring
    # are all recorded by the time the first is sent, and go out together (§2.4: Okta batches).
    bulk = scene.okta("POST", "/api/v1/groups", json={"profile": {"name": "sonar-bulk"}})
    bulk_id = bulk.json()["id"]
    for user_id in (GRACE, HENRY, IVY):
        scene.okta("PUT", f"/api/v1/groups/{bulk_id}/users/{user_id}", expect=204)
    scene.push(bulk_id, "sonar-bulk")  # nobody in it is provisioned yet: an empty group
    scim_id = scene.scim_group("sonar-bulk")["id"]
    scene.sent()

    scene.okta("PUT", f"{APP_URL}/groups/{bulk_id}", json={}, expect=200)
    scene.world.wait()

    members = [
        scene.member(GRACE, GRACE_LOGIN),
        scene.member(HENRY, HENRY_LOGIN),
        scene.member(IVY, IVY_LOGIN),
    ]
    if scene.dialect == "CUSTOM_APP":
        expected = get_and_put(scim_id, "sonar-bulk", members)
    else:
        expected = [
            name_patch(scim_id, "sonar-bulk"),
            patch(scim_id, {"op": "add", "path": "members", "value": members}),
        ]
    assert scene.sent() == expected
    assert scene.members_of("sonar-bulk") == {member["value"] for member in members}
    assert len(scene.log("application.provision.group_push.updated")) == 1


@both_dialects
def test_changes_recorded_while_okta_is_busy_go_out_together(scene):
    scene.push(QA, "sonar-qa")
    scim_id = scene.scim_group("sonar-qa")["id"]
    scene.sent()
    # SonarQube answers Erin's lookup after a second: the changes below queue up meanwhile.
    fault = {"count": 1, "method": "GET", "path": "/Users", "delaySeconds": 1}
    sonar = scene.world.sonar_url
    scene.world.sonar.post(f"{sonar}/_mock/faults", json=fault).raise_for_status()
    scene.okta("POST", f"{CONSOLE_URL}/users/{ERIN}/provision", expect=202)
    for method, user_id in (("PUT", ALICE), ("DELETE", CAROL), ("PUT", BOB), ("PUT", DAVE)):
        scene.okta(method, f"/api/v1/groups/{QA}/users/{user_id}", expect=204)
    scene.world.wait()

    alice, carol = scene.member(ALICE, ALICE_LOGIN), scene.member(CAROL, CAROL_LOGIN)
    dave = scene.member(DAVE, DAVE_LOGIN)
    if scene.dialect == "CUSTOM_APP":
        expected = get_and_put(scim_id, "sonar-qa", [alice, dave])
    else:
        # Removes first, then one add of several members: the batch Okta was seen to send.
        expected = [
            name_patch(scim_id, "sonar-qa"),
            patch(
                scim_id,
                {"op": "remove", "path": f'members[value eq "{carol["value"]}"]'},
                {"op": "add", "path": "members", "value": [alice, dave]},
            ),
        ]
    assert scene.sent() == expected
    assert scene.members_of("sonar-qa") == {alice["value"], dave["value"]}
    # Bob is not provisioned: his change is not in the batch and is logged as ignored.
    ignored = scene.log("app.user_management.grouppush.mapping.okta.users.ignored")
    assert ignored[-1]["debugContext"]["debugData"]["ignoredUserIds"] == [BOB]


# --- rename (§2.5) -------------------------------------------------------------------------------


@both_dialects
def test_rename_is_pushed(scene):
    mapping = scene.push(QA, "sonar-qa")
    scim_id = scene.scim_group("sonar-qa")["id"]
    scene.sent()

    profile = {"profile": {"name": "sonar-quality", "description": "QA"}}
    scene.okta("PUT", f"/api/v1/groups/{QA}", json=profile, expect=200)
    scene.world.wait()

    if scene.dialect == "CUSTOM_APP":
        carol = scene.member(CAROL, CAROL_LOGIN)
        assert scene.sent() == get_and_put(scim_id, "sonar-quality", [carol])
    else:
        assert scene.sent() == [name_patch(scim_id, "sonar-quality")]
    assert scene.world.sonar_group("sonar-qa") is None
    assert scene.scim_group("sonar-quality")["id"] == scim_id
    target = scene.okta("GET", f"/api/v1/groups/{mapping['targetGroupId']}", expect=200).json()
    assert target["profile"]["name"] == "sonar-quality"


# --- deactivate / activate / Push Now (§2.6) ------------------------------------------------------


@both_dialects
def test_inactive_push_sends_nothing_and_activation_pushes_everything(scene):
    mapping = scene.push(DEVELOPERS, "sonar-developers")
    scim_id = scene.scim_group("sonar-developers")["id"]
    scene.set_status(mapping["id"], "INACTIVE")
    scene.sent()

    scene.join(DEVELOPERS, CAROL)
    assert scene.sent() == []

    scene.set_status(mapping["id"], "ACTIVE")
    members = [
        scene.member(ALICE, ALICE_LOGIN),
        scene.member(CAROL, CAROL_LOGIN),
        scene.member(DAVE, DAVE_LOGIN),
    ]
    assert scene.sent() == full_push(scene.dialect, scim_id, "sonar-developers", members)
    assert scene.world.sonar_group("sonar-developers")["membersCount"] == 3


@both_dialects
def test_push_now_of_an_empty_group_sends_no_members(scene):
    mapping = scene.push(ADMINS, "sonar-admins")  # grace is not assigned to the app
    scim_id = scene.scim_group("sonar-admins")["id"]
    scene.sent()

    path = f"{CONSOLE_URL}/group-push/mappings/{mapping['id']}/push"
    assert scene.okta("POST", path, expect=202).json() == {}
    scene.world.wait()

    assert scene.sent() == full_push(scene.dialect, scim_id, "sonar-admins", [])
    assert len(scene.log("application.provision.group_push.push_memberships")) == 1


def test_push_now_of_an_inactive_push_is_refused(scene):
    mapping = scene.push(ADMINS, "sonar-admins", status="INACTIVE")
    response = scene.okta("POST", f"{CONSOLE_URL}/group-push/mappings/{mapping['id']}/push")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000027"
    assert scene.sent() == []


# --- unlink (§2.7) -------------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [True, False])
def test_unlink_deletes_or_leaves_the_group(scene, delete):
    mapping = scene.push(QA, "sonar-qa")
    scim_id = scene.scim_group("sonar-qa")["id"]
    scene.set_status(mapping["id"], "INACTIVE")
    scene.sent()

    path = f"{APP_URL}/group-push/mappings/{mapping['id']}?deleteTargetGroup={str(delete).lower()}"
    scene.okta("DELETE", path, expect=204)
    scene.world.wait()

    assert scene.sent() == ([("DELETE", f"/Groups/{scim_id}", None)] if delete else [])
    assert (scene.world.sonar_group("sonar-qa") is None) is delete
    # The APP_GROUP that stood for the group in Okta goes with it, or stays.
    target = scene.okta("GET", f"/api/v1/groups/{mapping['targetGroupId']}")
    assert target.status_code == (404 if delete else 200)
    assert len(scene.log("application.provision.group_push.delete_appgroup")) == int(delete)


# --- errors (§2.8, §3) ----------------------------------------------------------------------------


def test_conflict_on_create_is_an_error_and_retry_all_groups_recovers(scene):
    fault = {
        "status": 409,
        "method": "POST",
        "path": "/Groups",
        "contentType": "application/scim+json",
        "body": json.dumps(
            {"schemas": [ERROR_SCHEMA], "status": "409", "detail": "A group named sonar-qa exists"}
        ),
    }
    sonar = scene.world.sonar_url
    scene.world.sonar.post(f"{sonar}/_mock/faults", json=fault).raise_for_status()
    mapping = scene.push(QA, "sonar-qa")

    summary = (
        "Unable to update Group Push mapping target App group sonar-qa: Error while creating "
        "user group sonar-qa: Conflict. Errors reported by remote server: A group named "
        "sonar-qa exists"
    )
    failed = scene.mapping(mapping["id"])
    assert (failed["status"], failed["errorSummary"]) == ("ERROR", summary)
    (task,) = scene.okta("GET", "/_mock/tasks", expect=200).json()
    assert (task["kind"], task["groupId"], task["mappingId"], task["errorSummary"]) == (
        "PUSH_MAPPING_CREATED",
        QA,
        mapping["id"],
        summary,
    )
    (logged,) = scene.log("application.provision.group.add")
    assert logged["outcome"] == {"result": "FAILURE", "reason": summary}
    assert scene.sent() == [lookup("sonar-qa"), post("sonar-qa")]

    scene.world.sonar.delete(f"{sonar}/_mock/faults").raise_for_status()
    retried = scene.okta("POST", f"{CONSOLE_URL}/group-push/retry", expect=202).json()
    assert retried == {"mappingIds": [mapping["id"]]}
    scene.world.wait()

    healed = scene.mapping(mapping["id"])
    assert (healed["status"], healed["errorSummary"]) == ("ACTIVE", "")
    scim_id = scene.scim_group("sonar-qa")["id"]
    carol = scene.member(CAROL, CAROL_LOGIN)
    assert scene.sent() == created("CUSTOM_APP", scim_id, "sonar-qa", [carol])
    assert scene.okta("GET", "/_mock/tasks", expect=200).json() == []


def test_a_failed_membership_push_stops_pushes_until_the_task_is_retried(scene):
    mapping = scene.push(DEVELOPERS, "sonar-developers")
    scim_id = scene.scim_group("sonar-developers")["id"]
    sonar = scene.world.sonar_url
    fault = {"status": 500, "method": "PUT", "path": "/Groups"}
    scene.world.sonar.post(f"{sonar}/_mock/faults", json=fault).raise_for_status()
    scene.sent()

    scene.join(DEVELOPERS, CAROL)
    failed = scene.mapping(mapping["id"])
    assert failed["status"] == "ERROR"
    assert failed["errorSummary"] == (
        "Unable to update Group Push mapping target App group sonar-developers: Error while "
        "updating user group membership for group sonar-developers Internal Server Error. "
        "Errors reported by remote server: Internal Server Error"
    )
    scene.leave(DEVELOPERS, CAROL)  # the push is in ERROR: nothing is sent
    alice, carol = scene.member(ALICE, ALICE_LOGIN), scene.member(CAROL, CAROL_LOGIN)
    dave = scene.member(DAVE, DAVE_LOGIN)
    assert scene.sent() == get_and_put(scim_id, "sonar-developers", [alice, carol, dave])

    (task,) = scene.okta("GET", "/_mock/tasks", expect=200).json()
    scene.okta("POST", f"/_mock/tasks/{task['id']}/retry", expect=202)
    scene.world.wait()
    # The retry pushes the whole group as it is now.
    assert scene.sent() == get_and_put(scim_id, "sonar-developers", [alice, dave])
    assert scene.mapping(mapping["id"])["status"] == "ACTIVE"
