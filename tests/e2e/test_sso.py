"""SAML single sign-on across both live apps, browserless: SonarQube's "Log in with SAML"
redirects to mock_okta, the user signs in there, Okta's form posts the assertion to SonarQube's
ACS, and SonarQube applies its login rules (reference/sonarqube.md §5.4, §5.5)."""

import base64
import html
import json
import re
from urllib.parse import unquote

import pytest

from mock_okta.applications.signing_keys import certificate_base64
from mock_sonar.saml.sp_keys import new_sp_key_pair
from okta_sonar_devenv.browserless import Browser
from tests.e2e.world import SONARQUBE_APP

PASSWORD = "Passw0rd!"
NO_ACCOUNT = (
    "You have no account on SonarQube. "
    "Please make sure with your administrator that your account is provisioned."
)


@pytest.fixture
def browser():
    agent = Browser()
    yield agent
    agent.close()


def sign_in_with_saml(world, browser: Browser, login: str, *, return_to: str = "/projects"):
    """Log in with SAML from SonarQube, signing in at Okta; returns the last response."""
    page = browser.get(f"{world.sonar_url}/sessions/init/saml", params={"return_to": return_to})
    if "appForm" in page.text:  # still signed in at Okta: no sign-in page
        return browser.submit(page, "appForm")
    assert page.url.startswith(f"{world.okta_url}/login/login.htm"), page.url
    posted = browser.submit(page, username=login, password=PASSWORD)
    if "appForm" not in posted.text:
        return posted  # Okta refused: its page is the last response
    return browser.submit(posted, "appForm")


def current_user(world, browser: Browser) -> dict:
    return browser.get(f"{world.sonar_url}/api/users/current").json()


def unauthorized_reason(browser: Browser) -> str | None:
    value = browser.cookie("AUTHENTICATION-ERROR")
    return unquote(value).replace("+", " ") if value else None


def my_groups(world, browser: Browser) -> set[str]:
    """The signed-in user's groups, as api/users/current lists them."""
    return set(current_user(world, browser)["groups"])


def is_signed_in(world, browser: Browser) -> bool:
    # forceAuthentication is on: anonymous calls to api/users/current get a 401.
    return browser.get(f"{world.sonar_url}/api/users/current").status_code == 200


def create_sonar_group(world, name: str) -> None:
    response = world.sonar.post(f"{world.sonar_url}/api/user_groups/create", data={"name": name})
    response.raise_for_status()


def test_a_jit_user_signs_in_through_okta_and_lands_on_return_to(world, browser):
    landed = sign_in_with_saml(world, browser, "dave.lee@example.com", return_to="/projects")

    assert landed.url == f"{world.sonar_url}/projects"
    assert browser.cookie("JWT-SESSION")
    assert browser.cookie("XSRF-TOKEN")
    me = current_user(world, browser)
    assert me["isLoggedIn"] is True
    assert (me["name"], me["email"]) == ("Dave Lee", "dave.lee@example.com")
    assert me["externalIdentity"] == "dave.lee@example.com"
    assert me["externalProvider"] == "saml"
    assert me["local"] is False
    # JIT: groups from the assertion that exist in SonarQube, plus the default group.
    assert set(me["groups"]) == {"sonar-users", "sonar-developers"}


def test_a_second_app_sign_in_is_silent_while_the_okta_session_lives(world, browser):
    sign_in_with_saml(world, browser, "dave.lee@example.com")
    browser.get(f"{world.sonar_url}/sessions/logout")
    assert not is_signed_in(world, browser)

    again = browser.get(f"{world.sonar_url}/sessions/init/saml", params={"return_to": "/"})
    assert "appForm" in again.text  # no sign-in page this time
    browser.submit(again, "appForm")
    assert is_signed_in(world, browser)


def test_jit_group_sync_overwrites_memberships_but_never_creates_groups(world, browser):
    sign_in_with_saml(world, browser, "carol.smith@example.com")
    login = current_user(world, browser)["login"]
    # carol is in Okta's sonar-qa, which SonarQube does not have: not created.
    assert my_groups(world, browser) == {"sonar-users"}
    create_sonar_group(world, "sonar-qa")
    world.sonar.post(
        f"{world.sonar_url}/api/user_groups/add_user",
        data={"name": "sonar-developers", "login": login},
    ).raise_for_status()

    browser.get(f"{world.sonar_url}/sessions/logout")
    sign_in_with_saml(world, browser, "carol.smith@example.com")

    assert my_groups(world, browser) == {"sonar-users", "sonar-qa"}


