"""A SAML login: the assertion's attributes become a user identity, and SonarQube's
UserRegistrarImpl finds, creates, reactivates or refuses the user (reference §5.3-§5.5).

Sources: SonarSource/sonarqube `PrincipalToUserIdentityConverter.java`,
`UserRegistrarImpl.java`, `OAuth2CallbackFilter.java`, `UserMapper.xml` (2025).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import groups, management, memberships, sessions, users
from mock_sonar.accounts.users import IdentityProvider
from mock_sonar.errors import AuthenticationFailed, BadRequest, SamlConfigurationError
from mock_sonar.saml import oauth, service_provider
from mock_sonar.saml.service_provider import SamlPrincipal
from mock_sonar.saml.settings import (
    GROUP_NAME_ATTRIBUTE,
    USER_EMAIL_ATTRIBUTE,
    USER_LOGIN_ATTRIBUTE,
    USER_NAME_ATTRIBUTE,
    SamlSettings,
)

NOT_PROVISIONED_LOG = (
    "No account found for this user. As the instance is managed, make sure to provision the "
    "user from your IDP."
)
NOT_PROVISIONED = (
    "You have no account on SonarQube. Please make sure with your administrator that your "
    "account is provisioned."
)
EMAIL_ALREADY_USED = (
    "This account is already associated with another authentication method. Sign in using the "
    "current authentication method, or contact your administrator to transfer your account to "
    "a different authentication method."
)


@dataclass(frozen=True)
class UserIdentity:
    """UserIdentity: `groups` is None when SonarQube must not sync memberships."""

    login: str
    name: str
    email: str | None
    groups: frozenset[str] | None


@dataclass(frozen=True)
class SamlLogin:
    """A successful login: the user and the browser session opened for them."""

    user: dict
    session: str
    xsrf_token: str


def authn_request_url(saml: SamlSettings, acs: str, relay_state: str) -> str:
    """Where /sessions/init/saml sends the browser; raises SamlConfigurationError."""
    return service_provider.authn_request_url(service_provider.registration(saml, acs), relay_state)


def login(
    db: Database,
    now: datetime,
    saml: SamlSettings,
    *,
    acs: str,
    relay_state: str | None,
    state_cookie: str | None,
    saml_response: str | None,
    redirect_binding: bool = False,
) -> SamlLogin:
    """The ACS for a login (OAuth2CallbackFilter + SamlAuthenticator.onCallback);
    `redirect_binding` for a response that came in a GET.

    Raises AuthenticationFailed; only UserRegistrar's refusals carry a public message. Never
    call it inside a transaction: the response's ID must stay remembered when the login fails.
    """
    oauth.verify_state(state_cookie, relay_state)
    try:
        registration = service_provider.registration(saml, acs)
    except SamlConfigurationError as error:
        raise AuthenticationFailed(str(error)) from error
    # Its own transaction: the response ID stays remembered even if the login fails.
    principal = service_provider.authenticate_response(
        db, now, registration, saml_response, redirect_binding=redirect_binding
    )
    return sign_in(db, now, user_identity(saml, principal))


@transactional
def sign_in(db: Database, now: datetime, identity: UserIdentity) -> SamlLogin:
    """Register the user, record the connection and open a session: all of it, or nothing."""
    user = register(db, now, identity)
    users.record_connection(db, now, user)
    session, xsrf = sessions.create_session(db, now, user["uuid"])
    return SamlLogin(user, session, xsrf)


def user_identity(saml: SamlSettings, principal: SamlPrincipal) -> UserIdentity:
    """PrincipalToUserIdentityConverter: first login and name values, email, all groups."""
    try:
        login_attribute = saml.require(USER_LOGIN_ATTRIBUTE)
        name_attribute = saml.require(USER_NAME_ATTRIBUTE)
    except SamlConfigurationError as error:
        raise AuthenticationFailed(str(error)) from error
    email_attribute, group_attribute = (
        saml.get(USER_EMAIL_ATTRIBUTE),
        saml.get(GROUP_NAME_ATTRIBUTE),
    )
    group_values = principal.attributes.get(group_attribute or "") if group_attribute else None
    return UserIdentity(
        login=_required(principal, login_attribute),
        name=_required(principal, name_attribute),
        email=_first(principal, email_attribute) if email_attribute else None,
        # Only a configured attribute with values syncs groups (setGroups is not called).
        groups=frozenset(group_values) if group_values else None,
    )


def _first(principal: SamlPrincipal, attribute: str) -> str | None:
    values = principal.attributes.get(attribute) or []
    return values[0] if values else None


def _required(principal: SamlPrincipal, attribute: str) -> str:
    value = _first(principal, attribute)
    if value is None:
        # An IllegalStateException: logged, the browser sees the generic unauthorized page.
        raise AuthenticationFailed(f"{attribute} is missing")
    return value


@transactional
def register(db: Database, now: datetime, identity: UserIdentity) -> dict:
    """UserRegistrarImpl.register for the `saml` provider."""
    managed = management.is_instance_managed(db)
    user = find_user(db, identity.login)
    try:
        if user is None or not user["active"]:
            if managed:
                # blockUnmanagedUserCreationOnManagedInstance: SAML registrations are unmanaged.
                raise AuthenticationFailed(NOT_PROVISIONED_LOG, NOT_PROVISIONED)
            _check_email(db, identity, user["uuid"] if user else None)
            if user is None:
                user = _create(db, now, identity)
            else:
                user = _reactivate(db, now, user, identity)
        else:
            _check_email(db, identity, user["uuid"])
            user = _update(db, now, user, identity)
    except BadRequest as error:
        raise AuthenticationFailed("; ".join(error.messages)) from error
    # Memberships come from SCIM alone while the instance is managed (reference §5.5).
    if identity.groups is not None and not managed:
        sync_groups(db, user["uuid"], identity.groups)
    return users.get_user(db, user["uuid"]) or user


def find_user(db: Database, login: str) -> dict | None:
    """By external ID, then by external login, provider `saml`; exact, case-sensitive."""
    return users.find_external_user(
        db, IdentityProvider.SAML, login
    ) or users.find_user_by_external_login(db, IdentityProvider.SAML, login)


def _check_email(db: Database, identity: UserIdentity, own_uuid: str | None) -> None:
    """detectEmailUpdate: the email may belong to no other active user (case-insensitive)."""
    if identity.email is None:
        return
    holders = users.active_users_with_email(db, identity.email)
    if len(holders) > 1 or (holders and holders[0] != own_uuid):
        raise AuthenticationFailed(f"Email '{identity.email}' is already used", EMAIL_ALREADY_USED)


def _create(db: Database, now: datetime, identity: UserIdentity) -> dict:
    """A JIT user: generated login (UserUpdater.generateUniqueLogin from the name)."""
    return users.create_external_user(
        db,
        now,
        name=identity.name,
        email=identity.email,
        provider=IdentityProvider.SAML,
        external_id=identity.login,
        login_seed=identity.name,
    )


def _reactivate(db: Database, now: datetime, user: dict, identity: UserIdentity) -> dict:
    """UserUpdater.reactivateAndCommit: active, in sonar-users, details and SCM accounts reset."""
    user = _update(db, now, user, identity, reset_scm_accounts=True)
    return users.reactivate_user(db, now, user)


def _update(
    db: Database,
    now: datetime,
    user: dict,
    identity: UserIdentity,
    *,
    reset_scm_accounts: bool = False,
) -> dict:
    """updateExistingUser: name, email (cleared when absent) and external identity."""
    return users.update_from_identity(
        db,
        now,
        user,
        provider=IdentityProvider.SAML,
        external_id=identity.login,
        name=identity.name,
        email=identity.email,
        reset_scm_accounts=reset_scm_accounts,
    )


@transactional
def sync_groups(db: Database, user_uuid: str, wanted: frozenset[str]) -> None:
    """UserRegistrarImpl.syncGroups: join existing groups named in the assertion, leave the
    others; groups are never created and `sonar-users` is never left."""
    current = set(memberships.group_names(db, user_uuid))
    for name in sorted(wanted - current):
        group = groups.get_group_by_name(db, name)
        if group is not None:
            memberships.add_member(db, group, user_uuid)
    for name in sorted(current - wanted - {groups.DEFAULT_GROUP}):
        group = groups.get_group_by_name(db, name)
        if group is not None:
            # UserGroupDao.delete: no last-administrator check on this path.
            memberships.leave_group(db, group, user_uuid)
