"""What an administrator (or a user, for their own password) does to accounts through the Web
API and the pages: create, update, rename, change a password, deactivate.

Each operation is one transaction with SonarQube's refusals (UserService, UpdateAction,
UpdateLoginAction, ChangePasswordAction, DeactivateAction and the v2 DefaultUserController);
the SCIM server and SAML logins change users through `users` and `deactivation` instead, as
they are the provisioner and not an administrator.
"""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import deactivation, management, sessions, users
from mock_sonar.accounts.passwords import check_password_format
from mock_sonar.errors import BadRequest, ManagedInstance, NotFound

SELF_DEACTIVATION = "Self-deactivation is not possible"
#: The fields of a v2 merge-patch of a user, as `patch_user` names them.
PATCH_FIELDS = ("login", "name", "email", "scm_accounts", "external_provider", "external_login")


@transactional
def create_user(
    db: Database,
    now: datetime,
    *,
    login: str,
    name: str,
    email: str | None = None,
    password: str | None = None,
    local: bool = True,
    scm_accounts: list[str] | None = None,
) -> dict:
    """api/users/create, v2 POST users, "Create User": a new user, or the reactivation of a
    deactivated one with that login; refused while managed (§4.2)."""
    management.check_not_managed(db)  # UserService.createUser
    users.check_scm_accounts(scm_accounts or [])
    return users.create_local_user(
        db,
        now,
        login=login,
        name=name,
        email=email,
        password=password,
        local=local,
        scm_accounts=scm_accounts,
    )


@transactional
def update_user(
    db: Database,
    now: datetime,
    login: str,
    *,
    name: str | None = None,
    email: str | None = None,
    scm_accounts: list[str] | None = None,
) -> dict:
    """api/users/update, "Update User": name and email of local users on an unmanaged instance,
    SCM accounts of anyone (None leaves a field as it is)."""
    users.check_scm_accounts(scm_accounts or [])
    user = users.require_user(db, login)
    _check_editable(
        db,
        user,
        {field for field, value in (("name", name), ("email", email)) if value is not None},
    )
    return users.update_user(db, now, user, name=name, email=email, scm_accounts=scm_accounts)


@transactional
def patch_user(db: Database, now: datetime, uuid: str, patch: dict) -> dict:
    """v2 PATCH users/{id}: a merge-patch of PATCH_FIELDS, each through its own operation.

    A field absent from `patch` stays as it is; a present null clears the email and the SCM
    accounts, and leaves the others as they are (`UpdateField.orElse(current)`).
    """
    user = users.require_user_by_id(db, uuid)
    _check_editable(db, user, set(patch))
    if "scm_accounts" in patch:
        users.check_scm_accounts(patch["scm_accounts"] or [])
    if patch.keys() & {"name", "email", "scm_accounts"}:
        user = users.update_user(
            db,
            now,
            user,
            name=patch.get("name"),
            email=(patch["email"] or "") if "email" in patch else None,
            scm_accounts=(patch["scm_accounts"] or []) if "scm_accounts" in patch else None,
        )
    if patch.get("login") is not None:
        user = users.update_login(db, now, user, patch["login"])
    if patch.get("external_provider") is not None or patch.get("external_login") is not None:
        user = users.set_external_identity(
            db,
            now,
            user,
            provider=patch.get("external_provider") or user["external_provider"],
            external_id=patch.get("external_login") or user["external_login"],
        )
    return user


def _check_editable(db: Database, user: dict, fields: set[str]) -> None:
    """UpdateAction.checkConditionsForExternalAndManagedUser, and what UpdateLoginAction and
    UpdateIdentityProviderAction refuse while managed; which check v2 runs for each field is not
    public [I]."""
    managed = management.is_instance_managed(db)
    if managed and fields & {"login", "external_provider", "external_login"}:
        raise ManagedInstance()
    if managed or not user["local"]:
        for field in ("name", "email"):
            if field in fields:
                raise BadRequest(f"It is not allowed to update {field} for this user")


@transactional
def update_login(db: Database, now: datetime, login: str, new_login: str) -> dict:
    """api/users/update_login: refused while managed (§4.2)."""
    management.check_not_managed(db)
    return users.update_login(db, now, users.require_user(db, login), new_login)


@transactional
def change_password(
    db: Database,
    now: datetime,
    login: str,
    new_password: str,
    *,
    previous_password: str | None = None,
    open_session: bool = False,
) -> tuple[str, str] | None:
    """api/users/change_password and the pages' password forms: the policy, then the old
    password when it is one's own (`previous_password`); every session of the user ends.

    With `open_session`, a new session replaces the caller's: its (cookie value, XSRF token).
    """
    check_password_format(new_password)
    user = users.get_user_by_login(db, login)
    if user is None or not user["active"]:
        raise NotFound(f"User with login '{login}' has not been found")
    if previous_password is not None:
        users.check_own_password_change(db, user, previous_password, new_password)
    users.store_password(db, now, user, new_password)
    return sessions.create_session(db, now, user["uuid"]) if open_session else None


@transactional
def deactivate_user(
    db: Database, now: datetime, uuid: str, *, actor_uuid: str, anonymize: bool = False
) -> dict:
    """v2 DELETE users/{id}, "Deactivate": never oneself (DeactivateAction), never a managed
    user (UserService.deactivate); optionally anonymized."""
    if actor_uuid == uuid:
        raise BadRequest(SELF_DEACTIVATION)
    user = users.require_user_by_id(db, uuid)
    if management.is_user_managed(db, user["uuid"]):
        raise ManagedInstance()
    user = deactivation.deactivate_user(db, now, user)
    return deactivation.anonymize_user(db, now, user) if anonymize else user


@transactional
def deactivate_user_by_login(
    db: Database, now: datetime, login: str, *, actor_uuid: str, anonymize: bool = False
) -> dict:
    """api/users/deactivate: as `deactivate_user`, by login ("User '<login>' not found")."""
    user = users.get_user_by_login(db, login)
    if user is None:
        raise NotFound(f"User '{login}' not found")  # UserService (10.x) wording
    return deactivate_user(db, now, user["uuid"], actor_uuid=actor_uuid, anonymize=anonymize)
