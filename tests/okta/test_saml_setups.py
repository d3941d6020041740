"""The IdP set-ups pysaml2 signs with: one per distinct app configuration, shared by concurrent
requests, its key on disk only while an operation runs (mock_okta/saml/crypto.py)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from saml2 import class_name, saml, samlp
from saml2.sigver import (
    SignatureError,
    pre_signature_part,
    signed_instance_factory,
)

from mock_common.xmlsec import xmlsec1
from mock_okta.applications import signing_keys
from mock_okta.saml import crypto

ENTITY_ID = "http://www.okta.com/exksetuptest00000001"
SSO_URL = "http://okta.test/app/setup_test_1/exksetuptest00000001/sso/saml"
RESPONSE_NODE = class_name(samlp.Response())


@pytest.fixture(scope="module")
def signing() -> dict:
    return signing_keys.new_signing_key("setup-test", datetime.now(UTC))


def signed_response(server, signing: dict, ident: str) -> str:
    response = samlp.Response(
        id=ident,
        version="2.0",
        issue_instant="2026-01-01T00:00:00Z",
        issuer=saml.Issuer(text=ENTITY_ID, format=saml.NAMEID_FORMAT_ENTITY),
        status=samlp.Status(status_code=samlp.StatusCode(value=samlp.STATUS_SUCCESS)),
    )
    cert = signing_keys.certificate_base64(signing["certPem"])
    response.signature = pre_signature_part(ident, cert)
    return signed_instance_factory(str(response), server.sec, [(RESPONSE_NODE, ident)])


def verifies(xml: str, ident: str, cert_pem: str, tmp_path: Path) -> bool:
    cert_file = tmp_path / f"{ident}.pem"
    cert_file.write_text(cert_pem)
    backend = xmlsec1()
    try:
        return backend.validate_signature(xml, str(cert_file), "pem", RESPONSE_NODE, ident)
    except SignatureError:  # xmlsec1 fails on a signature that does not verify
        return False


def test_concurrent_operations_share_one_set_up_and_each_signs(signing, tmp_path):
    def operation(number: int) -> tuple[int, str, str]:
        with crypto.idp_server(entity_id=ENTITY_ID, signing=signing, sso_url=SSO_URL) as server:
            assert Path(server.sec.key_file).is_file()
            return id(server), server.sec.key_file, signed_response(server, signing, f"id{number}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(operation, range(8)))

    assert len({server for server, _, _ in results}) == 1
    assert all(
        verifies(xml, f"id{n}", signing["certPem"], tmp_path) for n, (*_, xml) in enumerate(results)
    )
    assert not Path(results[0][1]).exists()


def test_the_key_is_not_on_disk_between_operations(signing):
    with crypto.idp_server(entity_id=ENTITY_ID, signing=signing, sso_url=SSO_URL) as server:
        key_file = Path(server.sec.key_file)
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert key_file.parent.stat().st_mode & 0o777 == 0o700

    assert not key_file.exists()


def test_another_signing_key_gets_its_own_set_up(signing, tmp_path):
    rotated = signing_keys.new_signing_key("setup-test", datetime.now(UTC))
    with crypto.idp_server(entity_id=ENTITY_ID, signing=signing, sso_url=SSO_URL) as first:
        pass
    with crypto.idp_server(entity_id=ENTITY_ID, signing=rotated, sso_url=SSO_URL) as second:
        xml = signed_response(second, rotated, "id-rotated")

    assert second is not first
    assert verifies(xml, "id-rotated", rotated["certPem"], tmp_path)
    assert not verifies(xml, "id-rotated", signing["certPem"], tmp_path)


def test_another_base_url_gets_its_own_set_up(signing):
    with crypto.idp_server(entity_id=ENTITY_ID, signing=signing, sso_url=SSO_URL) as first:
        pass
    other = SSO_URL.replace("okta.test", "okta.example")
    with crypto.idp_server(entity_id=ENTITY_ID, signing=signing, sso_url=other) as second:
        endpoints = second.config.getattr("endpoints", "idp")["single_sign_on_service"]

    assert second is not first
    assert {url for url, _binding in endpoints} == {other}
