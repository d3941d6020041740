"""SonarQube's own SAML service-provider key pair (for signed AuthnRequests and encrypted
assertions): an RSA-2048 key in PKCS#8, as `sonar.auth.saml.sp.privateKey.secured` requires
("please make sure that it is in PKCS 8 format"), with a self-signed certificate."""

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from mock_common.keys import new_self_signed_pair


def new_sp_key_pair() -> tuple[str, str]:
    """(PKCS#8 private key PEM, certificate PEM) for the SonarQube SP, valid ten years."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sonarqube")])
    return new_self_signed_pair(subject, datetime.now(UTC), timedelta(days=3650))
