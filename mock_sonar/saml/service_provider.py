"""SonarQube's SAML 2.0 service provider: the AuthnRequest it sends and the checks a response
must pass (reference §5.2).

Since 10.x SonarQube runs Spring Security's OpenSaml4AuthenticationProvider, configured by
`SonarqubeRelyingPartyRegistrationRepository`, `SamlConfiguration` and
`SonarqubeSaml2ResponseValidator` (SonarSource/sonarqube, server/sonar-auth-saml). The SP
here is a pysaml2 client built in memory from the settings; responses are checked in Spring's
order and every failure carries Spring's message (response_checks.py).

The registration (parsed certificates and keys) and the pysaml2 client are built once for each
distinct set of settings and reused: a changed setting or callback URL builds new ones.
"""

import base64
import binascii
import tempfile
import threading
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, samlp
from saml2 import xmldsig as ds
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.sigver import get_xmlsec_binary
from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.errors import DecryptionFailed, MalformedXml, SamlResponseError
from mock_sonar.saml import response_checks
from mock_sonar.saml import xml as saml_xml
from mock_sonar.saml.response_checks import ErrorCode
from mock_sonar.saml.settings import (
    APPLICATION_ID,
    CERTIFICATE,
    PROVIDER_ID,
    SamlSettings,
    ServiceProviderKeys,
    certificate_base64,
    certificate_pem,
    login_url,
    service_provider_keys,
)
from mock_sonar.saml.xml import NS, signature_of, text_of

#: SamlMessageIdChecker keeps a response ID for one day.
MESSAGE_ID_LIFETIME = timedelta(days=1)
#: Saml2Utils.samlInflate's failure (Saml2Exception), reported as an invalid response.
UNABLE_TO_INFLATE = "Unable to inflate string"
#: Guess: our wording for a deflated response in a GET, which the Web Browser SSO profile
#: forbids (SAML 2.0 Profiles §4.1.2: "The HTTP Redirect binding MUST NOT be used").
REDIRECT_BINDING_REFUSED = "A SAML Response must not use the HTTP-Redirect binding (GET)"


@dataclass(frozen=True)
class Registration:
    """RelyingPartyRegistration: SonarQube as SP and what it trusts of the IdP."""

    entity_id: str
    acs: str
    idp_entity_id: str
    idp_sso_url: str
    idp_certificate_pem: str
    keys: ServiceProviderKeys


@dataclass(frozen=True)
class SamlPrincipal:
    """Saml2AuthenticatedPrincipal: the NameID and the first assertion's attributes."""

    name_id: str
    attributes: dict[str, list[str]]
    response_id: str


#: How many distinct sets of SAML settings keep their registration and client.
CACHED_REGISTRATIONS = 16
_BUILDING = threading.Lock()


def registration(saml: SamlSettings, acs: str) -> Registration:
    """findByRegistrationId, in its order; raises SamlConfigurationError on bad settings.

    Built once per distinct settings and callback URL (bad settings are not remembered).
    """
    with _BUILDING:  # concurrent first requests build one registration, not one each
        return _registration(tuple(sorted(saml.values.items())), acs)


@lru_cache(maxsize=CACHED_REGISTRATIONS)
def _registration(values: tuple[tuple[str, str], ...], acs: str) -> Registration:
    saml = SamlSettings(dict(values))
    idp_certificate = certificate_pem(saml.require(CERTIFICATE))
    return Registration(
        entity_id=saml.require(APPLICATION_ID),
        acs=acs,
        idp_entity_id=saml.require(PROVIDER_ID),
        idp_sso_url=login_url(saml),
        idp_certificate_pem=idp_certificate,
        keys=service_provider_keys(saml),
    )


def authn_request_url(reg: Registration, relay_state: str) -> str:
    """The IdP's login URL with SAMLRequest (HTTP-Redirect) and RelayState, plus SigAlg and
    Signature when "Sign requests" is on (RedirectToUrlProvider)."""
    with _BUILDING:
        sp = _service_provider(reg)
    with sp.lock:  # a client shared by the server's threads; pysaml2 does not promise safety
        _, info = sp.client.prepare_for_authenticate(
            entityid=reg.idp_entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sign=reg.keys.sign_requests,
            sigalg=ds.SIG_RSA_SHA256,
            # OpenSaml4AuthenticationRequestResolver: "ARQ" + a UUID without its first digit,
            # and no NameIDPolicy.
            message_id="ARQ" + str(uuid.uuid4())[1:],
            name_id_policy=None,
        )
    return dict(info["headers"])["Location"]


