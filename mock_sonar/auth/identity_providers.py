"""The identity providers besides SonarQube's own accounts: SAML once it is fully enabled
(SamlSettings.isEnabled, reference §5.1), and LDAP servers, known by name only."""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar import settings
from mock_sonar.accounts import management, users
from mock_sonar.accounts.users import IdentityProvider
from mock_sonar.errors import BadRequest
from mock_sonar.saml import settings as saml_settings


def saml_provider_name(db: Database) -> str | None:
    """The SAML provider's name for the login page and api/users/identity_providers, or None
    while SAML is not fully enabled."""
    if not saml_settings.is_enabled(db):
        return None
    return settings.get_value(db, saml_settings.PROVIDER_NAME)


@transactional
def update_identity_provider(
    db: Database, now: datetime, login: str, *, provider: str, external_identity: str | None
) -> dict:
    """api/users/update_identity_provider: move a user to another enabled provider (SAML, or
    an LDAP server), keeping their external login unless given another; refused while managed."""
    management.check_not_managed(db)
    if provider in (IdentityProvider.SONARQUBE, "LDAP"):  # SONAR-17508
        provider = "LDAP_default"
    enabled = [IdentityProvider.SAML] if saml_settings.is_enabled(db) else []
    if provider not in enabled and not provider.startswith("LDAP_"):
        raise BadRequest(
            f"Value of parameter 'newExternalProvider' ({provider}) must be one "
            f"of: [{', '.join(enabled)}] or [LDAP, LDAP_{{serverKey}}]"
        )
    user = users.require_user(db, login)
    return users.set_external_identity(
        db,
        now,
        user,
        provider=provider,
        external_id=external_identity or user["external_login"],
    )
