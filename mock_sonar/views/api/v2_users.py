"""Web API v2 users-management/users (§6.6).

Behaviour follows `DefaultUserController` and the services behind it.
"""

from flask import Blueprint, Response, request

from mock_common.db import atomic

from ...accounts import deactivation, management, users
from ...errors import BadRequest, ManagedInstance, NotFound
from ..common import get_db, is_admin, json_response, no_content, now, principal, require_admin
from . import representations as rep
from .v2_params import (
    JSON,
    MERGE_PATCH,
    admin_only_filters,
    check_fields,
    email_error,
    flag,
    java_null,
    json_body,
    query_bool,
    rejected,
    rest_page,
    size_error,
    text,
    text_list,
)

bp = Blueprint("v2_users", __name__, url_prefix="/api/v2")

USERS = "/users-management/users"


def user_json(user: dict) -> dict:
    """The user as the caller may see it (admins and oneself see everything)."""
    caller = principal()
    return rep.v2_user(
        get_db(),
        user,
        logged_in=caller is not None,
        full=is_admin() or (caller is not None and caller.user["uuid"] == user["uuid"]),
    )


def require_user(uuid: str | None, *, active: bool = False) -> dict:
    """The user with this id, or 404 "User '<id>' not found"."""
    user = users.get_user(get_db(), uuid) if uuid is not None else None
    if user is None or (active and not user["active"]):
        raise NotFound(f"User '{java_null(uuid)}' not found")
    return user


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
    return json_response(user_json(require_user(uuid)))


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
    db = get_db()
    management.check_not_managed(db)  # UserService.createUser
    users.check_scm_accounts(accounts or [])
    with atomic(db):
        user = users.create_local_user(
            db,
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
    db = get_db()
    user = require_user(uuid)
    check_user_patch(user, set(body))
    with atomic(db):
        user = apply_user_patch(user, body, values, accounts)
    return json_response(user_json(user))


def check_user_patch(user: dict, keys: set[str]) -> None:
    """The §4.2 rules of the v1 actions, applied to the fields the patch touches.

    Which check DefaultUserController runs for each field is not public: this mirrors
    UpdateAction (name, email), UpdateLoginAction and UpdateIdentityProviderAction [I].
    """
    managed = management.is_instance_managed(get_db())
    if managed and keys & {"login", "externalProvider", "externalLogin"}:
        raise ManagedInstance()
    if managed or not user["local"]:
        for field in ("name", "email"):
            if field in keys:
                raise BadRequest(f"It is not allowed to update {field} for this user")


def apply_user_patch(user: dict, body: dict, values: dict, accounts: list[str] | None) -> dict:
    """Write the patched fields, each through its domain operation."""
    db, moment = get_db(), now()
    if "scmAccounts" in body:
        users.check_scm_accounts(accounts or [])
    if "name" in body or "email" in body or "scmAccounts" in body:
        user = users.update_user(
            db,
            moment,
            user,
            name=values["name"] if "name" in body else None,
            email=(values["email"] or "") if "email" in body else None,
            scm_accounts=(accounts or []) if "scmAccounts" in body else None,
        )
    if values["login"] is not None:
        user = users.update_login(db, moment, user, values["login"])
    if values["externalProvider"] is not None or values["externalLogin"] is not None:
        user = users.set_external_identity(
            db,
            moment,
            user,
            provider=values["externalProvider"] or user["external_provider"],
            external_id=values["externalLogin"] or user["external_login"],
        )
    return user


@bp.delete(f"{USERS}/<uuid>")
def deactivate_user(uuid: str) -> Response:
    """204: the v1 deactivation, by id (§3.7, §4.2)."""
    caller = require_admin()
    anonymize = query_bool("anonymize", False)
    deactivation.check_not_self_deactivation(caller.user["uuid"], uuid)
    db = get_db()
    user = require_user(uuid)
    with atomic(db):
        deactivation.deactivate_by_admin(db, now(), user, anonymize=bool(anonymize))
    return no_content()
