"""Signed AuthnRequests: the app's "Signed Requests" (`settings.signOn.samlSignedRequestEnabled`).

Okta help, "Application Integration Wizard SAML field reference":
* Signature Certificate (`settings.signOn.spCertificate.x5c`): the certificate "used to validate
  the SAML sign-in request and the Single Logout (SLO) request".
* Signed Requests: "validate all SAML requests using the Signature Certificate. The payload from
  the SAML request is validated, and Okta dynamically reads any single sign-on (SSO) URLs from
  the request" (so the signed request's AssertionConsumerServiceURL is honoured, `idp.py`).
* Name ID format: "When Signed Requests is enabled, this setting must match the NameIdPolicy in
  the SAML Request". A request without NameIDPolicy gets "NameIDPolicy '' is not the configured
  Name ID Format '…' for the app" (flipboxfactory/saml-sp#235), which is why SonarQube's docs say
  "Okta does not support service provider-signed requests": Spring sends no NameIDPolicy.

The signature is checked as its binding carries it: HTTP-Redirect's SigAlg + Signature over the
exact query string (SAML Bindings §3.4.4.1), HTTP-POST's enveloped XML signature; by pysaml2
and xmlsec1 (`crypto.py`), only with the app's certificate. A request that passed comes back
from the sign-in page re-encoded and without its SigAlg/Signature, so it carries a seal instead.
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlite_utils import Database

from mock_okta.applications import apps
from mock_okta.errors import SignedRequestRefused
from mock_okta.saml import crypto as saml_security
from mock_okta.saml import metadata as saml_metadata
from mock_okta.saml.requests import (
    AuthnRequestInfo,
    decode_message,
    read_authn_request,
    redirect_encoded,
)
from mock_okta.security import signin

#: The parameter that carries the seal of a checked request through the sign-in page.
SEAL_PARAM = "signedRequestSeal"
#: What the HTTP-Redirect signature covers, in this order (SAML Bindings §3.4.4.1).
_SIGNED_PARAMS = (b"SAMLRequest", b"RelayState", b"SigAlg")


@dataclass(frozen=True)
class ReceivedAuthnRequest:
    """An AuthnRequest as the SSO URL received it.

    `encoded` is its HTTP-Redirect form, to come back with after the sign-in page; `seal`
    vouches for a checked signature on that way back; `refusal` is the error page Okta shows
    once the user is authenticated, when the app validates signed requests and this one fails.
    """

    info: AuthnRequestInfo
    encoded: str
    seal: str | None
    refusal: SignedRequestRefused | None

    def query(self, relay_state: str | None) -> dict[str, str]:
        """The SSO URL's query that brings this request back after the sign-in page."""
        query = {"SAMLRequest": self.encoded}
        if relay_state:
            query["RelayState"] = relay_state
        if self.seal:
            query[SEAL_PARAM] = self.seal
        return query


def receive_authn_request(
    db: Database,
    app: dict,
    *,
    base_url: str,
    params: Mapping[str, str],
    raw_query: bytes,
    redirect: bool,
) -> ReceivedAuthnRequest | None:
    """Decode the SAMLRequest (None when there is none) and check it as the app requires."""
    saml_request = params.get("SAMLRequest")
    if saml_request is None or not saml_request.strip():
        return None
    xml = decode_message(saml_request, deflated=redirect)
    info = read_authn_request(xml)
    encoded = saml_request if redirect else redirect_encoded(xml)
    sign_on = apps.body_of(app)["settings"]["signOn"]
    if not sign_on.get("samlSignedRequestEnabled"):
        return ReceivedAuthnRequest(info, encoded, None, None)
    seal = signin.seal(db, _sealed_text(app, xml, params.get("RelayState")))
    carried = params.get(SEAL_PARAM) or ""
    checked = hmac.compare_digest(carried, seal) if carried else False
    if not checked and not _signature_is_valid(
        app, sign_on, base_url, xml, params, raw_query, redirect=redirect
    ):
        return ReceivedAuthnRequest(info, encoded, None, SignedRequestRefused())
    configured = sign_on["subjectNameIdFormat"]
    if info.name_id_format != configured:
        # Guess: the signature is checked before the NameIDPolicy.
        refusal = SignedRequestRefused.name_id_policy(info.name_id_format, configured)
        return ReceivedAuthnRequest(info, encoded, None, refusal)
    return ReceivedAuthnRequest(replace(info, signature_verified=True), encoded, seal, None)


def _sealed_text(app: dict, xml: str, relay_state: str | None) -> str:
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    return f"signedRequest:{app['id']}:{digest}:{relay_state or ''}"


def _signature_is_valid(
    app: dict,
    sign_on: dict,
    base_url: str,
    xml: str,
    params: Mapping[str, str],
    raw_query: bytes,
    *,
    redirect: bool,
) -> bool:
    """The binding's signature, checked with the app's Signature Certificate(s)."""
    # Guess: with no certificate every request is refused (the console shows the Signed
    # Requests checkbox only once a Signature Certificate is uploaded).
    certificates = saml_security.sp_certificates(sign_on)
    if not certificates:
        return False
    if redirect:
        # Guess: an HTTP-Redirect request without SigAlg/Signature is unsigned, even when its
        # XML holds an enveloped signature (SAML Bindings §3.4.4.1: it must be removed).
        sig_alg, signature = params.get("SigAlg") or "", params.get("Signature") or ""
        octets = signed_query_octets(raw_query)
        return saml_security.verify_query_signature(octets, sig_alg, signature, certificates)
    return _enveloped_signature_is_valid(app, sign_on, base_url, xml, certificates)


def _enveloped_signature_is_valid(
    app: dict, sign_on: dict, base_url: str, xml: str, certificates: list[str]
) -> bool:
    """An HTTP-POST request's enveloped signature, by pysaml2/xmlsec1.

    The certificates belong to the app, whatever Issuer the request names: the SP is made
    known to pysaml2 under the request's own Issuer.
    """
    issuer = read_authn_request(xml).issuer
    if not issuer:
        return False  # Guess: a signed request must name its Issuer.
    sp = saml_security.sp_metadata(issuer, certificates, acs_url=sign_on["ssoAcsUrl"])
    with saml_security.idp_server(
        entity_id=saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"]),
        signing=apps.internal_of(app)["signing"],
        sso_url=saml_metadata.sso_url(base_url, app["name"], app["external_key"]),
        sp_metadata=sp,
    ) as server:
        return saml_security.verify_enveloped_signature(server, xml, "authn_request")


def signed_query_octets(raw_query: bytes, message: bytes = b"SAMLRequest") -> bytes:
    """`SAMLRequest=…&RelayState=…&SigAlg=…` exactly as the query string carried them."""
    found: dict[bytes, bytes] = {}
    for part in raw_query.split(b"&"):
        name = part.split(b"=", 1)[0]
        if name not in found:
            found[name] = part
    order = (message, *_SIGNED_PARAMS[1:])
    return b"&".join(found[name] for name in order if name in found)
