"""Loading the `sonar` part of a fixture through the domain layer, and resetting to it."""

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from mock_common import keys, state
from mock_common.db import transactional
from mock_sonar import settings
from mock_sonar.accounts import groups, management, memberships, tokens, users
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.accounts.tokens import TokenType
from mock_sonar.accounts.users import IdentityProvider
from mock_sonar.errors import BadRequest
from mock_sonar.saml.sp_keys import new_sp_key_pair
from mock_sonar.scim import faults


@transactional
def seed(db: Database, now: datetime, fixture: dict, variables: dict[str, str]) -> None:
    """Apply a fixture's `sonar` section on top of the bootstrap state, in one transaction."""
    part = state.substitute(fixture.get("sonar", {}), variables)
    bootstrap(db, now)
    for key, value in part.get("settings", {}).items():
        settings.set_value(db, key, value)
    _seed_saml_keys(db, part.get("samlKeys", {}))
    for group in part.get("groups", []):
        if groups.get_group_by_name(db, group["name"]) is None:
            groups.create_group(db, now, group["name"], group.get("description"))
    for user in part.get("users", []):
        _seed_user(db, now, user)
    if "admin" in part:
        _seed_admin(db, part["admin"])
    if part.get("scim", {}).get("enabled"):
        management.enable_scim(db)
    for token in part.get("tokens", []):
        _seed_token(db, now, token)
    state.remember_fixture(db, fixture, variables)


#: samlKeys entries: which part of which key file becomes which secured setting.
_SAML_KEY_SETTINGS = {
    "idpCertificateFile": [("sonar.auth.saml.certificate.secured", "certificate")],
    "spKeyFile": [
        ("sonar.auth.saml.sp.privateKey.secured", "key"),
        ("sonar.auth.saml.sp.certificate.secured", "certificate"),
    ],
}


def _seed_saml_keys(db: Database, spec: dict) -> None:
    """Secured SAML settings from key files: the IdP certificate an admin copies from Okta's
    Sign On tab (mock_okta made the file), and SonarQube's own SP key pair (made here)."""
    for name, path in spec.items():
        if name not in _SAML_KEY_SETTINGS:
            raise BadRequest(f"samlKeys: unknown entry '{name}'")
        try:
            if name == "spKeyFile":
                key_pem, cert_pem = keys.load_or_create_key_pair(Path(path), new_sp_key_pair)
            else:
                # mock_okta's seed makes this file: seed mock_okta first.
                key_pem, cert_pem = keys.load_key_pair(Path(path))
        except (OSError, ValueError) as error:
            raise BadRequest(f"samlKeys.{name}: {error}") from error
        parts = {"key": key_pem, "certificate": cert_pem}
        for setting, part_name in _SAML_KEY_SETTINGS[name]:
            settings.set_value(db, setting, parts[part_name])


def _seed_user(db: Database, now: datetime, spec: dict) -> None:
    provider = spec.get("externalProvider", IdentityProvider.SONARQUBE)
    if provider == IdentityProvider.SONARQUBE:
        user = users.create_local_user(
            db,
            now,
            login=spec["login"],
            name=spec["name"],
            email=spec.get("email"),
            password=spec.get("password"),
            local=spec.get("local", True),
        )
    else:
        user = users.create_external_user(
            db,
            now,
            name=spec["name"],
            email=spec.get("email"),
            provider=provider,
            external_id=spec["externalIdentity"],
            login_seed=spec["name"],
            login=spec.get("login"),
        )
    for name in spec.get("groups", []):
        memberships.add_member(db, groups.require_group(db, name), user["uuid"])


def _seed_token(db: Database, now: datetime, spec: dict) -> None:
    """A user token with the fixture's fixed value (stored hashed, as every token)."""
    tokens.seed_token(
        db,
        now,
        spec["login"],
        name=spec["name"],
        token_type=spec.get("type", TokenType.USER_TOKEN),
        value=spec["value"],
    )


def _seed_admin(db: Database, spec: dict) -> None:
    users.set_password_state(
        db,
        users.require_user(db, "admin"),
        password=spec.get("password"),
        reset_password=spec.get("resetPassword", True),
    )


@transactional
def seed_without_faults(db: Database, now: datetime, fixture: dict, variables: dict) -> None:
    """`seed`, with no injected SCIM fault left over (what `/_mock/seed` loads)."""
    seed(db, now, fixture, variables)
    faults.clear(db)


def reset(db: Database, now: datetime) -> None:
    """Back to the loaded fixture (or to a fresh instance when none was loaded), without the
    injected SCIM faults."""
    state.reset(db, now, seed, bootstrap)
    faults.clear(db)