def test_a_user_not_assigned_to_the_app_gets_oktas_error_page(world, browser):
    refused = sign_in_with_saml(world, browser, "frank.osei@example.com")

    assert refused.status_code == 403
    assert "not assigned" in refused.text
    assert browser.cookie("JWT-SESSION") is None


def test_a_suspended_okta_user_cannot_sign_in(world, browser):
    world.okta.post(
        f"{world.okta_url}/api/v1/users/00ubobnguyen00000002/lifecycle/suspend"
    ).raise_for_status()

    refused = sign_in_with_saml(world, browser, "bob.nguyen@example.com")

    assert refused.url.startswith(f"{world.okta_url}/login/login.htm")
    assert "Unable to sign in" in refused.text
    assert browser.cookie("JWT-SESSION") is None


def test_with_scim_on_an_unprovisioned_user_is_refused_with_sonarqubes_message(world, browser):
    world.enable_scim_and_make_token()

    refused = sign_in_with_saml(world, browser, "carol.smith@example.com")

    assert refused.url == f"{world.sonar_url}/sessions/unauthorized"
    assert unauthorized_reason(browser) == NO_ACCOUNT
    assert NO_ACCOUNT in refused.text
    assert not is_signed_in(world, browser)


def provision_with_scim(world) -> str:
    """The guide's Okta steps through the APIs, then frank assigned; returns the SCIM token."""
    token = world.enable_scim_and_make_token()
    world.configure_provisioning(token)
    world.enable_to_app()
    response = world.okta.post(
        f"{world.okta_url}/api/v1/apps/{SONARQUBE_APP}/users",
        json={"id": FRANK, "scope": "USER"},
    )
    response.raise_for_status()
    world.wait()
    return token


FRANK = "00ufrankosei00000006"


def test_a_scim_provisioned_user_signs_in_and_saml_does_not_touch_groups(world, browser):
    create_sonar_group(world, "sonar-qa")  # before SCIM: a managed instance refuses it
    provision_with_scim(world)
    provisioned = world.sonar_user("frank.osei@example.com")
    assert provisioned
    assert provisioned["managed"] is True

    sign_in_with_saml(world, browser, "frank.osei@example.com")

    me = current_user(world, browser)
    assert me["login"] == provisioned["login"]
    # frank's assertion carries sonar-qa, which exists, but SCIM alone owns memberships.
    assert set(me["groups"]) == {"sonar-users"}


def test_a_user_deactivated_in_sonarqube_is_refused_while_still_assigned_in_okta(world, browser):
    token = provision_with_scim(world)
    app_user = world.okta.get(f"{world.okta_url}/api/v1/apps/{SONARQUBE_APP}/users/{FRANK}").json()
    # Deactivated on SonarQube's side only (a SCIM client other than this Okta app, say).
    world.sonar.patch(
        f"{world.sonar_url}/api/scim/v2/Users/{app_user['externalId']}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
        auth=None,
    ).raise_for_status()

    refused = sign_in_with_saml(world, browser, "frank.osei@example.com")

    assert refused.url == f"{world.sonar_url}/sessions/unauthorized"
    assert unauthorized_reason(browser) == NO_ACCOUNT
    assert world.sonar_user("frank.osei@example.com", deactivated=True)


def change_admin_password(world) -> None:
    """The browser forces admin/admin to change it; do it once through the Web API."""
    world.sonar.post(
        f"{world.sonar_url}/api/users/change_password",
        data={"login": "admin", "previousPassword": "admin", "password": "Admin-Passw0rd!"},
    ).raise_for_status()
    world.sonar.auth = ("admin", "Admin-Passw0rd!")


def test_test_configuration_reports_the_attributes_okta_sends(world, browser):
    change_admin_password(world)
    browser.http.post(
        f"{world.sonar_url}/api/authentication/login",
        data={"login": "admin", "password": "Admin-Passw0rd!"},
    ).raise_for_status()

    sign_in = browser.get(f"{world.sonar_url}/saml/validation_init")
    assert sign_in.url.startswith(f"{world.okta_url}/login/login.htm")
    okta_form = browser.submit(sign_in, username="alice.martin@example.com", password=PASSWORD)
    handover = browser.submit(okta_form, "appForm")
    report = browser.submit(handover, "saml_validate")

    assert report.url == f"{world.sonar_url}/saml/validation"
    encoded = re.search(r'data-response="([^"]+)"', report.text).group(1)
    result = json.loads(base64.b64decode(encoded))
    assert result["status"] == "success"
    assert result["errors"] == []
    assert result["availableAttributes"]["login"] == ["alice.martin@example.com"]
    assert result["mappedAttributes"]["User name value"] == ["Alice Martin"]
    assert result["mappedAttributes"]["Groups value"] == ["sonar-developers"]
    assert result["signatureEnabled"] is False


