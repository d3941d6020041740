"""A throwaway SAML IdP for mock_sonar's SP tests.

Responses are built with pysaml2's SAML classes, signed and encrypted by xmlsec1 (pysaml2's
backend), with a knob for every field SonarQube checks, so each test can break one thing.
"""

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from saml2 import saml, samlp
from saml2 import xmldsig as ds
from saml2.sigver import pre_encryption_part, pre_signature_part

from mock_common.xmlsec import xmlsec1
from mock_sonar.saml.sp_keys import new_sp_key_pair
from tests.conftest import ADMIN

SONAR_URL = "http://sonar.test"
ACS = f"{SONAR_URL}/oauth2/callback/saml"
IDP_ENTITY_ID = "http://www.okta.com/exktestidp0000000001"
LOGIN_URL = "http://okta.test/app/devenv_sonarqube_1/exktestidp0000000001/sso/saml"
RESPONSE_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"
ASSERTION_NODE = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
AES128 = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"


@dataclass(frozen=True)
class KeyPair:
    """A private key and its certificate, as PEM text and as files for xmlsec1."""

    key_pem: str
    cert_pem: str
    key_file: str
    cert_file: str

    @property
    def cert_base64(self) -> str:
        """The certificate without its BEGIN/END lines."""
        return "".join(line for line in self.cert_pem.splitlines() if "-----" not in line)


def key_pair(folder: Path, name: str) -> KeyPair:
    """A fresh RSA-2048 key pair written under `folder`."""
    key_pem, cert_pem = new_sp_key_pair()
    key_file, cert_file = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    key_file.write_text(key_pem)
    cert_file.write_text(cert_pem)
    return KeyPair(key_pem, cert_pem, str(key_file), str(cert_file))


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Knobs:
    """Everything a test may change in a response (defaults: a good Okta-like response)."""

    attributes: dict[str, list[str]]
    name_id: str = "jdoe@example.com"
    issuer: str = IDP_ENTITY_ID
    assertion_issuer: str | None = None
    destination: str | None = ACS
    recipient: str = ACS
    audience: str = "sonarqube"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    valid_for: timedelta = timedelta(minutes=5)
    not_before: datetime | None = None
    response_id: str | None = None
    assertion_id: str | None = None
    in_response_to: str | None = None
    status: str = samlp.STATUS_SUCCESS
    sign_response: bool = True
    sign_assertion: bool = True
    encrypt_for: KeyPair | None = None


class TestIdp:
    """An IdP with its own signing key; `response()` returns signed SAML XML."""

    __test__ = False  # not a test class

    def __init__(self, signing: KeyPair, entity_id: str = IDP_ENTITY_ID):
        self.signing = signing
        self.entity_id = entity_id
        self.backend = xmlsec1()
        self._counter = 0

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:04d}{datetime.now(UTC).strftime('%H%M%S%f')}"

    def response(self, signer: KeyPair | None = None, **changes: object) -> str:
        """A SAML response as XML text, signed (and encrypted) as the knobs say."""
        knobs = Knobs(**changes)  # type: ignore[arg-type]
        signer = signer or self.signing
        response_id = knobs.response_id or self._next_id("id")
        assertion_id = knobs.assertion_id or self._next_id("id")
        assertion = self._assertion(knobs, assertion_id)
        if knobs.sign_assertion:
            assertion.signature = _signature_template(assertion_id, signer)
        response = samlp.Response(
            id=response_id,
            version="2.0",
            issue_instant=_time(knobs.now),
            destination=knobs.destination,
            in_response_to=knobs.in_response_to,
            issuer=saml.Issuer(text=knobs.issuer, format=saml.NAMEID_FORMAT_ENTITY),
            status=samlp.Status(status_code=samlp.StatusCode(value=knobs.status)),
            assertion=assertion,
        )
        if knobs.sign_response:
            response.signature = _signature_template(response_id, signer)
        xml = str(response)
        if knobs.sign_assertion:
            xml = self.backend.sign_statement(xml, ASSERTION_NODE, signer.key_file, assertion_id)
        if knobs.encrypt_for is not None:
            xml = self._encrypt(xml, knobs.encrypt_for)
        if knobs.sign_response:
            xml = self.backend.sign_statement(xml, RESPONSE_NODE, signer.key_file, response_id)
        return xml

    def _assertion(self, knobs: Knobs, assertion_id: str) -> saml.Assertion:
        not_on_or_after = _time(knobs.now + knobs.valid_for)
        confirmation = saml.SubjectConfirmation(
            method=saml.SCM_BEARER,
            subject_confirmation_data=saml.SubjectConfirmationData(
                recipient=knobs.recipient,
                not_on_or_after=not_on_or_after,
                in_response_to=knobs.in_response_to,
            ),
        )
        statement = saml.AttributeStatement(
            attribute=[
                saml.Attribute(
                    name=name,
                    name_format=saml.NAME_FORMAT_UNSPECIFIED,
                    attribute_value=[saml.AttributeValue(text=value) for value in values],
                )
                for name, values in knobs.attributes.items()
            ]
        )
        return saml.Assertion(
            id=assertion_id,
            version="2.0",
            issue_instant=_time(knobs.now),
            issuer=saml.Issuer(
                text=knobs.assertion_issuer or knobs.issuer, format=saml.NAMEID_FORMAT_ENTITY
            ),
            subject=saml.Subject(
                name_id=saml.NameID(text=knobs.name_id, format=saml.NAMEID_FORMAT_EMAILADDRESS),
                subject_confirmation=[confirmation],
            ),
            conditions=saml.Conditions(
                not_before=_time(knobs.not_before or knobs.now - timedelta(minutes=1)),
                not_on_or_after=not_on_or_after,
                audience_restriction=[
                    saml.AudienceRestriction(audience=[saml.Audience(text=knobs.audience)])
                ],
            ),
            authn_statement=[
                saml.AuthnStatement(
                    authn_instant=_time(knobs.now),
                    session_index=assertion_id,
                    authn_context=saml.AuthnContext(
                        authn_context_class_ref=saml.AuthnContextClassRef(
                            text=saml.AUTHN_PASSWORD_PROTECTED
                        )
                    ),
                )
            ],
            attribute_statement=[statement],
        )

    def _encrypt(self, xml: str, recipient: KeyPair) -> str:
        """Move the (signed) assertion into an EncryptedAssertion and encrypt it for the SP."""
        match = re.search(r"<(\w+):Assertion\b.*?</\1:Assertion>", xml, re.S)
        assert match is not None
        prefix = match.group(1)
        wrapped = (
            f"{xml[: match.start()]}<{prefix}:EncryptedAssertion>{match.group(0)}"
            f"</{prefix}:EncryptedAssertion>{xml[match.end() :]}"
        )
        template = str(pre_encryption_part(msg_enc=AES128))
        return self.backend.encrypt_assertion(
            wrapped, recipient.cert_file, template, key_type="aes-128"
        )


