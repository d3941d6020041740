"""The SonarQube "SCIM with Okta" guide, first step to last, clicked in headless chromium in
both web UIs, with a screenshot of every step under test-output/browser/<test>/."""

import re

import requests
from playwright.sync_api import expect

from tests.browser import okta_console as okta
from tests.browser import sonar_ui
from tests.browser.screens import Screens

NEW_ADMIN_PASSWORD = "Admin-Passw0rd!"


def test_the_guide_clicked_through_in_both_uis(world, browser, page, screens):
    sonar_url, okta_url = world.sonar_url, world.okta_url

    # Configuring SonarQube Server (as the local admin, who must first change admin/admin).
    sonar_ui.log_in_locally(page, sonar_url, "admin", "admin")
    sonar_ui.change_default_password(page, "admin", NEW_ADMIN_PASSWORD, screens)
    sonar_ui.enable_scim(page, screens)
    # Configuring Okta, Step 1: a token of the local admin.
    token = sonar_ui.generate_token(page, "okta-scim", screens)
    assert re.fullmatch(r"squ_[0-9a-f]{40}", token)

    # Steps 2-10 in the Okta Admin Console.
    okta.open_sonarqube_app(page, okta_url, screens)
    okta.enable_scim(page, screens)
    okta.configure_connection(page, f"{sonar_url}/api/scim/v2", token, screens)
    okta.enable_to_app(page, screens)
    okta.push_group_by_name(page, "sonar-developers", screens)
    okta.push_groups_by_rule(page, "sonar groups", "sonar-", screens)
    # A new assignment, then provisioning the users assigned before SCIM was on.
    okta.assign_person(page, "Frank Osei", screens)

    def slow_sonarqube() -> None:
        # SonarQube answers Okta's next SCIM request only after 5 s, as a slow server across a
        # network would: the last Provision User stays on its way for that long (Okta sends
        # an app's pushes in order), whatever the pace of the clicks before it.
        requests.post(
            f"{sonar_url}/_mock/faults",
            json={"count": 1, "delaySeconds": 5},
            auth=("admin", NEW_ADMIN_PASSWORD),
            timeout=10,
        ).raise_for_status()

    flagged = okta.provision_pre_assigned_users(page, screens, before_last=slow_sonarqube)
    assert {"Alice Martin", "Bob Nguyen", "Carol Smith"} <= set(flagged)
    # The push is on its way: shown as pending, not as an error ...
    expect(page.get_by_test_id("provisioning-pending").first).to_be_visible()
    screens.shot("okta assignments provisioning in progress")
    # ... and with no reload by hand the tab updates itself: "the exclamation mark should
    # disappear", as the guide says.
    expect(page.get_by_test_id("provisioning-pending")).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("provisioning-alert")).to_have_count(0)
    expect(page.get_by_text("Frank Osei")).to_be_visible()
    screens.shot("okta assignments after provisioning")
    world.wait()

    # The outcome in SonarQube's Users and Groups pages.
    page.goto(f"{sonar_url}/admin/users")
    for name in ("Alice Martin", "Carol Smith", "Frank Osei"):
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    screens.shot("sonarqube users provisioned")
    page.goto(f"{sonar_url}/admin/groups")
    for group in ("sonar-developers", "sonar-qa", "sonar-admins"):
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
    screens.shot("sonarqube groups pushed")

    # A provisioned user signs in to SonarQube through the Okta sign-in page.
    end_user = browser.new_context()
    try:
        sign_in_with_saml(end_user.new_page(), sonar_url, "frank.osei@example.com", screens)
    finally:
        end_user.close()


def sign_in_with_saml(page, sonar_url: str, username: str, screens: Screens) -> None:
    page.set_default_timeout(8000)
    screens.page = page
    page.goto(f"{sonar_url}/sessions/new")
    page.get_by_role("link", name="Log in with SAML").click()
    okta.sign_in_at_okta(page, username)
    expect(page).to_have_url(re.compile(rf"^{re.escape(sonar_url)}/projects$"))
    page.get_by_role("button", name="Account").click()
    expect(page.get_by_text("Frank Osei").first).to_be_visible()
    screens.shot("sonarqube signed in through okta")
