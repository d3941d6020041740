"""api/users/* (Web API v1, reference §1, §4.2, §6.5).

Behaviour follows SonarQube's `user/ws/*Action` classes.
"""

from flask import Blueprint, Response
from sqlite_utils import Database

from mock_sonar.accounts import management, user_admin, users
from mock_sonar.accounts.passwords import check_password_format
from mock_sonar.auth import identity_providers as providers
from mock_sonar.auth.principal import Principal
from mock_sonar.errors import BadRequest, Forbidden
from mock_sonar.views.api import representations as rep
from mock_sonar.views.api.params import GET_OR_POST, WsParams, min_length
from mock_sonar.views.common import (
    get_db,
    is_admin,
    json_response,
    no_content,
    now,
    principal,
    refuse_while_managed,
    require_admin,
    require_login,
)
from mock_sonar.views.cookies import set_session_cookies

bp = Blueprint("users_api", __name__)


def scm_account_params(params: WsParams) -> list[str]:
    """`scmAccount`, repeated once per value (commas are part of a value)."""
    return params.values.getlist("scmAccount")


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
    found = [_search_json(db, row, caller, admin) for row in rows]
    return json_response({"paging": rep.paging(page, size, total), "users": found})


def _search_json(db: Database, row: dict, caller: Principal | None, admin: bool) -> dict:
    """A found user: everything for administrators and for oneself, less for others."""
    full = admin or (caller is not None and caller.login == row["login"])
    return rep.v1_search_user(db, row, logged_in=caller is not None, full=full)


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
    users.check_email(email)
    user = user_admin.create_user(
        get_db(),
        now(),
        login=login,
        name=name,
        email=email,
        local=local,
        password=params.optional("password"),
        scm_accounts=scm_account_params(params),
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
    users.check_email(email)
    accounts = scm_account_params(params)
    user = user_admin.update_user(
        get_db(), now(), login, name=name, email=email, scm_accounts=accounts or None
    )
    return json_response({"user": rep.v1_user(get_db(), user, admin=True)})


@bp.post("/api/users/deactivate")
def deactivate() -> Response:
    """Deactivate (and optionally anonymize) a user: tokens, memberships, sessions go (§3.7)."""
    caller = require_admin()
    params = WsParams()
    login = params.required("login")
    anonymize = params.boolean("anonymize", False)
    user = user_admin.deactivate_user_by_login(
        get_db(), now(), login, actor_uuid=caller.user["uuid"], anonymize=bool(anonymize)
    )
    return json_response({"user": rep.v1_user(get_db(), user, admin=True)})


@bp.post("/api/users/change_password")
def change_password() -> Response:
    """204; refusals are 400 `{"result": …}` as ChangePasswordAction writes them (§1)."""
    caller, params = require_login(), WsParams()
    try:
        login, password = params.required("login"), params.required("password")
        # The policy is checked before the permission, as ChangePasswordAction does.
        check_password_format(password)
        own = login == caller.login
        if not own:
            require_admin()
        session = user_admin.change_password(
            get_db(),
            now(),
            login,
            password,
            previous_password=params.required("previousPassword") if own else None,
            # The caller's sessions end with the old password: a fresh one replaces theirs.
            # (SonarQube also sets a JWT cookie for Basic callers; we keep API clients
            # cookie-free.)
            open_session=own and caller.session is not None,
        )
    except BadRequest as error:
        return json_response({"result": " ".join(error.messages)}, 400)
    response = no_content()
    if session is not None:
        set_session_cookies(response, *session)
    return response


@bp.post("/api/users/update_login")
def update_login() -> Response:
    """Rename a user's login; refused while managed (§4.2)."""
    require_admin()
    refuse_while_managed()
    params = WsParams()
    login = params.required("login")
    new_login = min_length("newLogin", params.required("newLogin", max_length=users.LOGIN_MAX), 2)
    user_admin.update_login(get_db(), now(), login, new_login)
    return no_content()


@bp.post("/api/users/update_identity_provider")
def update_identity_provider() -> Response:
    """Move a user to another enabled identity provider; refused while managed (§4.2)."""
    require_admin()
    refuse_while_managed()
    params = WsParams()
    login = params.required("login")
    provider = params.required("newExternalProvider")
    providers.update_identity_provider(
        get_db(),
        now(),
        login,
        provider=provider,
        external_identity=params.optional("newExternalIdentity"),
    )
    return no_content()


@bp.route("/api/users/identity_providers", methods=GET_OR_POST)
def identity_providers() -> Response:
    """Anonymous: the login page's external providers; SAML only when fully enabled (§5.1)."""
    name = providers.saml_provider_name(get_db())
    saml = {
        "key": "saml",
        "name": name,
        "iconPath": "/images/saml.png",
        "backgroundColor": "#444444",
    }
    return json_response({"identityProviders": [saml] if name is not None else []})
