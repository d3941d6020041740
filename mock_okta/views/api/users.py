"""Users API: /api/v1/users and the lifecycle operations (reference/okta.md §5.3)."""

from flask import Blueprint, Response, g, request

from mock_okta import reactions, system_log
from mock_okta.applications import assignments
from mock_okta.directory import users
from mock_okta.directory.users import User, UserStatus
from mock_okta.errors import ApiValidationFailed, ResourceNotFound
from mock_okta.storage.org import org
from mock_okta.storage.pagination import parse_limit
from mock_okta.timestamps import okta_datetime
from mock_okta.views.common import (
    get_db,
    json_body,
    json_response,
    no_content,
    now,
    org_url,
    paged_response,
)

bp = Blueprint("api_users", __name__, url_prefix="/api/v1/users")

_LIFECYCLE_LINKS = {
    "activate": (UserStatus.STAGED, UserStatus.DEPROVISIONED),
    "reactivate": (UserStatus.PROVISIONED, UserStatus.RECOVERY),
    "suspend": (UserStatus.ACTIVE,),
    "unsuspend": (UserStatus.SUSPENDED,),
    "deactivate": (
        UserStatus.STAGED,
        UserStatus.PROVISIONED,
        UserStatus.ACTIVE,
        UserStatus.RECOVERY,
        UserStatus.PASSWORD_EXPIRED,
        UserStatus.LOCKED_OUT,
        UserStatus.SUSPENDED,
    ),
}


#: Credential links (Okta's Links object): name, path under the user, statuses it is offered in.
_CREDENTIAL_LINKS = (
    (
        "resetPassword",
        "lifecycle/reset_password",
        (
            UserStatus.ACTIVE,
            UserStatus.RECOVERY,
            UserStatus.PASSWORD_EXPIRED,
            UserStatus.LOCKED_OUT,
        ),
    ),
    ("expirePassword", "lifecycle/expire_password", (UserStatus.ACTIVE,)),
    ("unlock", "lifecycle/unlock", (UserStatus.LOCKED_OUT,)),
    (
        "changePassword",
        "credentials/change_password",
        (UserStatus.ACTIVE, UserStatus.PASSWORD_EXPIRED, UserStatus.RECOVERY),
    ),
)


def user_json(user: User) -> dict:
    """The User object as the API returns it."""
    base = f"{org_url()}/api/v1/users/{user['id']}"
    credentials: dict = {"provider": {"type": "OKTA", "name": "OKTA"}}
    if user["password_hash"]:
        credentials = {"password": {}, **credentials}
    links = {"self": {"href": base}}
    for action, allowed in _LIFECYCLE_LINKS.items():
        if user["status"] in allowed:
            links[action] = {"href": f"{base}/lifecycle/{action}", "method": "POST"}
    for name, path, allowed in _CREDENTIAL_LINKS:
        if user["status"] in allowed and (name != "changePassword" or user["password_hash"]):
            links[name] = {"href": f"{base}/{path}", "method": "POST"}
    return {
        "id": user["id"],
        "status": user["status"],
        "created": okta_datetime(user["created"]),
        "activated": okta_datetime(user["activated"]),
        "statusChanged": okta_datetime(user["status_changed"]),
        "lastLogin": okta_datetime(user["last_login"]),
        "lastUpdated": okta_datetime(user["last_updated"]),
        "passwordChanged": okta_datetime(user["password_changed"]),
        "type": {"id": user["type_id"] or org(get_db()).get("userTypeId")},
        "profile": users.profile_of(user),
        "credentials": credentials,
        "_links": links,
    }


def actor() -> dict | None:
    """The System Log actor: the user who owns the calling API token."""
    token = g.get("api_token")
    if not token or not token.get("user_id"):
        return None
    owner = users.get_user(get_db(), token["user_id"])
    return system_log.user_target(owner) if owner else None


def _flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise ApiValidationFailed(name, [f"{name}: must be true or false"])
    return value.lower() == "true"


@bp.post("")
def create_user() -> Response:
    """Create a user (`activate` defaults to true)."""
    activate = _flag("activate", True)
    user = reactions.create_user(get_db(), now(), json_body(), activate=activate, actor=actor())
    return json_response(user_json(user))


