"""The SAML tab of Administration > Authentication: its settings, as the web app edits them.

Definitions (names, descriptions, types, order) are SamlSettings.definitions() of SonarQube
2025 (`server/sonar-auth-saml/.../SamlSettings.java`); which are mandatory, what "configured"
means and how values are saved follow sonarqube-webapp's `useSamlConfiguration.ts`,
`useConfiguration.ts` and `useSaveValuesMutation` (a value equal to its default is reset).
"""

from dataclasses import dataclass

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar import settings
from mock_sonar.accounts import management
from mock_sonar.errors import BadRequest
from mock_sonar.saml import settings as saml_settings

DISABLE_WHILE_SCIM = (
    "You can not disable this configuration while using Automatic Provisioning. You must be "
    "in Just-in-Time Provisioning mode to disable this configuration."
)
DELETE_WHILE_ENABLED = "You can only delete a configuration if it is disabled."
ENABLE_FIRST = "Enable your SAML configuration to benefit from automatic user provisioning options."
SCIM_NOT_IN_EDITION = (
    "Your current edition does not support provisioning with SCIM. See the documentation for "
    "more information."
)


@dataclass(frozen=True)
class Definition:
    """One SAML setting as the configuration form shows it."""

    key: str
    name: str
    description: str
    secured: bool = False
    boolean: bool = False
    mandatory: bool = True


S = saml_settings
DEFINITIONS = (
    Definition(
        S.ENABLED,
        "Enabled",
        "Enable SAML users to login. Value is ignored if provider ID, login url, certificate, "
        "login, name attributes are not defined.",
        boolean=True,
    ),
    Definition(
        S.APPLICATION_ID,
        "Application ID",
        "The identifier used on the Identity Provider for registering SonarQube.",
    ),
    Definition(
        S.PROVIDER_NAME,
        "Provider Name",
        "Name of the Identity Provider displayed in the login page when SAML authentication "
        "is active.",
    ),
    Definition(
        S.PROVIDER_ID,
        "Provider ID",
        "Identifier of the Identity Provider, the entity that provides SAML authentication.",
    ),
    Definition(
        S.LOGIN_URL,
        "SAML login url",
        "The URL where the Identity Provider expects to receive SAML requests.",
    ),
    Definition(
        S.CERTIFICATE,
        "Identity provider certificate",
        "The public X.509 certificate used by the Identity Provider to authenticate SAML messages.",
        secured=True,
    ),
    Definition(
        S.USER_LOGIN_ATTRIBUTE,
        "SAML user login attribute",
        "The name of the attribute where the SAML Identity Provider will put the login of the "
        "authenticated user.",
    ),
    Definition(
        S.USER_NAME_ATTRIBUTE,
        "SAML user name attribute",
        "The name of the attribute where the SAML Identity Provider will put the name of the "
        "authenticated user.",
    ),
    Definition(
        S.USER_EMAIL_ATTRIBUTE,
        "SAML user email attribute",
        "The name of the attribute where the SAML Identity Provider will put the email of the "
        "authenticated user.",
        mandatory=False,
    ),
    Definition(
        S.GROUP_NAME_ATTRIBUTE,
        "SAML group attribute",
        "Attribute defining the user groups in SAML, used to synchronize group memberships. "
        "If you leave this field empty, group memberships will not be synced when users log in.",
        mandatory=False,
    ),
    Definition(
        S.SIGN_REQUESTS,
        "Sign requests",
        "Enables signature of SAML requests. It requires both service provider private key "
        "and certificate to be set.",
        boolean=True,
        mandatory=False,
    ),
    Definition(
        S.SP_PRIVATE_KEY,
        "Service provider private key",
        "PKCS8 stored private key used for signing the requests and decrypting responses from "
        "the identity provider. ",
        secured=True,
        mandatory=False,
    ),
    Definition(
        S.SP_CERTIFICATE,
        "Service provider certificate",
        "X.509 certificate for the service provider, used for signing the requests and "
        "decrypting responses from the identity provider.",
        secured=True,
        mandatory=False,
    ),
)
#: The form holds every SAML setting but `enabled` (SAML_EXCLUDED_FIELD; `sonar.scim.enabled`
#: is an internal property here, never a setting).
FORM_FIELDS = tuple(d for d in DEFINITIONS if d.key != S.ENABLED)
KEYS = tuple(d.key for d in DEFINITIONS)


def current_values(db: Database) -> dict[str, str | None]:
    """Every SAML setting's value, defaults included (api/settings/values' view of them)."""
    return {key: settings.get_value(db, key) for key in KEYS}


def is_set(value: str | None) -> bool:
    """A value counts as set when it is neither absent nor empty."""
    return value is not None and value != ""


def has_configuration(values: dict[str, str | None]) -> bool:
    """useConfiguration.hasConfiguration: every mandatory setting has a value."""
    return all(is_set(values[d.key]) for d in DEFINITIONS if d.mandatory)


def is_flag_enabled(values: dict[str, str | None]) -> bool:
    """The `enabled` setting as the tab reads it (the flag alone, not SamlSettings.isEnabled)."""
    return (values[S.ENABLED] or "").lower() == "true"


@transactional
def save_configuration(db: Database, submitted: dict[str, str | None]) -> list[str]:
    """Write the changed values (a default or empty value resets the setting); the keys saved."""
    values, saved = current_values(db), []
    for definition in FORM_FIELDS:
        new = submitted.get(definition.key)
        if new is None or new == (values[definition.key] or ""):
            continue
        if new == "" or new == settings.DEFAULTS.get(definition.key):
            settings.reset_values(db, [definition.key])
        else:
            settings.set_value(db, definition.key, new)
        saved.append(definition.key)
    return saved


@transactional
def set_enabled(db: Database, enabled: bool) -> None:
    """Enable or disable the configuration; SCIM must be off first (`canDisable={!scimStatus}`)."""
    if management.is_scim_enabled(db):
        raise BadRequest(DISABLE_WHILE_SCIM)
    if enabled:
        settings.set_value(db, S.ENABLED, "true")
    else:
        settings.reset_values(db, [S.ENABLED])


@transactional
def delete_configuration(db: Database) -> None:
    """Delete: reset every SAML setting; only a disabled configuration can be deleted."""
    if is_flag_enabled(current_values(db)):
        raise BadRequest(DELETE_WHILE_ENABLED)
    settings.reset_values(db, list(KEYS))
