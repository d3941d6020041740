"""Administration > Authentication > SAML: configuration card, form, Provisioning (§3.1, §5.7)."""

import re

import pytest

from tests.conftest import ADMIN
from tests.sonar.ui_helper import button, dialog, open_session, radio, seeded_app

SAML_TAB = "/admin/settings?category=authentication&tab=saml"
SCIM_TEXT = "Automatic user and group provisioning with SCIM"
JIT_TEXT = "Just-in-Time user and group provisioning (default)"


@pytest.fixture
def seeded(tmp_path, devenv_keys):
    """The default fixture (SAML configured and enabled, Just-in-Time), the admin signed in."""
    app = seeded_app(tmp_path, devenv_keys)
    return open_session(app, app.test_client(), "admin")


def scim_status(browser) -> bool:
    client = browser.client.application.test_client()
    return client.get("/api/scim_management/status", headers=ADMIN).get_json()["enabled"]


def test_the_administration_landing_page_leads_to_authentication(seeded):
    page = seeded.text("/admin/settings")
    assert "<h1>General Settings</h1>" in page
    assert "Edit global settings for this SonarQube instance." in page
    assert '<a href="/admin/settings?category=authentication">Authentication</a>' in page
    assert '<h1 class="context-nav-title">Administration</h1>' in page


def test_an_unconfigured_instance_offers_to_create_a_configuration(sonar_app, sonar):
    page = open_session(sonar_app, sonar, "admin").text(SAML_TAB)
    assert "<h3>SAML Configuration</h3>" in page
    assert "<div>SAML is not configured</div>" in page
    assert 'class="button button-primary">Create configuration</button>' in page
    assert "Provisioning" not in page
    tabs = re.findall(r'<a role="tab"[^>]*>([^<]+)</a>', page)
    assert tabs == ["SAML", "GitHub", "Bitbucket", "GitLab"]
    form = open_session(sonar_app, sonar, "admin").text(SAML_TAB + "&dialog=edit")
    assert ">New SAML configuration</h2>" in dialog(form)


def test_the_default_fixture_shows_the_enabled_configuration(seeded):
    page = seeded.text(SAML_TAB)
    assert '<h4 class="truncate"><span title="SAML">SAML</span></h4>' in page
    assert "/app/devenvorg_sonarqube_1/exksonarqube0devenv7/sso/saml</p>" in page
    assert "disabled" not in button(page, "Disable configuration")
    assert (
        '<a class="button" href="/saml/validation_init" target="_blank" '
        'rel="noopener noreferrer">Test configuration</a>' in page
    )
    assert button(page, "Edit")
    delete = button(page, "Delete")
    assert "disabled" in delete
    assert 'title="You can only delete a configuration if it is disabled."' in delete
    assert "<h4>Provisioning</h4>" in page
    assert "checked" in radio(page, "jit")
    assert "checked" not in radio(page, "github-auto")
    assert "disabled" not in radio(page, "github-auto")
    assert f'<span class="radio-card-title">{JIT_TEXT}</span>' in page
    assert f'<span class="radio-card-title">{SCIM_TEXT}</span>' in page
    assert "Use this option if your identity provider does not support the SCIM protocol." in page
    assert "Preferred option when using a supported identity provider." in page
    assert (
        "Users and groups are automatically provisioned from your identity provider using the "
        "SCIM protocol. Once activated, managed users and groups can only be modified from your "
        "identity provider. Existing local users and groups will be kept." in page
    )
    assert button(page, "Save")
    assert button(page, "Cancel")


