"""fixtures/provisioned.json: the guide's end state, reached by Okta's push engine over HTTP.

Seeding enqueues the SCIM work as the console would; once Okta's queue is idle, both apps'
public APIs show the end state of SonarQube's SCIM guide.
"""

import pytest
import requests

from tests.e2e.world import FIXTURES, SONARQUBE_APP, live_world

TOKEN = "squ_5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
#: The app's users: alice, bob, carol directly, and sonar-developers by group (Kate is
#: SUSPENDED, which keeps her assignment and is pushed like an active user).
APP_USERS = {
    "alice.martin@example.com",
    "bob.nguyen@example.com",
    "carol.smith@example.com",
    "dave.lee@example.com",
    "erin.kowalski@example.com",
    "jack.moreau@example.com",
    "kate.novak@example.com",
}
#: Pushed group -> its members that are app users (Frank and Grace are not assigned).
PUSHED = {
    "sonar-developers": {
        "alice.martin@example.com",
        "dave.lee@example.com",
        "erin.kowalski@example.com",
        "jack.moreau@example.com",
        "kate.novak@example.com",
    },
    "sonar-qa": {"carol.smith@example.com"},
    "sonar-admins": set(),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory, devenv_keys):
    """One end state for the read-only tests of this module."""
    folder = tmp_path_factory.mktemp("provisioned")
    with live_world(folder, devenv_keys, FIXTURES / "provisioned.json") as state:
        state.wait()
        yield state


def okta_get(world, path: str):
    response = world.okta.get(f"{world.okta_url}{path}")
    assert response.status_code == 200, response.text
    return response.json()


def scim(world, path: str, **params) -> dict:
    response = requests.get(
        f"{world.sonar_url}/api/scim/v2{path}",
        params=params,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_scim_is_enabled_in_sonarqube(world):
    response = world.sonar.get(f"{world.sonar_url}/api/scim_management/status")
    assert response.json() == {"enabled": True}


def test_the_fixed_token_authenticates_the_web_api(world):
    response = requests.get(
        f"{world.sonar_url}/api/users/current",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["login"] == "admin"


def test_the_app_users_are_synchronized_with_their_scim_ids(world):
    app_users = okta_get(world, f"/api/v1/apps/{SONARQUBE_APP}/users?limit=200")
    by_name = {u["credentials"]["userName"]: u for u in app_users}
    assert set(by_name) == APP_USERS
    for name, app_user in by_name.items():
        assert (app_user["status"], app_user["syncState"]) == ("PROVISIONED", "SYNCHRONIZED")
        (resource,) = scim(world, "/Users", filter=f'userName eq "{name}"')["Resources"]
        assert resource["id"] == app_user["externalId"]
        assert resource["active"] is True


def test_the_app_users_are_managed_users_in_sonarqube(world):
    for name in APP_USERS:
        user = world.sonar_user(name)
        assert user is not None, name
        assert (user["managed"], user["active"], user["externalProvider"]) == (True, True, "saml")


def test_the_saml_jit_users_were_adopted(world):
    # SCIM created alice and bob under their external identity: SonarQube kept their accounts.
    assert world.sonar_user("alice.martin@example.com")["login"] == "alice-martin-example-com20417"
    assert world.sonar_user("bob.nguyen@example.com")["login"] == "bob-nguyen-example-com88102"


def test_the_sonar_groups_are_managed_with_their_members(world):
    for name, members in PUSHED.items():
        group = world.sonar_group(name)
        assert group is not None, name
        assert (group["managed"], group["membersCount"]) == (True, len(members)), name
        scim_group = scim(world, "/Groups", filter=f'displayName eq "{name}"')["Resources"][0]
        assert {m["display"] for m in scim_group.get("members", [])} == members, name


def test_the_push_mappings_are_active(world):
    mappings = okta_get(world, f"/api/v1/apps/{SONARQUBE_APP}/group-push/mappings")
    assert sorted(m["sourceGroupId"] for m in mappings) == [
        "00gsonaradmins000003",
        "00gsonardevelopers01",
        "00gsonarqa0000000002",
    ]
    assert {(m["status"], m["errorSummary"]) for m in mappings} == {("ACTIVE", "")}
    assert all(m["lastPush"] for m in mappings)


def test_the_push_rule_is_active(world):
    (rule,) = okta_get(world, f"/_mock/apps/{SONARQUBE_APP}/group-push/rules")
    assert (rule["name"], rule["status"], rule["groupName"]) == (
        "sonar groups",
        "ACTIVE",
        {"startsWith": "sonar-"},
    )


def test_nothing_failed(world):
    assert okta_get(world, "/_mock/tasks") == []
    failed = [r for r in world.wire() if r["status"] is None or r["status"] >= 400]
    assert failed == []


def test_no_assignment_needs_attention(world):
    rows = okta_get(world, f"/_mock/apps/{SONARQUBE_APP}/assignments")
    assert {r["userName"] for r in rows} == APP_USERS
    assert [r for r in rows if r["provisioningIssue"] or r["canProvisionUser"]] == []


def test_the_to_app_switches_are_on(world):
    feature = okta_get(world, f"/api/v1/apps/{SONARQUBE_APP}/features/USER_PROVISIONING")
    capabilities = feature["capabilities"]
    assert capabilities["create"]["lifecycleCreate"]["status"] == "ENABLED"
    assert capabilities["update"]["profile"]["status"] == "ENABLED"
    assert capabilities["update"]["lifecycleDeactivate"]["status"] == "ENABLED"


def test_a_reset_returns_to_the_end_state(provisioned_world):
    world = provisioned_world
    world.wait()
    # The remembered fixture is the resolved one: the reset queues the same work again.
    # SonarQube first, so that Okta's pushes reach the reset SonarQube.
    assert world.sonar.post(f"{world.sonar_url}/_mock/reset").status_code == 204
    assert world.sonar_user("dave.lee@example.com") is None
    assert world.okta.post(f"{world.okta_url}/_mock/reset").status_code == 204
    world.wait()
    assert okta_get(world, "/_mock/tasks") == []
    assert world.sonar_user("dave.lee@example.com")["managed"] is True
    assert len(okta_get(world, f"/api/v1/apps/{SONARQUBE_APP}/group-push/mappings")) == 3
