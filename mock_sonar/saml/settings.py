"""The `sonar.auth.saml.*` settings as SonarQube reads them (SamlSettings, reference §5.1).

Sources: SonarSource/sonarqube `server/sonar-auth-saml/.../SamlSettings.java` (2025),
`SamlCertificateConverter.java`, `SonarqubeRelyingPartyRegistrationRepository.java`.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from sqlite_utils import Database

from mock_sonar import settings
from mock_sonar.errors import SamlConfigurationError

PREFIX = "sonar.auth.saml."
ENABLED = PREFIX + "enabled"
APPLICATION_ID = PREFIX + "applicationId"
PROVIDER_NAME = PREFIX + "providerName"
PROVIDER_ID = PREFIX + "providerId"
LOGIN_URL = PREFIX + "loginUrl"
CERTIFICATE = PREFIX + "certificate.secured"
USER_LOGIN_ATTRIBUTE = PREFIX + "user.login"
USER_NAME_ATTRIBUTE = PREFIX + "user.name"
USER_EMAIL_ATTRIBUTE = PREFIX + "user.email"
GROUP_NAME_ATTRIBUTE = PREFIX + "group.name"
SIGN_REQUESTS = PREFIX + "signature.enabled"
SP_PRIVATE_KEY = PREFIX + "sp.privateKey.secured"
SP_CERTIFICATE = PREFIX + "sp.certificate.secured"
SERVER_BASE_URL = "sonar.core.serverBaseURL"

#: What SamlSettings.isEnabled requires besides the flag.
REQUIRED = (
    PROVIDER_ID,
    APPLICATION_ID,
    LOGIN_URL,
    CERTIFICATE,
    USER_LOGIN_ATTRIBUTE,
    USER_NAME_ATTRIBUTE,
)

#: Every SAML setting (SamlSettings.definitions).
KEYS = (
    ENABLED,
    APPLICATION_ID,
    PROVIDER_NAME,
    PROVIDER_ID,
    LOGIN_URL,
    CERTIFICATE,
    USER_LOGIN_ATTRIBUTE,
    USER_NAME_ATTRIBUTE,
    USER_EMAIL_ATTRIBUTE,
    GROUP_NAME_ATTRIBUTE,
    SIGN_REQUESTS,
    SP_PRIVATE_KEY,
    SP_CERTIFICATE,
)

#: The IllegalArgumentException messages of SamlSettings' getters.
MISSING = {
    PROVIDER_ID: "Provider ID is missing",
    PROVIDER_NAME: "Provider Name is missing",
    APPLICATION_ID: "Application ID is missing",
    LOGIN_URL: "Login URL is missing",
    CERTIFICATE: "Identity provider certificate is missing",
    USER_LOGIN_ATTRIBUTE: "User login attribute is missing",
    USER_NAME_ATTRIBUTE: "User name attribute is missing",
    SP_CERTIFICATE: "Service provider certificate is missing",
}
PKCS8_REQUIRED = (
    "Error in parsing service provider private key, please make sure that it is in PKCS 8 format."
)
SIGNING_KEY_MISSING = (
    "Sign requests is enabled but SonarQube private key and/or SonarQube certificate is missing"
)
CALLBACK_PATH = "/oauth2/callback/saml"

_PEM_LINE = re.compile(r"-----(BEGIN|END) [A-Z ]+-----")


@dataclass(frozen=True)
class SamlSettings:
    """The SAML settings, blank values read as absent (Configuration.get)."""

    values: dict[str, str]

    def get(self, key: str) -> str | None:
        """The value, or None when unset or blank."""
        return self.values.get(key)

    def require(self, key: str) -> str:
        """The value, or SamlConfigurationError with SamlSettings' "... is missing" message."""
        value = self.get(key)
        if value is None:
            raise SamlConfigurationError(MISSING.get(key, f"{key} is missing"))
        return value

    @property
    def is_enabled(self) -> bool:
        """SamlSettings.isEnabled: the flag and every mandatory value."""
        return self.flag(ENABLED) and all(self.get(key) for key in REQUIRED)

    def flag(self, key: str) -> bool:
        """A boolean setting (false unless "true")."""
        return (self.get(key) or "false").lower() == "true"

    @property
    def sign_requests(self) -> bool:
        """ "Sign requests" (sonar.auth.saml.signature.enabled)."""
        return self.flag(SIGN_REQUESTS)

    @property
    def provider_name(self) -> str:
        """The login button's provider name."""
        return self.require(PROVIDER_NAME)


