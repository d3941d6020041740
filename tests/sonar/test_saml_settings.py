"""SAML settings and the login cookies' helpers, as plain functions (reference §5.1, §5.2)."""

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from mock_sonar.errors import AuthenticationFailed, SamlConfigurationError
from mock_sonar.saml import oauth, service_provider
from mock_sonar.saml import settings as saml_settings
from mock_sonar.saml.settings import SamlSettings

COMPLETE = {
    saml_settings.ENABLED: "true",
    saml_settings.APPLICATION_ID: "sonarqube",
    saml_settings.PROVIDER_ID: "http://www.okta.com/exk1",
    saml_settings.LOGIN_URL: "http://okta.test/sso/saml",
    saml_settings.CERTIFICATE: "set below",
    saml_settings.USER_LOGIN_ATTRIBUTE: "login",
    saml_settings.USER_NAME_ATTRIBUTE: "name",
}


@pytest.fixture
def complete(saml_keys) -> dict[str, str]:
    return {**COMPLETE, saml_settings.CERTIFICATE: saml_keys["idp"].cert_pem}


def test_complete_settings_are_enabled(complete):
    assert SamlSettings(complete).is_enabled


@pytest.mark.parametrize("key", [saml_settings.ENABLED, *saml_settings.REQUIRED])
def test_each_mandatory_value_is_needed(complete, key):
    assert not SamlSettings({k: v for k, v in complete.items() if k != key}).is_enabled


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (saml_settings.CERTIFICATE, "Identity provider certificate is missing"),
        (saml_settings.APPLICATION_ID, "Application ID is missing"),
        (saml_settings.PROVIDER_ID, "Provider ID is missing"),
        (saml_settings.LOGIN_URL, "Login URL is missing"),
    ],
)
def test_the_registration_names_what_is_missing(complete, key, message):
    saml = SamlSettings({k: v for k, v in complete.items() if k != key})
    with pytest.raises(SamlConfigurationError, match=rf"^{message}$"):
        service_provider.registration(saml, "http://sonar.test/oauth2/callback/saml")


def test_an_invalid_login_url_is_refused(complete):
    saml = SamlSettings({**complete, saml_settings.LOGIN_URL: "not a url"})
    with pytest.raises(SamlConfigurationError, match=r"^Invalid SAML Login URL$"):
        service_provider.registration(saml, "http://sonar.test/oauth2/callback/saml")


def test_the_certificate_may_come_without_its_pem_lines(saml_keys):
    bare = "".join(saml_keys["idp"].cert_pem.splitlines()[1:-1])
    assert saml_settings.certificate_pem(bare) == saml_keys["idp"].cert_pem
    assert saml_settings.certificate_pem("  " + saml_keys["idp"].cert_pem) == (
        saml_keys["idp"].cert_pem
    )


def test_a_private_key_must_be_pkcs8(saml_keys):
    assert saml_settings.private_key_pem(saml_keys["sp"].key_pem) == saml_keys["sp"].key_pem
    with pytest.raises(SamlConfigurationError, match="PKCS 8 format"):
        saml_settings.private_key_pem("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA")


def test_signing_needs_both_parts_of_the_sp_key_pair(saml_keys):
    saml = SamlSettings({saml_settings.SIGN_REQUESTS: "true"})
    with pytest.raises(SamlConfigurationError, match="Sign requests is enabled"):
        saml_settings.service_provider_keys(saml)
    keys = saml_settings.service_provider_keys(
        SamlSettings(
            {
                saml_settings.SP_PRIVATE_KEY: saml_keys["sp"].key_pem,
                saml_settings.SP_CERTIFICATE: saml_keys["sp"].cert_pem,
            }
        )
    )
    assert keys.private_key_pem == saml_keys["sp"].key_pem
    assert not keys.sign_requests


@pytest.mark.parametrize(
    ("values", "proto", "acs"),
    [
        ({saml_settings.SERVER_BASE_URL: "https://sq.example/"}, None, "https://sq.example"),
        ({saml_settings.SERVER_BASE_URL: "https://sq.example"}, "http", "https://sq.example"),
        ({}, None, "http://localhost:9000"),
        ({}, "https", "https://localhost:9000"),
    ],
)
def test_the_acs_comes_from_the_server_base_url(values, proto, acs):
    url = saml_settings.callback_url(SamlSettings(values), "http://localhost:9000", proto)
    assert url == acs + "/oauth2/callback/saml"


def test_the_state_cookie_holds_the_sha256_of_the_state():
    state, cookie = oauth.generate_state()
    assert re.fullmatch(r"[0-9a-v]{1,26}", state)
    assert cookie == hashlib.sha256(state.encode()).hexdigest()
    oauth.verify_state(cookie, state)


@pytest.mark.parametrize(
    ("cookie", "state", "message"),
    [
        (None, "x", "Cookie 'OAUTHSTATE' is missing"),
        ("abc", None, "CSRF state value is invalid"),
        ("abc", " ", "CSRF state value is invalid"),
        ("abc", "x", "CSRF state value is invalid"),
    ],
)
def test_the_state_check_fails_as_sonarqube_says(cookie, state, message):
    with pytest.raises(AuthenticationFailed) as refused:
        oauth.verify_state(cookie, state)
    assert refused.value.message == message
    assert refused.value.public_message is None


def test_messages_are_encoded_as_java_encodes_them():
    assert oauth.encode_message("a b+c*d~é") == "a%20b%2Bc*d%7E%C3%A9"
    assert oauth.decode_message("a%20b%2Bc*d%7E%C3%A9") == "a b+c*d~é"


@pytest.mark.parametrize(
    ("return_to", "kept"),
    [
        ("/projects", "/projects"),
        ("/project/issues?id=x#y", "/project/issues?id=x#y"),
        ("/a/./b/../c/", "/a/c"),
        ("/", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("/foo bar", None),
        ("", None),
        ("/\t/evil.example", None),
        ("/a\r\nSet-Cookie: x", None),
        (" \x00/projects\x00\t", "/projects"),  # String.trim() drops control characters
    ],
)
def test_return_to_must_be_a_local_path(return_to, kept):
    assert oauth.sanitize_return_to(return_to) == kept
    cookie = oauth.auth_params_cookie(return_to)
    assert oauth.return_to_from_cookie(cookie) == kept


def test_concurrent_logins_share_one_registration_of_the_same_settings(complete, saml_keys):
    with_sp_keys = {
        saml_settings.SP_PRIVATE_KEY: saml_keys["sp"].key_pem,  # slow to parse: a wide race
        saml_settings.SP_CERTIFICATE: saml_keys["sp"].cert_pem,
        saml_settings.APPLICATION_ID: "sonarqube-concurrent",
    }
    saml = SamlSettings({**complete, **with_sp_keys})
    acs = "http://sonar.test/oauth2/callback/saml"

    with ThreadPoolExecutor(max_workers=4) as pool:
        built = list(pool.map(lambda _: service_provider.registration(saml, acs), range(8)))

    assert all(registration is built[0] for registration in built)
    assert built[0].entity_id == "sonarqube-concurrent"
