"""The guide's Okta steps clicked through the Admin Console (form posts), SonarQube live.

Each step posts the form the page shows, with the button's values, and checks what the next
screen shows: the Provisioning tab, the green checkmark, the Push Groups tab, the red "!"
gone after Provision User.
"""

import re

from mock_okta.config import ORG_ADMIN_LOGIN
from tests.okta.console_helpers import APP_URL, Console, sign_in, visible_text


def admin_console(world) -> Console:
    client = world.okta_app.test_client()
    return Console(world.okta_app, client, sign_in(world.okta_app, client, ORG_ADMIN_LOGIN))


def connection_form(world, token: str) -> list[tuple[str, str]]:
    """Guide step 5, as typed into the SCIM Connection form."""
    return [
        ("baseUrl", f"{world.sonar_url}/api/scim/v2"),
        ("uniqueIdentifierField", "userName"),
        ("actions", "PUSH_NEW_USERS"),
        ("actions", "PUSH_PROFILE_UPDATES"),
        ("actions", "PUSH_GROUPS"),
        ("authMode", "HTTP_HEADER"),
        ("token", token),
    ]


def test_the_guide_through_the_admin_console(world):
    console = admin_console(world)
    token = world.enable_scim_and_make_token()  # SonarQube side and Step 1

    # Steps 2-3: General > App Settings > Edit > SCIM > Save: a Provisioning tab.
    assert "Provisioning</a>" not in console.text(APP_URL)
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    assert 'id="tab-provisioning"' in console.text(APP_URL)

    # Steps 4-5 and 7: Provisioning > Edit, the form, Test Connector Configuration.
    assert "SCIM connector base URL" in console.text(
        f"{APP_URL}?tab=provisioning&section=integration&edit=1"
    )
    dialog = console.post(f"{APP_URL}provisioning/test", connection_form(world, token))
    html = dialog.get_data(as_text=True)
    assert 'data-ok="true"' in html
    assert 'class="checkmark" role="img" aria-label="Success"' in html
    text = visible_text(html)
    assert "Connector configured successfully" in text
    for capability in ("Create Users", "Update User Attributes", "Push Groups"):
        assert capability in text
    assert token not in html

    # Steps 6 and 8: Save; the Push Groups tab appears; Okta goes on to To App.
    saved = console.post(f"{APP_URL}provisioning/integration", connection_form(world, token))
    assert saved.headers["Location"].endswith("?tab=provisioning&section=to-app")
    assert 'id="tab-push-groups"' in console.text(APP_URL)

    # Users assigned before SCIM carry the red "!".
    assigned = console.text(f"{APP_URL}?tab=assignments")
    assert assigned.count('data-testid="provisioning-alert"') == 7

    # Step 6: + Push Groups > Find groups by name, then > Find groups by rule > Create Rule.
    console.post(
        f"{APP_URL}push-groups/by-name", {"groupName": "sonar-qa", "pushImmediately": "on"}
    )
    console.post(
        f"{APP_URL}push-groups/by-rule",
        {
            "ruleName": "sonar groups",
            "groupNameOperator": "startsWith",
            "groupNameValue": "sonar-",
            "pushImmediately": "on",
        },
    )

    # Steps 9-10: To App > Edit > Create Users, Update User Attributes, Deactivate Users > Save.
    console.post(
        f"{APP_URL}provisioning/to-app",
        {"lifecycleCreate": "on", "profile": "on", "lifecycleDeactivate": "on"},
    )
    world.wait()
    pushed = console.text(f"{APP_URL}?tab=push-groups")
    assert pushed.count('data-status="ACTIVE"') == 3
    for group in ("sonar-qa", "sonar-developers", "sonar-admins"):
        assert world.sonar_group(group)["managed"] is True

    # Provisioning already assigned users: Provision User > OK on every "!" row.
    for user_id in re.findall(r"provision=(00u\w+)", console.text(f"{APP_URL}?tab=assignments")):
        assert "Provision User" in console.text(f"{APP_URL}?tab=assignments&provision={user_id}")
        console.post(f"{APP_URL}assignments/people/{user_id}/provision")
    world.wait()
    after = console.text(f"{APP_URL}?tab=assignments")
    assert 'data-testid="provisioning-alert"' not in after
    assert "Provision User" not in after
    assert world.sonar_user("alice.martin@example.com")["managed"] is True

    # What happened on the wire is on the SCIM requests page.
    wire = console.text(f"{APP_URL}scim-requests")
    assert "POST" in wire
    assert "/api/scim/v2/Users" in wire