def test_the_edit_form_has_the_real_fields_and_hides_secured_values(seeded):
    form = dialog(seeded.text(SAML_TAB + "&dialog=edit"))
    assert ">Edit SAML configuration</h2>" in form
    labels = re.findall(
        r'<label for="sonar\.auth\.saml\.[^"]+" class="field-label[^"]*">([^<]+)', form
    )
    assert [label.strip() for label in labels] == [
        "Application ID",
        "Provider Name",
        "Provider ID",
        "SAML login url",
        "Identity provider certificate",
        "SAML user login attribute",
        "SAML user name attribute",
        "SAML user email attribute",
        "SAML group attribute",
        "Sign requests",
        "Service provider private key",
        "Service provider certificate",
    ]
    assert "Enabled" not in labels
    assert "BEGIN CERTIFICATE" not in form
    assert "PRIVATE KEY" not in form
    assert form.count("This field is hidden for security reasons.") == 3
    assert 'value="update:sonar.auth.saml.certificate.secured"' in form  # mandatory
    assert 'value="clear:sonar.auth.saml.sp.privateKey.secured"' in form  # optional
    assert ">Update field value</button>" in form
    assert ">Clear</button>" in form
    assert 'value="http://www.okta.com/exksonarqube0devenv7"' in form
    assert "The URL where the Identity Provider expects to receive SAML requests." in form
    assert 'role="switch" id="sonar.auth.saml.signature.enabled"' in form
    assert ">Save configuration</button>" in form


def _form_values(seeded) -> dict:
    form = dialog(seeded.text(SAML_TAB + "&dialog=edit"))
    values = dict(
        re.findall(
            r'<input type="text" id="([^"]+)" name="[^"]+" maxlength="4000" value="([^"]*)"', form
        )
    )
    return {key: value for key, value in values.items() if not key.endswith(".secured")}


def test_saving_with_an_empty_mandatory_field_shows_field_required(seeded):
    values = _form_values(seeded)
    response = seeded.post("/admin/settings/saml", {**values, "sonar.auth.saml.providerId": " "})
    assert response.status_code == 400
    form = dialog(response.get_data(as_text=True))
    assert (
        '<p class="field-error" id="sonar.auth.saml.providerId-error">This field is required</p>'
        in form
    )
    assert form.count("This field is required") == 1
    assert "http://www.okta.com/exksonarqube0devenv7" in seeded.text(SAML_TAB + "&dialog=edit")