@dataclass(frozen=True)
class _ServiceProvider:
    client: Saml2Client
    lock: threading.Lock


@lru_cache(maxsize=CACHED_REGISTRATIONS)
def _service_provider(reg: Registration) -> _ServiceProvider:
    """The SP for one registration.

    pysaml2 reads the key files once, here: an HTTP-Redirect request is signed with the key
    it holds in memory, so the files are gone once the client is built.
    """
    with tempfile.TemporaryDirectory(prefix="saml-sp-") as folder:
        client = Saml2Client(_sp_config(reg, Path(folder)))
    return _ServiceProvider(client, threading.Lock())


def _sp_config(reg: Registration, folder: Path) -> SPConfig:
    config: dict = {
        "entityid": reg.entity_id,
        "xmlsec_binary": get_xmlsec_binary(),
        "metadata": {"inline": [_idp_metadata(reg)]},
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(reg.acs, BINDING_HTTP_POST)]},
                "authn_requests_signed": reg.keys.sign_requests,
                "allow_unsolicited": True,
            }
        },
    }
    if reg.keys.sign_requests:
        key_file, cert_file = folder / "sp-key.pem", folder / "sp-cert.pem"
        key_file.write_text(reg.keys.private_key_pem or "")
        key_file.chmod(0o600)
        cert_file.write_text(reg.keys.certificate_pem or "")
        config.update(key_file=str(key_file), cert_file=str(cert_file))
    sp_config = SPConfig()
    sp_config.load(config)
    return sp_config


def _idp_metadata(reg: Registration) -> str:
    """The IdP as SonarQube knows it: entity ID, login URL and signing certificate."""
    certificate = ds.X509Certificate(text=certificate_base64(reg.idp_certificate_pem))
    descriptor = md.IDPSSODescriptor(
        protocol_support_enumeration=samlp.NAMESPACE,
        want_authn_requests_signed="true" if reg.keys.sign_requests else "false",
        key_descriptor=[
            md.KeyDescriptor(
                use="signing",
                key_info=ds.KeyInfo(x509_data=[ds.X509Data(x509_certificate=certificate)]),
            )
        ],
        single_sign_on_service=[
            md.SingleSignOnService(binding=BINDING_HTTP_REDIRECT, location=reg.idp_sso_url)
        ],
    )
    return str(md.EntityDescriptor(entity_id=reg.idp_entity_id, idpsso_descriptor=[descriptor]))


def decode_response(saml_response: str | None, *, redirect_binding: bool = False) -> str:
    """Saml2AuthenticationTokenConverter: the base64 SAMLResponse form field as text.

    A GET is the HTTP-Redirect binding, whose message is DEFLATE-compressed: Spring inflates
    it, and a plain base64 response fails there ("Unable to inflate string"). One that does
    inflate is refused too, so a GET never logs anyone in.
    """
    if saml_response is None:
        # Guess: Spring gets no token and fails without a specific message.
        raise SamlResponseError(ErrorCode.MALFORMED, "No SAMLResponse in the request")
    try:
        # Java's MIME decoder skips characters outside the alphabet, as b64decode does.
        raw = base64.b64decode(saml_response, validate=False)
    except (binascii.Error, ValueError) as error:
        message = "Failed to decode SAMLResponse"
        raise SamlResponseError(ErrorCode.INVALID_RESPONSE, message) from error
    if redirect_binding:
        _inflate(raw)
        raise SamlResponseError(ErrorCode.INVALID_RESPONSE, REDIRECT_BINDING_REFUSED)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = "Failed to decode SAMLResponse"
        raise SamlResponseError(ErrorCode.INVALID_RESPONSE, message) from error


def _inflate(raw: bytes) -> bytes:
    """Saml2Utils.samlInflate: raw DEFLATE (`new Inflater(true)`), to the end of the stream."""
    inflater = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(raw)
    except zlib.error as error:
        raise SamlResponseError(ErrorCode.INVALID_RESPONSE, UNABLE_TO_INFLATE) from error
    if not inflater.eof:
        raise SamlResponseError(ErrorCode.INVALID_RESPONSE, UNABLE_TO_INFLATE)
    return inflated


