"""The SonarQube "SCIM with Okta" guide (shared/seed/sonarqube-okta-scim.md), step by step,
through the public APIs and the console-only JSON actions, with the outcome of each step."""

from tests.e2e.world import SONARQUBE_APP

ASSIGNED_BEFORE = (
    "User was assigned this application before Provisioning was enabled and not "
    "provisioned in the downstream application. Click Provision User."
)


def test_the_whole_guide(world):
    okta, sonar = world.okta, world.sonar
    app = f"{world.okta_url}/api/v1/apps/{SONARQUBE_APP}"
    console = f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}"

    # Configuring SonarQube Server: Automatic provisioning with SCIM, then Step 1: a token of
    # a local admin.
    token = world.enable_scim_and_make_token()
    assert sonar.get(f"{world.sonar_url}/api/scim_management/status").json() == {"enabled": True}

    # Steps 2-5: General > App Settings > SCIM; Provisioning > SCIM Connection.
    world.configure_provisioning(token)
    # Users assigned before provisioning carry the red "!" (Provisioning already assigned users).
    tab = {row["userName"]: row for row in okta.get(f"{console}/assignments").json()}
    assert tab["alice.martin@example.com"]["provisioningIssue"] == ASSIGNED_BEFORE

    # Step 6: Push Groups by name and by rule ("sonar-" starts with).
    okta.post(
        f"{app}/group-push/mappings",
        json={
            "sourceGroupId": "00gsonarqa0000000002",
            "status": "ACTIVE",
            "targetGroupName": "sonar-qa",
        },
    ).raise_for_status()
    rule = okta.post(
        f"{console}/group-push/rules",
        json={"name": "sonar groups", "groupName": {"startsWith": "sonar-"}},
    )
    assert rule.status_code == 201, rule.text
    assert len(rule.json()["mappingIds"]) == 2  # sonar-qa is already pushed by name

    # Step 7: Test Connector Configuration shows the green checkmark.
    test = okta.post(f"{console}/provisioning/test").json()
    assert test["ok"] is True

    # Steps 9-10: To App: Create Users, Update User Attributes, Deactivate Users.
    world.enable_to_app()
    world.wait()
    for group in ("sonar-qa", "sonar-developers", "sonar-admins"):
        assert world.sonar_group(group)["managed"] is True

    # Provision User for everyone with the red "!".
    for row in okta.get(f"{console}/assignments").json():
        if row["canProvisionUser"]:
            okta.post(f"{console}/users/{row['userId']}/provision").raise_for_status()
    world.wait()
    assert all(
        row["provisioningIssue"] is None for row in okta.get(f"{console}/assignments").json()
    )
    alice = world.sonar_user("alice.martin@example.com")
    assert alice["managed"] is True
    assert alice["login"] == "alice-martin-example-com20417"  # the SAML user was adopted
    assert "sonar-developers" in alice["groups"]

    # A new assignment is provisioned automatically.
    okta.post(
        f"{app}/users", json={"id": "00uhenrydubois000008", "scope": "USER"}
    ).raise_for_status()
    world.wait()
    assert world.sonar_user("henry.dubois@example.com")["managed"] is True

    # A suspended user stays unchanged in SonarQube (no SCIM request at all).
    sent_before = len(world.wire())
    okta.post(
        f"{world.okta_url}/api/v1/users/00ucarolsmith0000003/lifecycle/suspend"
    ).raise_for_status()
    world.wait()
    assert len(world.wire()) == sent_before
    assert world.sonar_user("carol.smith@example.com")["active"] is True

    # A deactivated user is deactivated in SonarQube.
    okta.post(
        f"{world.okta_url}/api/v1/users/00ubobnguyen00000002/lifecycle/deactivate"
    ).raise_for_status()
    world.wait()
    assert world.sonar_user("bob.nguyen@example.com") is None
    assert world.sonar_user("bob.nguyen@example.com", deactivated=True)["active"] is False
    assert okta.get(f"{world.okta_url}/_mock/tasks").json() == []
