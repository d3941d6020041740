"""Incoming SAML messages: decoding the HTTP-Redirect and HTTP-POST bindings, reading AuthnRequests.

SAML 2.0 Bindings §3.4 (HTTP-Redirect: raw DEFLATE, then base64, then URL-encoded) and §3.5
(HTTP-POST: base64). The XML is parsed with pysaml2's element classes, which use defusedxml.
Whether a request must be signed, and its signature, is `signed_requests.py`'s business.
"""

import base64
import binascii
import zlib
from dataclasses import dataclass

from saml2 import samlp
from saml2.s_utils import deflate_and_base64_encode

from mock_okta.errors import BadSamlRequest

#: Inflated messages larger than this are refused (a deflate bomb guard).
MAX_MESSAGE_BYTES = 256 * 1024


@dataclass(frozen=True)
class AuthnRequestInfo:
    """What the IdP uses of an AuthnRequest."""

    id: str
    issuer: str | None
    acs_url: str | None
    acs_index: str | None
    force_authn: bool
    issue_instant: str | None
    #: NameIDPolicy's Format ("" when the request has no NameIDPolicy or no Format).
    name_id_format: str = ""
    #: Set once Okta checked the request's signature (the app's Signed Requests).
    signature_verified: bool = False


def decode_message(encoded: str, *, deflated: bool) -> str:
    """The XML of a SAMLRequest/SAMLResponse parameter, or BadSamlRequest."""
    try:
        raw = base64.b64decode(encoded.encode("ascii"), validate=False)
        if deflated:
            inflater = zlib.decompressobj(-15)
            raw = inflater.decompress(raw, MAX_MESSAGE_BYTES)
            if inflater.unconsumed_tail:
                raise BadSamlRequest()
        if len(raw) > MAX_MESSAGE_BYTES:
            raise BadSamlRequest()
        return raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeError, ValueError) as error:
        raise BadSamlRequest() from error


def redirect_encoded(xml: str) -> str:
    """The HTTP-Redirect form of a message (raw DEFLATE + base64), not yet URL-encoded."""
    return deflate_and_base64_encode(xml).decode("ascii")


def read_authn_request(xml: str) -> AuthnRequestInfo:
    """The fields of an AuthnRequest, or BadSamlRequest when it is not one."""
    try:
        request = samlp.authn_request_from_string(xml)
    except (SyntaxError, ValueError) as error:  # ElementTree.ParseError, defusedxml refusals
        raise BadSamlRequest() from error
    if request is None or not request.id or request.version != "2.0":
        raise BadSamlRequest()
    issuer = request.issuer.text if request.issuer is not None else None
    policy = request.name_id_policy
    return AuthnRequestInfo(
        id=request.id,
        issuer=issuer.strip() if issuer else None,
        acs_url=request.assertion_consumer_service_url,
        acs_index=request.assertion_consumer_service_index,
        force_authn=str(request.force_authn).lower() in ("true", "1"),
        issue_instant=request.issue_instant,
        name_id_format=(policy.format or "") if policy is not None else "",
    )
