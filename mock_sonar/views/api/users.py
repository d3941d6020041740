"""api/users/* (Web API v1, reference §1, §4.2, §6.5).

Behaviour follows SonarQube's `user/ws/*Action` classes.
"""

import re

from flask import Blueprint, Response
from sqlite_utils import Database

from mock_common.db import atomic

from ... import settings
from ...accounts import deactivation, management, users
from ...accounts.passwords import check_password_format
from ...accounts.sessions import create_session
from ...auth.principal import Principal
from ...errors import BadRequest, Forbidden, NotFound
from ...saml import settings as saml_settings
from ..common import (
    get_db,
    is_admin,
    json_response,
    no_content,
    now,
    principal,
    require_admin,
    require_login,
)
from . import representations as rep
from .authentication import set_session_cookies
from .params import GET_OR_POST, WsParams, min_length

bp = Blueprint("users_api", __name__)

# EmailValidator wraps Apache Commons' validator; this is its gist, not its exact grammar.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def check_email(email: str | None) -> None:
    """EmailValidator.isValidIfPresent."""
    if email and not _EMAIL.match(email):
        raise BadRequest(f"Email '{email}' is not valid")


def scm_account_params(params: WsParams) -> list[str]:
    """`scmAccount`, repeated once per value (commas are part of a value)."""
    accounts = params.values.getlist("scmAccount")
    users.check_scm_accounts(accounts)
    return accounts


# --- api/users -------------------------------------------------------------------------------


@bp.route("/api/users/search", methods=GET_OR_POST)
def search() -> Response:
    """Users sorted by login; full fields for administrators and for oneself (§6.5)."""
    params, db, caller = WsParams(), get_db(), principal()
    admin = is_admin()
    if not admin and params.optional("externalIdentity") is not None:
        raise Forbidden("parameter externalIdentity requires Administer System permission.")
    query = min_length("q", params.optional("q"), 2)
    page, size = params.paging(default_size=50, max_size=500)
    deactivated = params.boolean("deactivated", False)
    managed = params.boolean("managed")
    if managed is not None and not management.is_instance_managed(db):  # §4.1
        raise BadRequest("The 'managed' parameter is only available for managed instances.")
    rows, total = users.search_users(
        db,
        query=query,
        active=not deactivated,
        managed=managed,
        external_identity=params.optional("externalIdentity"),
        page=page,
        page_size=size,
    )
    return json_response(
        {
            "paging": rep.paging(page, size, total),
            "users": [
                rep.v1_search_user(
                    db,
                    row,
                    logged_in=caller is not None,
                    full=admin or (caller is not None and caller.login == row["login"]),
                )
                for row in rows
            ],
        }
    )


@bp.route("/api/users/current", methods=GET_OR_POST)
def current() -> Response:
    """The caller's account, groups and global permissions."""
    caller = principal()
    if caller is None:
        return json_response({"isLoggedIn": False, "permissions": {"global": []}})
    db = get_db()
    return json_response(rep.v1_current_user(db, users.get_user(db, caller.user["uuid"])))


@bp.post("/api/users/create")
def create() -> Response:
    """A new user, or the reactivation of a deactivated one; refused while managed (§4.2)."""
    require_admin()
    params = WsParams()
    login = min_length("login", params.required("login", max_length=users.LOGIN_MAX), 2)
    name = params.required("name", max_length=users.NAME_MAX)
    email = params.optional("email", max_length=users.EMAIL_MAX)
    local = params.boolean("local", True)
    check_email(email)
    db = get_db()
    management.check_not_managed(db)  # UserService.createUser
    accounts = scm_account_params(params)
    with atomic(db):
        user = users.create_local_user(
            db,
            now(),
            login=login,
            name=name,
            email=email,
            local=local,
            password=params.optional("password"),
            scm_accounts=accounts,
        )
    return json_response({"user": rep.v1_created_user(user)})


@bp.post("/api/users/update")
def update() -> Response:
    """Name, email and SCM accounts; name and email are refused for external users (§4.2)."""
    require_admin()
    params = WsParams()
    login = params.required("login", max_length=users.LOGIN_MAX)
    name = params.raw("name", users.NAME_MAX)
    email = params.raw("email", users.EMAIL_MAX)
    check_email(email)
    accounts = scm_account_params(params)
    db = get_db()
    user = users.require_user(db, login)
    # UpdateAction.checkConditionsForExternalAndManagedUser
    if management.is_instance_managed(db) or not user["local"]:
        if name is not None:
            raise BadRequest("It is not allowed to update name for this user")
        if email is not None:
            raise BadRequest("It is not allowed to update email for this user")
    user = users.update_user(db, now(), user, name=name, email=email, scm_accounts=accounts or None)
    return json_response({"user": rep.v1_user(db, user, admin=True)})


