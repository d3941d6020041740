"""Okta's membership PATCHes on /Groups (`add` to `members`, `remove` of `members[value eq
"id"]`) are applied member by member: the same outcome as applying them to the whole group
resource, at a cost that does not grow with the group."""

import shutil
from collections.abc import Callable
from unittest import mock

import pytest
from flask import Flask

from mock_common.web import get_db
from mock_sonar import create_app
from mock_sonar.scim import service
from tests.conftest import ADMIN
from tests.sonar.conftest import SCIM, create_user, okta_headers, post_json
from tests.sonar.test_scim_groups import DEFAULT_GROUP_REFUSED, create_group, map_default_group

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
PEOPLE = ("jane", "joe", "ann")
UNKNOWN = "no-such-scim-user"


def add(*names: str) -> dict:
    return {"op": "add", "path": "members", "value": [{"value": n, "display": n} for n in names]}


def remove(name: str) -> dict:
    return {"op": "remove", "path": f'members[value eq "{name}"]'}


#: Each case: the operations, by person (or UNKNOWN); the group starts with jane in it.
CASES = {
    "add a member": [add("joe")],
    "add two, one already in": [add("jane", "ann")],
    "remove a member": [remove("jane")],
    "remove someone not in the group": [remove("joe")],
    "remove an unknown id": [remove(UNKNOWN)],
    "remove with another case of the id": [{"op": "Remove", "path": 'Members[value eq "JANE"]'}],
    "add then remove in one PATCH": [add("joe"), remove("joe")],
    "remove then add back": [remove("jane"), add("jane")],
    "several operations": [add("joe"), add("ann"), remove("jane")],
    "add an unknown id": [add("joe", UNKNOWN)],
}


@pytest.fixture
def new_sonar(tmp_path, sonar_template, devenv_keys) -> Callable[[str], Flask]:
    def make(name: str) -> Flask:
        database = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(sonar_template, database)
        config = {"DATABASE": str(database), "TESTING": True, "BASE_URL": "http://sonar.test"}
        return create_app({**config, "KEYS_DIR": devenv_keys})

    return make


def scim_enabled(client) -> dict:
    """Turn SCIM on; the headers Okta sends with an admin's token."""
    client.post("/api/scim_management/enable", headers=ADMIN)
    token = client.post("/api/user_tokens/generate", headers=ADMIN, data={"name": "okta"})
    return okta_headers(token.get_json()["token"])


def patched_group(app: Flask, operations: list[dict]) -> dict:
    """Jane in group `team`, then the PATCH a minute later: what the client sees."""
    client = app.test_client()
    client.post("/_mock/clock", json={"freeze": "2025-03-01T09:00:00+00:00"}, headers=ADMIN)
    headers = scim_enabled(client)
    ids = {name: create_user(client, headers, f"{name}@example.com")["id"] for name in PEOPLE}
    names = {scim_id: name for name, scim_id in ids.items()}
    group = create_group(client, headers, "team", [ids["jane"]])
    client.post("/_mock/clock", json={"advanceSeconds": 60}, headers=ADMIN)

    def by_id(operation: dict) -> dict:
        path = operation.get("path", "")
        for name, scim_id in ids.items():
            path = path.replace(f'"{name}"', f'"{scim_id}"').replace(
                f'"{name.upper()}"', f'"{scim_id.upper()}"'
            )
        values = [
            {**v, "value": ids.get(v["value"], v["value"])} for v in operation.get("value", [])
        ]
        return {**operation, "path": path, **({"value": values} if values else {})}

    body = {"schemas": [PATCH_OP], "Operations": [by_id(op) for op in operations]}
    response = post_json(client, f"{SCIM}/Groups/{group['id']}", body, headers, method="PATCH")
    after = client.get(f"{SCIM}/Groups/{group['id']}", headers=headers).get_json()
    listed = client.get("/api/user_groups/search?q=team", headers=ADMIN).get_json()["groups"]
    return {
        "status": response.status_code,
        "body": response.get_json(silent=True),
        "members": sorted(names[m["value"]] for m in after["members"]),
        "lastModified": after["meta"]["lastModified"],
        "membersCount": listed[0]["membersCount"],
    }


@pytest.mark.parametrize("operations", CASES.values(), ids=CASES.keys())
def test_a_membership_patch_ends_as_the_whole_resource_patch_does(new_sonar, operations):
    member_by_member = patched_group(new_sonar("fast"), operations)
    with mock.patch.object(service, "_membership_steps", return_value=None):
        whole_resource = patched_group(new_sonar("whole"), operations)

    assert member_by_member == whole_resource


def test_what_a_membership_patch_does(new_sonar):
    added = patched_group(new_sonar("added"), [add("joe")])
    assert (added["status"], added["members"]) == (204, ["jane", "joe"])
    assert added["lastModified"] == "2025-03-01T09:01:00+00:00"

    unchanged = patched_group(new_sonar("unchanged"), [remove("joe")])
    assert (unchanged["status"], unchanged["members"]) == (204, ["jane"])
    assert unchanged["lastModified"] == "2025-03-01T09:00:00+00:00"

    refused = patched_group(new_sonar("refused"), [add("joe", UNKNOWN)])
    assert refused["status"] == 400
    assert refused["body"]["detail"] == f"User {UNKNOWN} not found"
    assert refused["members"] == ["jane"]


def test_the_default_group_refuses_a_membership_patch(sonar, scim, db):
    jane = create_user(sonar, scim, "jane@example.com")
    default_id = map_default_group(db)
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "remove", "path": f'members[value eq "{jane["id"]}"]'}],
    }
    response = post_json(sonar, f"{SCIM}/Groups/{default_id}", patch, scim, method="PATCH")
    assert response.status_code == 400
    assert response.get_json()["detail"] == DEFAULT_GROUP_REFUSED


def sqlite_work_of_a_membership_patch(app: Flask, group_size: int) -> int:
    """The SQLite virtual machine's instructions (in hundreds) one member's PATCH runs: it grows
    with the rows a request reads, whatever statements read them."""
    client = app.test_client()
    headers = scim_enabled(client)
    members = [create_user(client, headers, f"m{i}@example.com")["id"] for i in range(group_size)]
    newcomer = create_user(client, headers, "newcomer@example.com")["id"]
    group = create_group(client, headers, "big", members)
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": newcomer}]}],
    }
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # go on

    with app.app_context():  # the request below shares this context, so its connection
        get_db().conn.set_progress_handler(count, 100)
        response = post_json(client, f"{SCIM}/Groups/{group['id']}", patch, headers, "PATCH")
        get_db().conn.set_progress_handler(None, 0)
    assert response.status_code == 204
    return steps[0]


def test_a_membership_patch_costs_the_same_in_a_small_and_a_large_group(new_sonar):
    small = sqlite_work_of_a_membership_patch(new_sonar("small"), 2)
    large = sqlite_work_of_a_membership_patch(new_sonar("large"), 100)
    assert small > 0
    assert large <= small * 1.2
