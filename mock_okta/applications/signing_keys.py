"""The signing keys of an app (Okta's Application Credentials): each SAML app gets its own
self-signed RSA-2048 certificate when it is created, as Okta does."""

import base64
import hashlib
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from mock_common import keys

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
