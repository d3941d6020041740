"""A changed SAML setting holds from the very next login: the SP's registration, keys and
pysaml2 client are kept per set of settings and never outlive them (reference §5.1, §5.2)."""

import base64
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from saml2.s_utils import decode_base64_and_inflate

from tests.sonar.saml_idp_helper import (
    ATTRIBUTES,
    LOGIN_URL,
    KeyPair,
    TestIdp,
    configure_sonar,
    encode,
    post_to_acs,
    start_login,
)

CERTIFICATE = "sonar.auth.saml.certificate.secured"
SP_KEY = "sonar.auth.saml.sp.privateKey.secured"
SP_CERTIFICATE = "sonar.auth.saml.sp.certificate.secured"
SIGN_REQUESTS = "sonar.auth.saml.signature.enabled"
OTHER_LOGIN_URL = "http://okta.test/app/devenv_sonarqube_2/exktestidp0000000002/sso/saml"


def reconfigure(client, idp: TestIdp, **overrides: str) -> None:
    """The settings saved by an admin (in a client without the signed-in user's cookies)."""
    configure_sonar(client.application.test_client(), idp, **overrides)


def log_in(client, idp: TestIdp, signer: KeyPair | None = None, **knobs: object) -> str:
    """An SP-initiated login with a response `signer` signed; where the ACS sends the browser."""
    relay_state = start_login(client)
    xml = idp.response(signer, attributes=ATTRIBUTES, **knobs)
    return post_to_acs(client, encode(xml), relay_state).headers["Location"]


def login_request_location(client) -> str:
    response = client.get("/sessions/init/saml")
    assert response.status_code == 302, response.data
    return response.headers["Location"]


def signed_by(location: str, pair: KeyPair) -> bool:
    """Whether the HTTP-Redirect AuthnRequest's signature verifies with the pair's certificate.

    SAML Bindings §3.4.4.1: it covers SAMLRequest, RelayState and SigAlg as sent.
    """
    fields = dict(part.split("=", 1) for part in urlsplit(location).query.split("&"))
    octets = "&".join(f"{name}={fields[name]}" for name in ("SAMLRequest", "RelayState", "SigAlg"))
    public_key = x509.load_pem_x509_certificate(pair.cert_pem.encode()).public_key()
    signature = base64.b64decode(unquote(fields["Signature"]))
    try:
        public_key.verify(signature, octets.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_a_new_idp_certificate_is_the_only_one_trusted_from_the_next_login(
    saml_sonar, idp, saml_keys
):
    assert log_in(saml_sonar, idp) == "/"
    reconfigure(saml_sonar, idp, **{CERTIFICATE: saml_keys["other"].cert_pem})

    assert log_in(saml_sonar, idp) == "/sessions/unauthorized"
    assert log_in(saml_sonar, idp, saml_keys["other"]) == "/"


def test_the_previous_idp_certificate_is_trusted_again_once_set_back(saml_sonar, idp, saml_keys):
    reconfigure(saml_sonar, idp, **{CERTIFICATE: saml_keys["other"].cert_pem})
    assert log_in(saml_sonar, idp, saml_keys["other"]) == "/"

    reconfigure(saml_sonar, idp)

    assert log_in(saml_sonar, idp, saml_keys["other"]) == "/sessions/unauthorized"
    assert log_in(saml_sonar, idp) == "/"


def test_a_new_login_url_and_application_id_make_the_next_authn_request(saml_sonar, idp):
    assert login_request_location(saml_sonar).startswith(LOGIN_URL + "?")
    reconfigure(
        saml_sonar,
        idp,
        **{"sonar.auth.saml.loginUrl": OTHER_LOGIN_URL, "sonar.auth.saml.applicationId": "sq2"},
    )

    location = login_request_location(saml_sonar)

    assert location.startswith(OTHER_LOGIN_URL + "?")
    request = decode_base64_and_inflate(parse_qs(urlsplit(location).query)["SAMLRequest"][0])
    assert ">sq2</" in request.decode()
    assert f'Destination="{OTHER_LOGIN_URL}"' in request.decode()


def test_a_new_application_id_is_the_audience_required_from_the_next_login(saml_sonar, idp):
    assert log_in(saml_sonar, idp) == "/"
    reconfigure(saml_sonar, idp, **{"sonar.auth.saml.applicationId": "sq2"})

    assert log_in(saml_sonar, idp) == "/sessions/unauthorized"
    assert log_in(saml_sonar, idp, audience="sq2") == "/"


def test_a_new_sp_key_pair_signs_the_next_authn_request(saml_sonar, idp, saml_keys):
    sp, other = saml_keys["sp"], saml_keys["other"]
    reconfigure(
        saml_sonar, idp, **{SIGN_REQUESTS: "true", SP_KEY: sp.key_pem, SP_CERTIFICATE: sp.cert_pem}
    )
    assert signed_by(login_request_location(saml_sonar), sp)
    reconfigure(
        saml_sonar,
        idp,
        **{SIGN_REQUESTS: "true", SP_KEY: other.key_pem, SP_CERTIFICATE: other.cert_pem},
    )

    location = login_request_location(saml_sonar)

    assert signed_by(location, other)
    assert not signed_by(location, sp)


def test_turning_sign_requests_off_sends_the_next_authn_request_unsigned(
    saml_sonar, idp, saml_keys
):
    sp = saml_keys["sp"]
    keys = {SP_KEY: sp.key_pem, SP_CERTIFICATE: sp.cert_pem}
    reconfigure(saml_sonar, idp, **{SIGN_REQUESTS: "true", **keys})
    assert "Signature" in parse_qs(urlsplit(login_request_location(saml_sonar)).query)
    reconfigure(saml_sonar, idp, **{SIGN_REQUESTS: "false", **keys})

    query = parse_qs(urlsplit(login_request_location(saml_sonar)).query)

    assert set(query) == {"SAMLRequest", "RelayState"}


def test_a_new_sp_key_pair_decrypts_the_next_assertion(saml_sonar, idp, saml_keys):
    sp, other = saml_keys["sp"], saml_keys["other"]
    reconfigure(saml_sonar, idp, **{SP_KEY: sp.key_pem, SP_CERTIFICATE: sp.cert_pem})
    assert log_in(saml_sonar, idp, encrypt_for=sp) == "/"
    reconfigure(saml_sonar, idp, **{SP_KEY: other.key_pem, SP_CERTIFICATE: other.cert_pem})

    assert log_in(saml_sonar, idp, encrypt_for=sp) == "/sessions/unauthorized"
    assert log_in(saml_sonar, idp, encrypt_for=other) == "/"