def test_saving_changes_writes_the_settings(seeded):
    values = _form_values(seeded)
    response = seeded.post(
        "/admin/settings/saml", {**values, "sonar.auth.saml.providerName": "Okta"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == SAML_TAB
    page = seeded.text(SAML_TAB)
    assert "Settings saved successfully." in page
    assert '<span title="Okta">Okta</span>' in page
    assert "Settings saved successfully." not in seeded.text(SAML_TAB)
    assert "Log in with Okta" in seeded.client.application.test_client().get(
        "/sessions/new"
    ).get_data(as_text=True)
    assert "BEGIN CERTIFICATE" not in seeded.text(SAML_TAB + "&dialog=edit")


def test_update_field_value_reveals_a_secured_input_without_javascript(seeded):
    values = _form_values(seeded)
    response = seeded.post(
        "/admin/settings/saml",
        {**values, "action": "update:sonar.auth.saml.certificate.secured"},
    )
    form = dialog(response.get_data(as_text=True))
    cert = re.search(r'<input type="text" id="sonar.auth.saml.certificate.secured"[^>]*>', form)
    assert "hidden" not in cert.group(0)
    assert 'value=""' in cert.group(0)
    refused = seeded.post(
        "/admin/settings/saml",
        {
            **values,
            "reveal": "sonar.auth.saml.certificate.secured",
            "sonar.auth.saml.certificate.secured": "",
        },
    )
    assert refused.status_code == 400
    assert "This field is required" in dialog(refused.get_data(as_text=True))


def test_disable_then_enable_the_configuration(seeded):
    response = seeded.post("/admin/settings/saml/enabled", {"enabled": "false"})
    assert response.status_code == 303
    page = seeded.text(SAML_TAB)
    assert "Settings saved successfully." in page
    assert "disabled" not in button(page, "Enable configuration")
    assert "disabled" not in button(page, "Delete")
    assert (
        "Enable your SAML configuration to benefit from automatic user provisioning options."
        in page
    )
    assert "Log in with" not in seeded.client.application.test_client().get(
        "/sessions/new"
    ).get_data(as_text=True)
    seeded.post("/admin/settings/saml/enabled", {"enabled": "true"})
    assert button(seeded.text(SAML_TAB), "Disable configuration")


def test_delete_is_refused_while_enabled_and_resets_everything_when_disabled(seeded):
    refused = seeded.post("/admin/settings/saml/delete")
    assert refused.status_code == 400
    assert "You can only delete a configuration if it is disabled." in refused.get_data(
        as_text=True
    )
    seeded.post("/admin/settings/saml/enabled", {"enabled": "false"})
    assert seeded.post("/admin/settings/saml/delete").status_code == 303
    assert "<div>SAML is not configured</div>" in seeded.text(SAML_TAB)


def test_the_guides_steps_enable_scim_and_back(seeded):
    # 2. Select "Automatic user and group provisioning with SCIM" under Provisioning; 3. Save.
    response = seeded.post("/admin/settings/saml/provisioning", {"provisioning": "scim"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    modal = dialog(page)
    assert 'role="alertdialog"' in modal
    assert ">Switch to automatic provisioning</h2>" in modal
    assert (
        "Once you transition to automatic provisioning, groups, users and group memberships "
        "will be managed by your identity provider. You will no longer have the ability to edit "
        "them within SonarQube Server. Do you want to proceed with this change?" in modal
    )
    assert button(modal, "Yes")
    assert button(modal, "Cancel")
    assert "checked" in radio(page, "github-auto")
    assert scim_status(seeded) is False
    # ... and validate the popup.
    confirmed = seeded.post(
        "/admin/settings/saml/provisioning", {"provisioning": "scim", "confirmed": "yes"}
    )
    assert confirmed.status_code == 303
    assert scim_status(seeded) is True
    # SonarQube confirms the save with a global success message.
    saved_page = seeded.text(confirmed.headers["Location"])
    assert 'role="status">Settings saved successfully.</div>' in saved_page
    page = seeded.text(SAML_TAB)
    assert "Settings saved successfully." not in page  # once only
    assert "checked" in radio(page, "github-auto")
    assert "disabled" in button(page, "Disable configuration")
    assert "You can not disable this configuration while using Automatic Provisioning." in page
    # Back to Just-in-Time, with its own confirmation.
    modal = dialog(
        seeded.post("/admin/settings/saml/provisioning", {"provisioning": "jit"}).get_data(
            as_text=True
        )
    )
    assert ">Switch to Just-in-Time provisioning</h2>" in modal
    assert (
        "Switching to Just-in-Time provisioning removes all information provided while automatic "
        "provisioning through SCIM was active. These changes cannot be reverted. Are you sure?"
        in modal
    )
    assert 'class="button button-danger">Yes</button>' in modal
    seeded.post("/admin/settings/saml/provisioning", {"provisioning": "jit", "confirmed": "yes"})
    assert scim_status(seeded) is False


def test_disabling_saml_is_refused_while_scim_is_on(seeded):
    seeded.post("/admin/settings/saml/provisioning", {"provisioning": "scim", "confirmed": "yes"})
    response = seeded.post("/admin/settings/saml/enabled", {"enabled": "false"})
    assert response.status_code == 400
    assert scim_status(seeded) is True
    assert button(seeded.text(SAML_TAB), "Disable configuration")


def test_saving_the_same_mode_changes_nothing(seeded):
    response = seeded.post("/admin/settings/saml/provisioning", {"provisioning": "jit"})
    assert response.status_code == 303
    assert scim_status(seeded) is False


def test_below_enterprise_the_scim_card_is_disabled(tmp_path, devenv_keys):
    app = seeded_app(tmp_path, devenv_keys, EDITION="developer")
    browser = open_session(app, app.test_client(), "admin")
    page = browser.text(SAML_TAB)
    assert "disabled" in radio(page, "github-auto")
    assert "Your current edition does not support provisioning with SCIM. See the " in page
    assert "Preferred option when using a supported identity provider." not in page
    response = browser.post(
        "/admin/settings/saml/provisioning", {"provisioning": "scim", "confirmed": "yes"}
    )
    assert response.status_code == 400
