"""The SAML IdP metadata of an app, read back by pysaml2 as an SP would (reference/okta.md §6)."""

import base64
import hashlib
import os
from datetime import UTC, datetime

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig

from mock_okta.applications import signing_keys
from mock_okta.saml import metadata as saml_metadata
from tests.okta.api_helpers import SONAR, SSWS, create_app, error_of, ok


@pytest.fixture
def sonar(sdk):
    """The SonarQube SAML app."""
    app, _ = create_app(sdk)
    return app


def metadata_of(sdk, app) -> str:
    xml, _ = ok(
        sdk(lambda c: c.preview_sam_lmetadata_for_application(app.id, app.credentials.signing.kid))
    )
    return xml


def sp_reading(xml: str) -> SPConfig:
    """SonarQube's side: a pysaml2 SP that loads the IdP metadata."""
    config = SPConfig()
    config.load(
        {
            "entityid": "sonarqube",
            "metadata": {"inline": [xml]},
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            (f"{SONAR}/oauth2/callback/saml", BINDING_HTTP_POST)
                        ]
                    }
                }
            },
        }
    )
    return config


def entity_of(config: SPConfig) -> str:
    (entity,) = list(config.metadata.keys())
    return entity


def test_metadata_parses_as_idp_metadata(sdk, sonar, okta_url):
    config = sp_reading(metadata_of(sdk, sonar))
    entity = entity_of(config)
    assert entity.startswith("http://www.okta.com/exk")
    assert len(entity) == len("http://www.okta.com/") + 20
    external_key = entity.rsplit("/", 1)[1]
    expected = f"{okta_url}/app/devenvorg_sonarqube_1/{external_key}/sso/saml"
    for binding in (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT):
        (service,) = config.metadata.single_sign_on_service(entity, binding)
        assert service["location"] == expected
    idpsso = config.metadata[entity]["idpsso_descriptor"][0]
    assert idpsso["want_authn_requests_signed"] == "false"
    assert [f["text"] for f in idpsso["name_id_format"]] == [
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    ]


def test_signing_certificate_matches_the_app_kid(sdk, sonar):
    config = sp_reading(metadata_of(sdk, sonar))
    ((_, cert_b64),) = config.metadata.certs(entity_of(config), "idpsso", "signing")
    cert = x509.load_der_x509_certificate(base64.b64decode(cert_b64))
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert cert.subject == cert.issuer  # self-signed
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "devenvorg"
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 3650
    assert cert.not_valid_before_utc <= datetime.now(UTC)
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(spki).digest()).decode().rstrip("=")
    assert kid == sonar.credentials.signing.kid


def test_each_app_has_its_own_key(sdk, sonar):
    other, _ = create_app(sdk)
    assert other.credentials.signing.kid != sonar.credentials.signing.kid


def test_public_metadata_url_is_anonymous(sdk, sonar, okta_url):
    xml = metadata_of(sdk, sonar)
    external_key = entity_of(sp_reading(xml)).rsplit("/", 1)[1]
    response = requests.get(f"{okta_url}/app/{external_key}/sso/saml/metadata", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    assert response.text == xml
    api = requests.get(
        f"{okta_url}/api/v1/apps/{sonar.id}/sso/saml/metadata", headers=SSWS, timeout=10
    )
    assert api.headers["Content-Type"].startswith("text/xml")


def test_metadata_needs_a_token_on_the_api(okta, sonar):
    response = okta.get(f"/api/v1/apps/{sonar.id}/sso/saml/metadata")
    assert (response.status_code, response.get_json()["errorCode"]) == (401, "E0000011")


def test_unknown_kid_app_and_external_key(okta, sdk, sonar):
    err = error_of(sdk(lambda c: c.preview_sam_lmetadata_for_application(sonar.id, "nope")))
    assert (err.status, err.error_code) == (404, "E0000007")
    response = okta.get("/app/exk00000000000000000/sso/saml/metadata")
    assert (response.status_code, response.get_json()["errorCode"]) == (404, "E0000007")
    bookmark, _ = create_app(
        sdk,
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    response = okta.get(f"/api/v1/apps/{bookmark.id}/sso/saml/metadata", headers=SSWS)
    assert response.status_code == 404


def test_metadata_follows_a_custom_issuer():
    key = signing_keys.new_signing_key("devenvorg", datetime.now(UTC))
    xml = saml_metadata.idp_metadata(
        entity=saml_metadata.entity_id("https://www.okta.com/${org.externalKey}", "exkABC"),
        sso_location="http://okta.test/app/x/exkABC/sso/saml",
        cert_pem=key["certPem"],
    )
    assert entity_of(sp_reading(xml)) == "https://www.okta.com/exkABC"
