"""The guide's "Configuring Okta" steps, clicked in mock_okta's Admin Console."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.screens import Screens

ADMIN, PASSWORD = "admin@example.com", "Passw0rd!"
APP_LABEL = "SonarQube"


def sign_in_at_okta(page: Page, username: str, password: str = PASSWORD) -> None:
    """Okta's sign-in page (the browser was sent there by a redirect)."""
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()


def open_sonarqube_app(page: Page, okta_url: str, screens: Screens) -> None:
    """Admin Console > Applications > Applications > SonarQube (signing in on the way)."""
    page.goto(f"{okta_url}/admin/apps/active")
    sign_in_at_okta(page, ADMIN)
    expect(page.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    screens.shot("okta applications")
    page.get_by_role("link", name=APP_LABEL, exact=True).click()


def enable_scim(page: Page, screens: Screens) -> None:
    """Steps 2-3: General > App Settings > Edit > SCIM > Save makes the Provisioning tab."""
    page.get_by_role("link", name="General").click()
    expect(page.get_by_role("link", name="Provisioning")).to_have_count(0)
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("SCIM").check()
    screens.shot("okta general enable scim")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Provisioning")).to_be_visible()


def configure_connection(page: Page, scim_url: str, token: str, screens: Screens) -> None:
    """Steps 4-8: the SCIM Connection form, Test Connector Configuration, Save."""
    page.get_by_role("link", name="Provisioning").click()
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("SCIM connector base URL").fill(scim_url)
    page.get_by_label("Unique identifier field for users").fill("userName")
    for action in ("Push New Users", "Push Profile Updates", "Push Groups"):
        page.get_by_label(action, exact=True).check()
    page.get_by_label("Authentication Mode").select_option(label="HTTP Header")
    page.get_by_label("Authorization").fill(token)
    screens.shot("okta scim connection form")
    page.get_by_role("button", name="Test Connector Configuration").click()
    expect(page.get_by_text("Connector configured successfully")).to_be_visible()
    expect(page.get_by_label("Success")).to_be_visible()  # the green checkmark
    screens.shot("okta test connector green checkmark")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Push Groups")).to_be_visible()


def enable_to_app(page: Page, screens: Screens) -> None:
    """Steps 9-10: To App > Edit > Create Users, Update User Attributes, Deactivate Users."""
    page.get_by_role("button", name="Edit").click()
    for option in ("Create Users", "Update User Attributes", "Deactivate Users"):
        page.get_by_label(option, exact=True).check()
    screens.shot("okta to app options")
    page.get_by_role("button", name="Save").click()
    for option in ("Create Users", "Update User Attributes", "Deactivate Users"):
        expect(page.get_by_label(option, exact=True)).to_be_checked()


def push_group_by_name(page: Page, group: str, screens: Screens) -> None:
    """Step 6, first option: + Push Groups > Find groups by name."""
    page.get_by_role("link", name="Push Groups").click()
    page.get_by_role("button", name="+ Push Groups").click()
    page.get_by_role("link", name="Find groups by name").click()
    # Type the start of the name and pick the group from the type-ahead list.
    page.get_by_label("Group", exact=True).press_sequentially(group[: len(group) // 2])
    page.get_by_role("option", name=group, exact=True).click()
    expect(page.get_by_label("Group", exact=True)).to_have_value(group)
    page.get_by_label("Push group memberships immediately").check()
    screens.shot(f"okta push {group} by name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name=group).first).to_be_visible()


def push_groups_by_rule(page: Page, name: str, starts_with: str, screens: Screens) -> None:
    """Step 6, second option: + Push Groups > Find groups by rule > Create Rule."""
    page.get_by_role("link", name="Push Groups").click()
    page.get_by_role("button", name="+ Push Groups").click()
    page.get_by_role("link", name="Find groups by rule").click()
    page.get_by_label("Rule name").fill(name)
    page.get_by_label("Group name condition").select_option(label="starts with")
    page.get_by_label("Group name value").fill(starts_with)
    page.get_by_label("Immediately push groups found by this rule").check()
    screens.shot("okta push groups by rule")
    page.get_by_role("button", name="Create Rule").click()


def provision_pre_assigned_users(
    page: Page, screens: Screens, before_last: Callable[[], object] | None = None
) -> list[str]:
    """Provisioning already assigned users: Provision User on every row with the red "!"
    (`before_last` runs before the last one is provisioned)."""
    page.get_by_role("link", name="Assignments").click()
    flagged = page.locator("tr").filter(has=page.get_by_test_id("provisioning-alert"))
    names = [row.get_by_role("link").first.inner_text() for row in flagged.all()]
    screens.shot("okta assignments exclamation marks")
    for index, name in enumerate(names):
        if before_last is not None and index == len(names) - 1:
            before_last()
        row = page.locator("tr").filter(has=page.get_by_role("link", name=name, exact=True))
        row.get_by_role("button", name="Provision User").click()
        page.get_by_role("button", name="OK").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
    return names


def assign_person(page: Page, display_name: str, screens: Screens) -> None:
    """Assignments > Assign > Assign to People > Assign > Done."""
    page.get_by_role("link", name="Assignments").click()
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("link", name="Assign to People").click()
    page.get_by_role("button", name=f"Assign {display_name}").click()
    screens.shot(f"okta assign {display_name}")
    page.get_by_role("button", name="Done").click()
