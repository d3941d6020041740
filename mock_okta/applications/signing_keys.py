"""The signing keys of an app (Okta's Application Credentials): each SAML app gets its own
self-signed RSA-2048 certificate when it is created, as Okta does; more can be generated (or
cloned from another app) for a certificate rotation, and the API shows them as JSON Web Keys.
"""

import base64
import hashlib
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from mock_common import keys

# Okta's app certificates are valid for ten years.
_VALIDITY = timedelta(days=3650)


def new_signing_key(subdomain: str, now: datetime, validity_years: int = 10) -> dict:
    """A fresh RSA-2048 key and self-signed certificate: {kid, keyPem, certPem, created, ...}."""
    return signing_key_of(*new_key_pair(subdomain, now, timedelta(days=365 * validity_years)))


def new_key_pair(subdomain: str, now: datetime, validity: timedelta = _VALIDITY) -> tuple[str, str]:
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
    return keys.new_self_signed_pair(subject, now, validity)


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


def jwk_of(key: dict) -> dict:
    """The key as the Application Credentials API shows it (JsonWebKey: the public part)."""
    cert = x509.load_pem_x509_certificate(key["certPem"].encode())
    der = cert.public_bytes(serialization.Encoding.DER)
    numbers = cert.public_key().public_numbers()
    return {
        "created": _okta_time(key["created"]),
        "lastUpdated": _okta_time(key.get("lastUpdated") or key["created"]),
        "expiresAt": _okta_time(key["expiresAt"]),
        "x5c": [base64.b64encode(der).decode()],
        "e": _base64url_int(numbers.e),
        "n": _base64url_int(numbers.n),
        "kid": key["kid"],
        "kty": "RSA",
        "use": "sig",
        "x5t#S256": _base64url(hashlib.sha256(der).digest()),
    }


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _base64url_int(value: int) -> str:
    return _base64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _okta_time(naive_iso: str) -> str:
    # Key dates are kept as naive UTC ISO strings (the certificate's validity).
    return datetime.fromisoformat(naive_iso).strftime("%Y-%m-%dT%H:%M:%S.000Z")