@bp.get("")
def list_users() -> Response:
    """List users with q, filter, search and Link paging (default and maximum 200)."""
    limit = parse_limit(request.args.get("limit"), default=200, maximum=200)
    rows, cursor = users.list_users(
        get_db(),
        q=request.args.get("q"),
        filter_=request.args.get("filter"),
        search=request.args.get("search"),
        after=request.args.get("after"),
        limit=limit,
    )
    return paged_response([user_json(row) for row in rows], cursor, limit)


@bp.get("/<user_id>")
def get_user(user_id: str) -> Response:
    """A user by id or login."""
    return json_response(user_json(users.require_user(get_db(), user_id)))


@bp.post("/<user_id>")
def update_user(user_id: str) -> Response:
    """Partial update: only the given profile properties change."""
    return _update(user_id, partial=True)


@bp.put("/<user_id>")
def replace_user(user_id: str) -> Response:
    """Full replacement of the profile."""
    return _update(user_id, partial=False)


def _update(user_id: str, *, partial: bool) -> Response:
    body = json_body()
    user = reactions.update_user(get_db(), now(), user_id, body, partial=partial, actor=actor())
    return json_response(user_json(user))


@bp.delete("/<user_id>")
def delete_user(user_id: str) -> Response:
    """First call deactivates, second deletes (both 204)."""
    reactions.delete_user(get_db(), now(), user_id, actor=actor())
    return no_content()


@bp.post("/<user_id>/lifecycle/<action>")
def lifecycle(user_id: str, action: str) -> Response:
    """activate, deactivate, reactivate, suspend, unsuspend."""
    if action not in reactions.LIFECYCLE:
        raise ResourceNotFound(request.path, "Path")
    reactions.LIFECYCLE[action](get_db(), now(), user_id, actor=actor())
    if action in ("activate", "reactivate") and not _flag("sendEmail", True):
        return json_response(users.activation_token(org_url()))
    if action == "deactivate" and request.headers.get("Prefer") == "respond-async":
        return json_response({}, 202)
    return json_response({})


@bp.post("/<user_id>/lifecycle/reset_password")
def reset_password(user_id: str) -> Response:
    """RECOVERY; with sendEmail=false the reset link is returned (ResetPasswordToken)."""
    revoke, send_email = _flag("revokeSessions", False), _flag("sendEmail", True)
    token = reactions.reset_password(
        get_db(), now(), user_id, revoke_sessions=revoke, actor=actor()
    )
    if send_email:
        return json_response({})
    return json_response({"resetPasswordUrl": f"{org_url()}/reset_password/{token}"})


@bp.post("/<user_id>/lifecycle/expire_password")
def expire_password(user_id: str) -> Response:
    """PASSWORD_EXPIRED: the user object."""
    user, _ = reactions.expire_password(get_db(), now(), user_id, actor=actor())
    return json_response(user_json(user))


@bp.post("/<user_id>/lifecycle/expire_password_with_temp_password")
def expire_password_with_temp_password(user_id: str) -> Response:
    """PASSWORD_EXPIRED with a temporary password, returned once ({"tempPassword"})."""
    revoke = _flag("revokeSessions", False)
    _, temp = reactions.expire_password(
        get_db(), now(), user_id, temporary=True, revoke_sessions=revoke, actor=actor()
    )
    return json_response({"tempPassword": temp})


@bp.post("/<user_id>/lifecycle/unlock")
def unlock_user(user_id: str) -> Response:
    """LOCKED_OUT -> ACTIVE."""
    reactions.unlock_user(get_db(), now(), user_id, actor=actor())
    return json_response({})


@bp.post("/<user_id>/credentials/change_password")
def change_password(user_id: str) -> Response:
    """The current and the new password: 200 with the UserCredentials."""
    reactions.change_password(get_db(), now(), user_id, json_body(), actor=actor())
    return json_response({"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}})


@bp.delete("/<user_id>/sessions")
def revoke_user_sessions(user_id: str) -> Response:
    """End the user's Okta sessions: the next SSO asks for the password again."""
    reactions.end_sessions(get_db(), now(), user_id)
    return no_content()


@bp.get("/me")
def get_current_user() -> Response:
    """The owner of the calling API token."""
    token = g.get("api_token") or {}
    return json_response(user_json(users.require_user_by_id(get_db(), token.get("user_id") or "")))


@bp.get("/<user_id>/appLinks")
def app_links(user_id: str) -> Response:
    """The apps the user can launch."""
    db = get_db()
    user = users.require_user(db, user_id)
    return json_response(assignments.app_links(db, user["id"], org_url()))