def authenticate_response(
    db: Database,
    now: datetime,
    reg: Registration,
    saml_response: str | None,
    *,
    redirect_binding: bool = False,
) -> SamlPrincipal:
    """OpenSaml4AuthenticationProvider.authenticate with SonarQube's validators.

    Raises SamlResponseError with the first error found, as Spring does. The response ID is
    remembered (table `saml_message_ids`) as soon as the response validator runs.
    """
    document = decode_response(saml_response, redirect_binding=redirect_binding)
    try:
        return _process(db, now, reg, document)
    except MalformedXml as error:
        raise SamlResponseError(ErrorCode.MALFORMED, str(error)) from error
    except DecryptionFailed as error:
        raise SamlResponseError(ErrorCode.DECRYPTION_ERROR, str(error)) from error


def _process(db: Database, now: datetime, reg: Registration, document: str) -> SamlPrincipal:
    root = response_checks.response_element(saml_xml.parse(document))
    response_id = root.get("ID", "")
    signed = signature_of(root) is not None
    errors: list[tuple[str, str]] = []
    if signed:
        errors += _signature_errors(document, root, reg, saml_xml.RESPONSE_NODE)
        document, root = _decrypt(document, root, reg)
    elif root.find("saml:EncryptedAssertion", NS) is not None:
        errors.append(response_checks.not_decrypted(response_id))
    assertions = response_checks.assertions_of(root)
    errors += response_checks.response_errors(root, reg.acs, reg.idp_entity_id, assertions)
    errors += check_message_id(db, now, response_id)
    for assertion in assertions:
        if signature_of(assertion) is not None:
            errors += _signature_errors(document, assertion, reg, saml_xml.ASSERTION_NODE)
        errors += response_checks.assertion_errors(
            assertion,
            root,
            audience=reg.entity_id,
            recipient=reg.acs,
            issuer=reg.idp_entity_id,
            now=now,
        )
    if not signed and not all(signature_of(a) is not None for a in assertions):
        errors.append(response_checks.UNSIGNED)
    name_id = text_of(assertions[0].find("saml:Subject/saml:NameID", NS)) if assertions else None
    if assertions and name_id is None:
        errors.append(response_checks.missing_subject(assertions[0]))
    if errors:
        raise SamlResponseError(*errors[0])
    return SamlPrincipal(name_id or "", response_checks.attributes_of(assertions[0]), response_id)


def _signature_errors(
    document: str, element: ET.Element, reg: Registration, node: str
) -> list[tuple[str, str]]:
    # Spring looks the verification key up by the signer's Issuer: another issuer has no key.
    issuer = text_of(element.find("saml:Issuer", NS))
    if issuer != reg.idp_entity_id:
        message = f"Invalid signature for object [{element.get('ID', '')}]"
        return [(ErrorCode.INVALID_SIGNATURE, message)]
    messages = saml_xml.verify(document, element, reg.idp_certificate_pem, node)
    return [(ErrorCode.INVALID_SIGNATURE, message) for message in messages]


def _decrypt(document: str, root: ET.Element, reg: Registration) -> tuple[str, ET.Element]:
    """The response elements decrypter: every EncryptedAssertion opened with SonarQube's key."""
    encrypted = root.findall("saml:EncryptedAssertion", NS)
    if not encrypted:
        return document, root
    if reg.keys.private_key_pem is None:
        raise DecryptionFailed(saml_xml.UNDECRYPTABLE)
    for _ in encrypted:
        document = saml_xml.decrypt(document, reg.keys.private_key_pem)
    return document, response_checks.response_element(saml_xml.parse(document))


@transactional
def check_message_id(db: Database, now: datetime, message_id: str) -> list[tuple[str, str]]:
    """SamlMessageIdChecker: a response ID is accepted once; it is kept for a day."""
    millis = int(now.timestamp() * 1000)
    db.execute("delete from saml_message_ids where expiration_date <= ?", [millis])
    if list(db.query("select 1 from saml_message_ids where message_id = ?", [message_id])):
        return [
            (ErrorCode.RESPONSE_ID_ALREADY_USED, "A message with the same ID was already processed")
        ]
    expiry = int((now + MESSAGE_ID_LIFETIME).timestamp() * 1000)
    db["saml_message_ids"].insert(
        {"message_id": message_id, "expiration_date": expiry, "created_at": millis}
    )
    return []