def load(db: Database) -> SamlSettings:
    """The current SAML settings (defaults included)."""
    values = {}
    for key in (*KEYS, SERVER_BASE_URL):
        value = settings.get_value(db, key)
        if value is not None and value.strip():
            values[key] = value.strip()
    return SamlSettings(values)


def is_enabled(db: Database) -> bool:
    """Whether SAML users can log in (the login page and api/users/identity_providers show it)."""
    return load(db).is_enabled


def callback_url(saml: SamlSettings, default_base_url: str, forwarded_proto: str | None) -> str:
    """The ACS: OAuth2ContextFactory.generateCallbackUrl = public root URL + /oauth2/callback/saml.

    The public root URL is `sonar.core.serverBaseURL`; without it the server's own URL, whose
    scheme follows X-Forwarded-Proto as SonarQube's proxy workaround did (reference §5.2).
    """
    base = saml.get(SERVER_BASE_URL)
    if base is None:
        base = default_base_url
        if forwarded_proto in ("http", "https"):
            base = forwarded_proto + "://" + base.split("://", 1)[-1]
    return base.rstrip("/") + CALLBACK_PATH


def certificate_pem(text: str) -> str:
    """SamlCertificateConverter: a certificate given with or without its BEGIN/END lines."""
    body = re.sub(r"\s+", "", _PEM_LINE.sub("", text))
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
    except (binascii.Error, ValueError) as error:
        raise SamlConfigurationError(f"Invalid certificate: {error}") from error
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def certificate_base64(text: str) -> str:
    """The certificate's DER in base64, as metadata and KeyInfo elements carry it."""
    return "".join(certificate_pem(text).splitlines()[1:-1])


def private_key_pem(text: str) -> str:
    """SamlPrivateKeyConverter: an RSA key in PKCS#8, with or without its BEGIN/END lines."""
    body = re.sub(r"\s+", "", _PEM_LINE.sub("", text))
    try:
        key = serialization.load_der_private_key(base64.b64decode(body, validate=True), None)
    except (binascii.Error, ValueError, TypeError) as error:
        raise SamlConfigurationError(PKCS8_REQUIRED) from error
    if not isinstance(key, RSAPrivateKey):
        raise SamlConfigurationError(PKCS8_REQUIRED)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def login_url(saml: SamlSettings) -> str:
    """validateLoginUrl: an absolute URL, else "Invalid SAML Login URL"."""
    url = saml.require(LOGIN_URL)
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or any(c.isspace() for c in url):
        raise SamlConfigurationError("Invalid SAML Login URL")
    return url


@dataclass(frozen=True)
class ServiceProviderKeys:
    """SonarQube's own key pair: decryption whenever both are set, signing when asked for."""

    private_key_pem: str | None
    certificate_pem: str | None
    sign_requests: bool


def service_provider_keys(saml: SamlSettings) -> ServiceProviderKeys:
    """addSignRequestFieldsIfNecessary (2025): both parts, or neither unless signing is on."""
    key, cert = saml.get(SP_PRIVATE_KEY), saml.get(SP_CERTIFICATE)
    if key is None or cert is None:
        if saml.sign_requests:
            raise SamlConfigurationError(SIGNING_KEY_MISSING)
        return ServiceProviderKeys(None, None, False)
    return ServiceProviderKeys(private_key_pem(key), certificate_pem(cert), saml.sign_requests)
