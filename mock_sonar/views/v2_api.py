"""Web API v2: users-management/users, authorizations/groups and group-memberships (§6.6, §6.8).

Behaviour follows `DefaultUserController`, `DefaultGroupController`,
`DefaultGroupMembershipController` and the services behind them. Malformed bodies and failed
bean validation get the messages of `RestResponseEntityExceptionHandler`.
"""

import json
import re

from flask import Blueprint, Response, request

from mock_common.db import atomic

from ..accounts import groups, management, users
from ..errors import BadRequest, Forbidden, ManagedInstance, NotFound, SonarError
from . import representations as rep
from .common import get_db, is_admin, json_response, no_content, now, principal, require_admin

bp = Blueprint("v2_api", __name__, url_prefix="/api/v2")

USERS = "/users-management/users"
GROUPS = "/authorizations/groups"
MEMBERSHIPS = "/authorizations/group-memberships"
JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
INVALID_FORMAT = "Invalid request format."  # ErrorMessages.INVALID_REQUEST_FORMAT
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # Hibernate's @Email, in essence
_BOOLEANS = {
    "true": True,
    "false": False,
    "on": True,
    "off": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


class UnsupportedMediaType(SonarError):
    """415: the body's Content-Type is not the one the endpoint consumes."""

    status = 415


# --- request parsing -------------------------------------------------------------------------


def rejected(field: str, value: object, message: str) -> str:
    """One field error as RestResponseEntityExceptionHandler.handleFieldError writes it."""
    shown = "{}" if value is None else _java_string(value)
    return f"Value {shown} for field {field} was rejected. Error: {message}."


def _java_string(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_java_string(v) for v in value) + "]"
    return str(value)


def java_null(value: str | None) -> str:
    """How String.format shows a missing id."""
    return "null" if value is None else value


def check_fields(errors: list[str]) -> None:
    """Bean-validation failures, concatenated as Spring joins them."""
    if errors:
        raise BadRequest("".join(errors))


def json_body(content_type: str) -> dict:
    """The JSON object body; 415 for another media type, 400 when it is not a JSON object."""
    if request.mimetype != content_type:
        raise UnsupportedMediaType("Unsupported media type.")
    try:
        body = json.loads(request.get_data(as_text=True))
    except (ValueError, RecursionError) as error:
        raise BadRequest(INVALID_FORMAT) from error
    if not isinstance(body, dict):
        raise BadRequest(INVALID_FORMAT)
    return body


def text(body: dict, key: str) -> str | None:
    """A string member; Jackson coerces scalars to strings, not arrays or objects."""
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return _java_string(value)
    raise BadRequest(INVALID_FORMAT)


def flag(body: dict, key: str) -> bool | None:
    """A boolean member (true/false, or the strings "true"/"false")."""
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(INVALID_FORMAT)


def text_list(body: dict, key: str) -> list[str] | None:
    """An array of strings."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or any(isinstance(v, list | dict) for v in value):
        raise BadRequest(INVALID_FORMAT)
    return [v if isinstance(v, str) else _java_string(v) for v in value]


def size_error(field: str, value: str | None, low: int, high: int) -> list[str]:
    """@Size(min, max)."""
    if value is not None and not low <= len(value) <= high:
        return [rejected(field, value, f"size must be between {low} and {high}")]
    return []


def email_error(field: str, value: str | None) -> list[str]:
    """@Email."""
    if value and not _EMAIL.match(value):
        return [rejected(field, value, "must be a well-formed email address")]
    return []


def query_bool(key: str, default: bool | None = None) -> bool | None:
    """A boolean query parameter, converted as Spring's StringToBooleanConverter does."""
    value = request.args.get(key)
    if value is None or value == "":
        return default
    if value.lower() not in _BOOLEANS:
        # The converter's exact wording inside the bind error is guessed.
        raise BadRequest(
            rejected(
                key,
                value,
                f"Failed to convert value of type "
                f"'java.lang.String' to required type "
                f"'java.lang.Boolean'; Invalid boolean value "
                f"[{value}]",
            )
        )
    return _BOOLEANS[value.lower()]


def query_int(key: str, default: int) -> int:
    """An integer query parameter."""
    value = request.args.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
        if abs(number) > 2**31 - 1:  # java.lang.Integer
            raise ValueError(value)
        return number
    except ValueError as error:
        # The converter's exact wording inside the bind error is guessed.
        raise BadRequest(
            rejected(
                key,
                value,
                f"Failed to convert value of type "
                f"'java.lang.String' to required type "
                f"'java.lang.Integer'; For input string: "
                f'"{value}"',
            )
        ) from error


def rest_page() -> tuple[int, int]:
    """RestPage: pageSize 0..500 (default 50), pageIndex >= 1 (default 1)."""
    size, index = query_int("pageSize", 50), query_int("pageIndex", 1)
    errors = []
    if size < 0:
        errors.append(rejected("pageSize", size, "must be greater than or equal to 0"))
    if size > 500:
        errors.append(rejected("pageSize", size, "must be less than or equal to 500"))
    if index < 1:  # @Positive and @Min(1) both fail; their order is not fixed in Spring
        errors.append(rejected("pageIndex", index, "must be greater than 0"))
        errors.append(rejected("pageIndex", index, "must be greater than or equal to 1"))
    check_fields(errors)
    return index, size


def admin_only_filters(*keys: str) -> None:
    """DefaultUserController.throwIfAdminOnlyParametersAreUsed."""
    if is_admin():
        return
    for key in keys:
        if request.args.get(key) is not None:
            raise Forbidden(f"Parameter {key} requires Administer System permission.")


# --- users -----------------------------------------------------------------------------------


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
    users.check_not_self_deactivation(caller.user["uuid"], uuid)
    db = get_db()
    user = require_user(uuid)
    with atomic(db):
        users.deactivate_by_admin(db, now(), user, anonymize=bool(anonymize))
    return no_content()


# --- groups ----------------------------------------------------------------------------------


def require_group(uuid: str) -> dict:
    """The group with this id, or 404 "Group '<id>' not found"."""
    return groups.require_group_by_uuid(get_db(), uuid)


@bp.get(GROUPS)
def search_groups() -> Response:
    """Groups sorted by name (admin)."""
    require_admin()
    db = get_db()
    managed = query_bool("managed")
    page_index, page_size = rest_page()
    if not management.is_instance_managed(db):
        if managed:  # GroupService.getManagedInstanceSql: only `true` is refused
            raise BadRequest("The 'managed' parameter is only available for managed instances.")
        managed = None
    rows, total = groups.search_groups(
        db,
        query=request.args.get("q") or None,
        managed=managed,
        user_uuid=request.args.get("userId"),
        exclude_user_uuid=request.args.get("userId!"),
        page=page_index,
        page_size=page_size,
    )
    return json_response(
        {
            "groups": [rep.v2_group(db, row) for row in rows],
            "page": rep.page(page_index, page_size, total),
        }
    )


@bp.get(f"{GROUPS}/<uuid>")
def fetch_group(uuid: str) -> Response:
    """One group (admin)."""
    require_admin()
    return json_response(rep.v2_group(get_db(), require_group(uuid)))


@bp.post(GROUPS)
def create_group() -> Response:
    """201 with the new group; refused while managed (§4.2). GroupController says CREATED."""
    body = json_body(JSON)
    name, description = text(body, "name"), text(body, "description")
    check_fields(
        ([rejected("name", name, "must not be empty")] if not name else [])
        + size_error("name", name, 1, groups.NAME_MAX)
        + size_error("description", description, 0, 200)
    )
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    group = groups.create_group(db, now(), name, description)
    return json_response(rep.v2_group(db, group), 201)


@bp.patch(f"{GROUPS}/<uuid>")
def update_group(uuid: str) -> Response:
    """Merge-patch of name and description; refused while managed (§4.2)."""
    body = json_body(MERGE_PATCH)
    name, description = text(body, "name"), text(body, "description")
    check_fields(
        size_error("name", name, 1, groups.NAME_MAX)
        + size_error("description", description, 0, 200)
    )
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    # A null member leaves the field as it is (`UpdateField.orElse(current)`).
    group = groups.update_group(db, require_group(uuid), name=name, description=description)
    return json_response(rep.v2_group(db, group))


@bp.delete(f"{GROUPS}/<uuid>")
def delete_group(uuid: str) -> Response:
    """204; a managed group is refused, a local one allowed even while managed (§4.2)."""
    require_admin()
    db = get_db()
    if management.is_group_managed(db, uuid):  # throwIfGroupIsManaged, before the lookup
        raise ManagedInstance()
    group = require_group(uuid)
    with atomic(db):
        groups.delete_group(db, group)
    return no_content()


# --- group memberships -----------------------------------------------------------------------


@bp.get(MEMBERSHIPS)
def search_memberships() -> Response:
    """Memberships filtered by userId and/or groupId (admin)."""
    require_admin()
    page_index, page_size = rest_page()
    rows, total = groups.search_memberships(
        get_db(),
        group_uuid=request.args.get("groupId"),
        user_uuid=request.args.get("userId"),
        page=page_index,
        page_size=page_size,
    )
    return json_response(
        {
            "groupMemberships": [rep.v2_membership(row) for row in rows],
            "page": rep.page(page_index, page_size, total),
        }
    )


@bp.post(MEMBERSHIPS)
def create_membership() -> Response:
    """201 {"id","groupId","userId"}; refused while managed (§4.2)."""
    body = json_body(JSON)
    user_id, group_id = text(body, "userId"), text(body, "groupId")
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    user = require_user(user_id, active=True)
    group = groups.get_group(db, group_id) if group_id is not None else None
    if group is None:
        raise NotFound(f"Group '{java_null(group_id)}' not found")
    membership = groups.add_membership(db, group, user)
    return json_response(rep.v2_membership(membership), 201)


@bp.delete(f"{MEMBERSHIPS}/<uuid>")
def delete_membership(uuid: str) -> Response:
    """204; refused while managed (§4.2)."""
    require_admin()
    db = get_db()
    management.check_not_managed(db)
    membership = groups.get_membership(db, uuid)
    if membership is None:
        raise NotFound(f"Group membership '{uuid}' not found")
    group = groups.require_group_by_uuid(db, membership["group_uuid"])
    groups.check_not_default(group)
    groups.remove_member(db, group, membership["user_uuid"])
    return no_content()