def _signature_template(ident: str, signer: KeyPair) -> ds.Signature:
    return pre_signature_part(
        ident, signer.cert_base64, sign_alg=ds.SIG_RSA_SHA256, digest_alg=ds.DIGEST_SHA256
    )


def encode(xml: str) -> str:
    """The SAMLResponse form value (HTTP-POST binding)."""
    return base64.b64encode(xml.encode()).decode()


ATTRIBUTES = {
    "login": ["jdoe@example.com"],
    "name": ["John Doe"],
    "email": ["jdoe@example.com"],
    "groups": ["sonar-developers", "not-in-sonarqube"],
}


def configure_sonar(client, idp: TestIdp, **overrides: str) -> None:
    """The SAML settings of reference §5.1, as an admin saves them, trusting `idp`."""
    values = {
        "sonar.core.serverBaseURL": SONAR_URL,
        "sonar.auth.saml.enabled": "true",
        "sonar.auth.saml.providerId": idp.entity_id,
        "sonar.auth.saml.providerName": "Okta",
        "sonar.auth.saml.loginUrl": LOGIN_URL,
        "sonar.auth.saml.certificate.secured": idp.signing.cert_pem,
        "sonar.auth.saml.user.login": "login",
        "sonar.auth.saml.user.name": "name",
        "sonar.auth.saml.user.email": "email",
        "sonar.auth.saml.group.name": "groups",
        **overrides,
    }
    for key, value in values.items():
        if value == "":
            response = client.post("/api/settings/reset", data={"keys": key}, headers=ADMIN)
        else:
            response = client.post(
                "/api/settings/set", data={"key": key, "value": value}, headers=ADMIN
            )
        assert response.status_code == 204, response.data


def start_login(client, return_to: str | None = None) -> str:
    """GET /sessions/init/saml as the login button does; returns the RelayState it sent."""
    query = "" if return_to is None else f"?return_to={return_to}"
    response = client.get(f"/sessions/init/saml{query}")
    assert response.status_code == 302, response.data
    return parse_qs(urlsplit(response.headers["Location"]).query)["RelayState"][0]


def post_to_acs(client, saml_response: str, relay_state: str | None):
    """The IdP's auto-submitted form to the ACS."""
    data = {"SAMLResponse": saml_response}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return client.post("/oauth2/callback/saml", data=data)


def sso_login(client, idp: TestIdp, return_to: str | None = None, **knobs: object):
    """The whole SP-initiated login; returns the ACS's response."""
    knobs.setdefault("attributes", ATTRIBUTES)
    relay_state = start_login(client, return_to)
    return post_to_acs(client, encode(idp.response(**knobs)), relay_state)
