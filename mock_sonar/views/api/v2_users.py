"""Web API v2 users-management/users (§6.6).

Behaviour follows `DefaultUserController` and the services behind it.
"""

from flask import Blueprint, Response, request

from mock_sonar.accounts import management, user_admin, users
from mock_sonar.errors import BadRequest
from mock_sonar.views.api import representations as rep
from mock_sonar.views.api.v2_params import (
    JSON,
    MERGE_PATCH,
    admin_only_filters,
    check_fields,
    email_error,
    flag,
    json_body,
    query_bool,
    rejected,
    rest_page,
    size_error,
    text,
    text_list,
)
from mock_sonar.views.common import (
    get_db,
    is_admin,
    json_response,
    no_content,
    now,
    principal,
    refuse_while_managed,
    require_admin,
)

bp = Blueprint("v2_users", __name__, url_prefix="/api/v2")

USERS = "/users-management/users"
#: The members a merge-patch may carry, and the user fields they are (user_admin.PATCH_FIELDS).
PATCH_MEMBERS = {
    "login": "login",
    "name": "name",
    "email": "email",
    "scmAccounts": "scm_accounts",
    "externalProvider": "external_provider",
    "externalLogin": "external_login",
}


def user_json(user: dict) -> dict:
    """The user as the caller may see it (admins and oneself see everything)."""
    caller = principal()
    return rep.v2_user(
        get_db(),
        user,
        logged_in=caller is not None,
        full=is_admin() or (caller is not None and caller.user["uuid"] == user["uuid"]),
    )


@bp.get(USERS)
def search_users() -> Response:
    """Users sorted by login; `active` defaults to true."""
    admin_only_filters("groupId", "groupId!", "externalIdentity")
    db = get_db()
    active, managed = query_bool("active", True), query_bool("managed")
    page_index, page_size = rest_page()
    if managed is not None and not management.is_instance_managed(db):
        raise BadRequest("The 'managed' parameter is only available for managed instances.")
    rows, total = users.search_users(
        db,
        query=request.args.get("q") or None,
        active=bool(active),
        managed=managed,
        external_identity=request.args.get("externalIdentity"),
        group_uuid=request.args.get("groupId"),
        exclude_group_uuid=request.args.get("groupId!"),
        page=page_index,
        page_size=page_size,
    )
    return json_response(
        {"users": [user_json(row) for row in rows], "page": rep.page(page_index, page_size, total)}
    )


@bp.get(f"{USERS}/<uuid>")
def fetch_user(uuid: str) -> Response:
    """One user, active or not."""
    return json_response(user_json(users.require_user_by_id(get_db(), uuid)))


@bp.post(USERS)
def create_user() -> Response:
    """200 with the new (or reactivated) user; refused while managed (§4.2)."""
    body = json_body(JSON)
    email, login, name = text(body, "email"), text(body, "login"), text(body, "name")
    local, accounts = flag(body, "local"), text_list(body, "scmAccounts")
    check_fields(
        email_error("email", email)
        + size_error("email", email, 1, 100)
        + ([rejected("login", None, "must not be null")] if login is None else [])
        + size_error("login", login, 2, 100)
        + ([rejected("name", None, "must not be null")] if name is None else [])
        + size_error("name", name, 0, 200)
    )
    require_admin()
    # The refusals of UserService.createUser come before `password` is read, so that a
    # password of the wrong type on a managed instance is still the managed refusal.
    refuse_while_managed()
    users.check_scm_accounts(accounts or [])
    user = user_admin.create_user(
        get_db(),
        now(),
        login=login,
        name=name,
        email=email,
        password=text(body, "password"),
        local=True if local is None else local,
        scm_accounts=accounts,
    )
    return json_response(user_json(user))


@bp.patch(f"{USERS}/<uuid>")
def update_user(uuid: str) -> Response:
    """Merge-patch of login, name, email, SCM accounts, external identity."""
    body = json_body(MERGE_PATCH)
    values = {
        key: text(body, key)
        for key in ("login", "name", "email", "externalProvider", "externalLogin")
    }
    accounts = text_list(body, "scmAccounts")
    check_fields(
        size_error("login", values["login"], 2, 100)
        + size_error("name", values["name"], 0, 200)
        + email_error("email", values["email"])
        + size_error("email", values["email"], 1, 100)
        + size_error("externalLogin", values["externalLogin"], 1, 255)
    )
    require_admin()
    patch = {
        field: accounts if member == "scmAccounts" else values[member]
        for member, field in PATCH_MEMBERS.items()
        if member in body
    }
    return json_response(user_json(user_admin.patch_user(get_db(), now(), uuid, patch)))


@bp.delete(f"{USERS}/<uuid>")
def deactivate_user(uuid: str) -> Response:
    """204: the v1 deactivation, by id (§3.7, §4.2)."""
    caller = require_admin()
    anonymize = query_bool("anonymize", False)
    user_admin.deactivate_user(
        get_db(), now(), uuid, actor_uuid=caller.user["uuid"], anonymize=bool(anonymize)
    )
    return no_content()
