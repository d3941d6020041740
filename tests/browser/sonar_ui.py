"""The guide's SonarQube steps, clicked in mock_sonar's pages."""

import re

from playwright.sync_api import Page, expect

from tests.browser.screens import Screens

SCIM_OPTION = "Automatic user and group provisioning with SCIM"


def log_in_locally(page: Page, sonar_url: str, login: str, password: str) -> None:
    """The login page's local form (behind "Log in with credentials" while SAML is on)."""
    page.goto(f"{sonar_url}/sessions/new")
    expect(page.get_by_role("heading", name="Log in to SonarQube")).to_be_visible()
    page.get_by_role("button", name="Log in with credentials").click()
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def change_default_password(page: Page, old: str, new: str, screens: Screens) -> None:
    """The forced "Update your password" page of the bootstrap admin."""
    expect(page.get_by_role("heading", name="Update your password")).to_be_visible()
    screens.shot("sonarqube forced password change")
    page.get_by_label("Old Password").fill(old)
    page.get_by_label("Password", exact=True).fill(new)
    page.get_by_label("Confirm Password").fill(new)
    page.get_by_role("button", name="Update").click()
    expect(page).to_have_url(re.compile(r"/projects$"))


def enable_scim(page: Page, screens: Screens) -> None:
    """Configuring SonarQube Server, steps 1-3: Administration > Authentication > SAML,
    Provisioning: SCIM, Save, confirm."""
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Authentication").click()
    page.get_by_role("tab", name="SAML").click()
    expect(page.get_by_role("heading", name="SAML Configuration")).to_be_visible()
    page.get_by_role("radio", name=SCIM_OPTION).check()
    screens.shot("sonarqube provisioning scim selected")
    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("alertdialog", name="Switch to automatic provisioning")
    expect(dialog).to_be_visible()
    screens.shot("sonarqube confirm automatic provisioning")
    dialog.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("radio", name=SCIM_OPTION)).to_be_checked()
    expect(page.get_by_role("button", name="Disable configuration")).to_be_disabled()


def generate_token(page: Page, name: str, screens: Screens) -> str:
    """Configuring Okta, step 1: My Account > Security > Generate; the token is shown once."""
    page.get_by_role("button", name="Account").click()
    page.get_by_role("link", name="My Account").click()
    page.get_by_role("link", name="Security").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Type").select_option(label="User Token")
    page.get_by_label("Expires in").select_option(label="30 days")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Make sure you copy it now")).to_be_visible()
    expect(page.get_by_role("button", name="Copy to clipboard")).to_be_visible()
    screens.shot("sonarqube token generated")
    return page.locator("#new-token-value").inner_text().strip()