@bp.post("/api/users/deactivate")
def deactivate() -> Response:
    """Deactivate (and optionally anonymize) a user: tokens, memberships, sessions go (§3.7)."""
    caller = require_admin()
    params = WsParams()
    login = params.required("login")
    anonymize = params.boolean("anonymize", False)
    if login == caller.login:
        raise BadRequest(deactivation.SELF_DEACTIVATION)
    db = get_db()
    user = users.get_user_by_login(db, login)
    if user is None:
        raise NotFound(f"User '{login}' not found")  # UserService (10.x) wording
    with atomic(db):
        user = deactivation.deactivate_by_admin(db, now(), user, anonymize=bool(anonymize))
    return json_response({"user": rep.v1_user(db, user, admin=True)})


@bp.post("/api/users/change_password")
def change_password() -> Response:
    """204; refusals are 400 `{"result": …}` as ChangePasswordAction writes them (§1)."""
    caller = require_login()
    try:
        user = _change_password(get_db(), caller, WsParams())
    except BadRequest as error:
        return json_response({"result": " ".join(error.messages)}, 400)
    response = no_content()
    if user["uuid"] == caller.user["uuid"] and caller.session is not None:
        # The caller's sessions were dropped with the old password: a fresh one replaces them.
        # (SonarQube also sets a JWT cookie for Basic callers; we keep API clients cookie-free.)
        set_session_cookies(response, *create_session(get_db(), now(), user["uuid"]))
    return response


def _change_password(db: Database, caller: Principal, params: WsParams) -> dict:
    login = params.required("login")
    password = params.required("password")
    check_password_format(password)
    if login == caller.login:
        user = _password_user(db, login)
        users.check_own_password_change(db, user, params.required("previousPassword"), password)
    else:
        require_admin()
        user = _password_user(db, login)
    with atomic(db):
        users.change_password(db, now(), user, password)
    return user


def _password_user(db: Database, login: str) -> dict:
    user = users.get_user_by_login(db, login)
    if user is None or not user["active"]:
        raise NotFound(f"User with login '{login}' has not been found")
    return user


@bp.post("/api/users/update_login")
def update_login() -> Response:
    """Rename a user's login; refused while managed (§4.2)."""
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    params = WsParams()
    login = params.required("login")
    new_login = min_length("newLogin", params.required("newLogin", max_length=users.LOGIN_MAX), 2)
    users.update_login(db, now(), users.require_user(db, login), new_login)
    return no_content()


@bp.post("/api/users/update_identity_provider")
def update_identity_provider() -> Response:
    """Move a user to another enabled identity provider; refused while managed (§4.2)."""
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    params = WsParams()
    login = params.required("login")
    provider = params.required("newExternalProvider")
    if provider in (users.SONARQUBE_PROVIDER, "LDAP"):  # SONAR-17508
        provider = "LDAP_default"
    enabled = ["saml"] if saml_enabled(db) else []
    if provider not in enabled and not provider.startswith("LDAP_"):
        raise BadRequest(
            f"Value of parameter 'newExternalProvider' ({provider}) must be one "
            f"of: [{', '.join(enabled)}] or [LDAP, LDAP_{{serverKey}}]"
        )
    user = users.require_user(db, login)
    users.set_external_identity(
        db,
        now(),
        user,
        provider=provider,
        external_id=params.optional("newExternalIdentity") or user["external_login"],
    )
    return no_content()


def saml_enabled(db: Database) -> bool:
    """SamlSettings.isEnabled: the flag and every mandatory setting (§5.1)."""
    return saml_settings.is_enabled(db)


@bp.route("/api/users/identity_providers", methods=GET_OR_POST)
def identity_providers() -> Response:
    """Anonymous: the login page's external providers; SAML only when fully enabled (§5.1)."""
    db = get_db()
    providers = []
    if saml_enabled(db):
        providers.append(
            {
                "key": "saml",
                "name": settings.get_value(db, "sonar.auth.saml.providerName"),
                "iconPath": "/images/saml.png",
                "backgroundColor": "#444444",
            }
        )
    return json_response({"identityProviders": providers})