def test_logout_ends_the_sonarqube_session(world, browser):
    sign_in_with_saml(world, browser, "dave.lee@example.com")
    assert is_signed_in(world, browser)

    browser.get(f"{world.sonar_url}/sessions/logout")

    assert not is_signed_in(world, browser)
    assert browser.cookie("JWT-SESSION") is None


# --- SonarQube's "Sign requests" against Okta's Signed Requests ---------------------------------

NO_NAME_ID_POLICY = (
    "NameIDPolicy '' is not the configured Name ID Format "
    "'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' for the app"
)


def sonarqube_signs_its_requests(world) -> str:
    """SonarQube's "Sign requests" on, with a new SP key pair; returns its certificate."""
    key_pem, cert_pem = new_sp_key_pair()
    for key, value in (
        ("sonar.auth.saml.sp.privateKey.secured", key_pem),
        ("sonar.auth.saml.sp.certificate.secured", cert_pem),
        ("sonar.auth.saml.signature.enabled", "true"),
    ):
        world.sonar.post(
            f"{world.sonar_url}/api/settings/set", data={"key": key, "value": value}
        ).raise_for_status()
    return certificate_base64(cert_pem)


def okta_validates_signed_requests(world, certificate: str) -> None:
    """Okta's Signed Requests on, with `certificate` as the Signature Certificate."""
    url = f"{world.okta_url}/api/v1/apps/{SONARQUBE_APP}"
    body = world.okta.get(url).json()
    body["settings"]["signOn"].update(
        samlSignedRequestEnabled=True, spCertificate={"x5c": [certificate]}
    )
    world.okta.put(url, json=body).raise_for_status()


def sign_in_at_okta(world, browser: Browser, login: str) -> None:
    page = browser.get(f"{world.okta_url}/login/login.htm")
    assert browser.submit(page, username=login, password=PASSWORD).url.endswith("/app/UserHome")


def test_okta_checks_sonarqubes_signature_then_refuses_the_missing_name_id_policy(world, browser):
    """SonarQube's docs: "Okta does not support service provider-signed requests even if they
    are enabled on the SonarQube side". Okta validates the signature with SonarQube's
    certificate, then wants a NameIDPolicy, which Spring's AuthnRequest never carries."""
    okta_validates_signed_requests(world, sonarqube_signs_its_requests(world))
    sign_in_at_okta(world, browser, "dave.lee@example.com")

    refused = browser.get(f"{world.sonar_url}/sessions/init/saml", params={"return_to": "/"})

    assert refused.url.startswith(f"{world.okta_url}/app/")
    assert "&SigAlg=" in refused.url
    assert "&Signature=" in refused.url
    assert refused.status_code == 400
    assert NO_NAME_ID_POLICY in html.unescape(refused.text)
    assert browser.cookie("JWT-SESSION") is None


def test_okta_refuses_a_sonarqube_request_signed_with_a_key_it_does_not_know(world, browser):
    sonarqube_signs_its_requests(world)
    _key, other_certificate = new_sp_key_pair()
    okta_validates_signed_requests(world, certificate_base64(other_certificate))
    sign_in_at_okta(world, browser, "dave.lee@example.com")

    refused = browser.get(f"{world.sonar_url}/sessions/init/saml", params={"return_to": "/"})

    assert refused.status_code == 400
    assert "signature could not be validated" in refused.text
    assert NO_NAME_ID_POLICY not in html.unescape(refused.text)


def test_without_an_okta_session_a_refused_request_ends_on_the_okta_dashboard(world, browser):
    okta_validates_signed_requests(world, sonarqube_signs_its_requests(world))

    landed = sign_in_with_saml(world, browser, "dave.lee@example.com")

    assert landed.url == f"{world.okta_url}/app/UserHome"
    assert browser.cookie("JWT-SESSION") is None
