"""The pages' error paths in a real browser: bad form input, an expired session and a forged
form are shown in the page (never a stack trace), and nothing is changed."""

import re

from playwright.sync_api import expect

from tests.browser import okta_console as okta
from tests.browser import sonar_ui
from tests.e2e.world import SONARQUBE_APP


def test_okta_shows_a_bad_scim_connection_in_the_form_and_keeps_nothing(world, page, screens):
    okta.open_sonarqube_app(page, world.okta_url, screens)
    okta.enable_scim(page, screens)
    page.get_by_role("link", name="Provisioning").click()
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("SCIM connector base URL").fill("not a url")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label("SCIM connector base URL")).to_have_value("not a url")
    screens.shot("okta connection form error")
    stored = world.okta.get(f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning").json()
    assert stored.get("baseUrl") in (None, "")


def test_a_forged_okta_console_form_is_refused_in_the_page(world, page, screens):
    okta.open_sonarqube_app(page, world.okta_url, screens)
    page.get_by_role("button", name="Edit").click()
    page.get_by_label("SCIM").check()
    page.locator("input[name=csrf_token]").evaluate_all(
        "inputs => inputs.forEach(i => { i.value = 'forged' })"
    )
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("security token is missing or does not match")).to_be_visible()
    screens.shot("okta csrf refused")
    stored = world.okta.get(f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning").json()
    assert stored.get("enabled") is not True


def test_sonarqube_shows_a_failed_login_on_the_login_page(world, page, screens):
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "wrong password")

    expect(page.get_by_text("Authentication failed")).to_be_visible()
    screens.shot("sonarqube authentication failed")


def test_an_expired_sonarqube_session_goes_back_to_the_login_page(world, page, screens):
    make_admin_password_final(world)
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "Admin-Passw0rd!")
    expect(page).to_have_url(re.compile(r"/projects$"))
    # Sessions last three days (sonar.web.sessionTimeoutInMinutes).
    world.sonar.post(
        f"{world.sonar_url}/_mock/clock", json={"advanceSeconds": 3 * 24 * 3600 + 60}
    ).raise_for_status()

    page.goto(f"{world.sonar_url}/admin/users")

    expect(page).to_have_url(re.compile(r"/sessions/new\?return_to=%2Fadmin%2Fusers$"))
    screens.shot("sonarqube session expired")


def test_a_forged_sonarqube_form_is_refused_and_scim_stays_off(world, page, screens):
    make_admin_password_final(world)
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "Admin-Passw0rd!")
    page.goto(f"{world.sonar_url}/admin/settings?category=authentication&tab=saml")
    page.get_by_role("radio", name=sonar_ui.SCIM_OPTION).check()
    page.locator("input[name=xsrf_token]").evaluate_all(
        "inputs => inputs.forEach(i => { i.value = 'forged' })"
    )
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("This form has expired or was not sent by this page.")).to_be_visible()
    screens.shot("sonarqube csrf refused")
    status = world.sonar.get(f"{world.sonar_url}/api/scim_management/status").json()
    assert status == {"enabled": False}


def test_sonarqube_pages_keep_to_their_content_security_policy(world, page, screens):
    """Every script and style of the pages is allowed by the policy SonarQube sends."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    make_admin_password_final(world)
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "Admin-Passw0rd!")
    for path in (
        "/projects",
        "/admin/users?dialog=create",
        "/admin/groups?dialog=create",
        "/admin/settings?category=authentication&tab=saml",
        "/admin/settings?category=authentication&tab=saml&dialog=edit",
        "/account/security",
        "/sessions/unauthorized",
    ):
        response = page.goto(f"{world.sonar_url}{path}")
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.goto(f"{world.sonar_url}/admin/settings?category=authentication&tab=saml")
    page.get_by_role("radio", name=sonar_ui.SCIM_OPTION).check()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_enabled()  # sonar.js ran
    screens.shot("sonarqube pages under their csp")
    assert violations == []


def make_admin_password_final(world) -> None:
    """Change admin/admin through the Web API, so the browser is not held on the reset page."""
    world.sonar.post(
        f"{world.sonar_url}/api/users/change_password",
        data={"login": "admin", "previousPassword": "admin", "password": "Admin-Passw0rd!"},
    ).raise_for_status()
    world.sonar.auth = ("admin", "Admin-Passw0rd!")
