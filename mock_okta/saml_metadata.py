"""SAML 2.0 IdP signing keys and metadata of an app (reference/okta.md §6).

Each SAML app gets its own self-signed RSA-2048 certificate when it is created, as Okta does.
The metadata document (an IdP EntityDescriptor) is built with pysaml2's metadata elements.
"""

import base64
import hashlib
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, metadata
from saml2 import xmldsig as ds
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED

from mock_common import keys

#: Okta's IdP issuer template; `${org.externalKey}` is the app's external key.
ISSUER_TEMPLATE = "http://www.okta.com/${org.externalKey}"
# Okta's app certificates are valid for ten years.
_VALIDITY = timedelta(days=3650)


def new_signing_key(subdomain: str, now: datetime) -> dict:
    """A fresh RSA-2048 key and self-signed certificate: {kid, keyPem, certPem, created, ...}."""
    return signing_key_of(*new_key_pair(subdomain, now))


def new_key_pair(subdomain: str, now: datetime) -> tuple[str, str]:
    """(private key PEM, certificate PEM) of a new IdP signing key, as Okta issues them."""
    # Okta's certificates name the org in CN under a fixed Okta subject (as in its metadata).
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okta"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "SSOProvider"),
            x509.NameAttribute(NameOID.COMMON_NAME, subdomain),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "info@okta.com"),
        ]
    )
    return keys.new_self_signed_pair(subject, now, _VALIDITY)


def signing_key_of(key_pem: str, cert_pem: str) -> dict:
    """The stored form of a signing key pair: {kid, keyPem, certPem, created, expiresAt}."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return {
        "kid": _kid(cert),
        "keyPem": key_pem,
        "certPem": cert_pem,
        "created": cert.not_valid_before_utc.replace(tzinfo=None).isoformat(),
        "expiresAt": cert.not_valid_after_utc.replace(tzinfo=None).isoformat(),
    }


def _kid(cert: x509.Certificate) -> str:
    # Guess: Okta's kids are 43-character base64url strings (a SHA-256 digest); we use the
    # digest of the public key, so the kid is stable for the key.
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(spki).digest()).decode().rstrip("=")


def certificate_base64(cert_pem: str) -> str:
    """The certificate's DER in base64, as X509Certificate elements carry it."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def entity_id(issuer_template: str | None, external_key: str) -> str:
    """The IdP entityID / Issuer: the app's idpIssuer with the external key filled in."""
    return (issuer_template or ISSUER_TEMPLATE).replace("${org.externalKey}", external_key)


def sso_url(base_url: str, app_name: str, external_key: str) -> str:
    """The IdP's SSO endpoint (HTTP-POST and HTTP-Redirect): /app/{name}/{externalKey}/sso/saml."""
    return f"{base_url}/app/{app_name}/{external_key}/sso/saml"


def slo_url(base_url: str, app_name: str, external_key: str) -> str:
    """The IdP's Single Logout URL: /app/{name}/{externalKey}/slo/saml (Okta SLO guide)."""
    return f"{base_url}/app/{app_name}/{external_key}/slo/saml"


def metadata_url(base_url: str, external_key: str) -> str:
    """The public metadata URL: /app/{externalKey}/sso/saml/metadata."""
    return f"{base_url}/app/{external_key}/sso/saml/metadata"


def idp_metadata(
    *, entity: str, sso_location: str, cert_pem: str, slo_location: str | None = None
) -> str:
    """The IdP EntityDescriptor Okta publishes for an app (Okta's ApplicationSSO example).

    With SP-initiated SLO enabled, the SingleLogoutService endpoints are listed too.
    """
    endpoints: dict = {
        "single_sign_on_service": [
            (sso_location, BINDING_HTTP_POST),
            (sso_location, BINDING_HTTP_REDIRECT),
        ]
    }
    if slo_location:
        endpoints["single_logout_service"] = [
            (slo_location, BINDING_HTTP_POST),
            (slo_location, BINDING_HTTP_REDIRECT),
        ]
    config = IdPConfig()
    config.load(
        {
            "entityid": entity,
            "metadata_key_usage": "signing",
            "service": {
                "idp": {
                    "endpoints": endpoints,
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
                    "want_authn_requests_signed": False,
                }
            },
        }
    )
    descriptor = metadata.do_idpsso_descriptor(config, cert=certificate_base64(cert_pem))
    document = md.EntityDescriptor(entity_id=entity, idpsso_descriptor=descriptor)
    body = document.to_string(nspair={"md": md.NAMESPACE, "ds": ds.NAMESPACE}).decode()
    return '<?xml version="1.0" encoding="UTF-8"?>' + body
