"""The SCIM Connection of an app: General > Enable SCIM provisioning and the connection form.

Real Okta has no public API for a custom app's connection; the console (and our console-only
JSON endpoint, SPEC §4.7) sets it. Secrets are stored to call the target, never echoed. This
module owns the `app_provisioning` table.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields
from mock_okta.errors import ApiValidationFailed

ACTIONS = (
    "PUSH_NEW_USERS",
    "PUSH_PROFILE_UPDATES",
    "PUSH_GROUPS",
    "IMPORT_NEW_USERS",
    "IMPORT_PROFILE_UPDATES",
    "IMPORT_GROUPS",
)
AUTH_MODES = ("HTTP_HEADER", "BASIC")
#: The custom-app (AIW) dialect sends GET + PUT for every update; the OIN dialect PATCHes.
DIALECTS = ("CUSTOM_APP", "OIN")


@dataclass(frozen=True)
class ScimConnection:
    """An app's SCIM connection: where Okta's SCIM client sends, and how it authenticates."""

    app_id: str
    base_url: str | None
    auth_mode: str = "HTTP_HEADER"  # "Bearer <token>", or BASIC with username and password
    token: str | None = None
    username: str | None = None
    password: str | None = None
    actions: tuple[str, ...] = field(default=())
    dialect: str = "CUSTOM_APP"
    enabled: bool = True
    unique_identifier_field: str = "userName"
    enabled_at: str | None = None

    @property
    def pushes_groups(self) -> bool:
        """Provisioning is on and Push Groups is one of the connection's actions."""
        return self.enabled and "PUSH_GROUPS" in self.actions


def _connection(row: dict) -> ScimConnection:
    return ScimConnection(
        app_id=row["app_id"],
        base_url=row["base_url"],
        auth_mode=row["auth_mode"],
        token=row["token"],
        username=row["username"],
        password=row["password"],
        actions=tuple(json.loads(row["actions"] or "[]")),
        dialect=row["dialect"] or "CUSTOM_APP",
        enabled=bool(row["enabled"]),
        unique_identifier_field=row["unique_identifier_field"],
        enabled_at=row["enabled_at"],
    )


def get_connection(db: Database, app_id: str) -> ScimConnection | None:
    """The app's connection, if provisioning was ever configured."""
    rows = list(db.query("select * from app_provisioning where app_id = ?", [app_id]))
    return _connection(rows[0]) if rows else None


def connection_json(connection: ScimConnection | None) -> dict:
    """The connection as the console endpoint returns it: secrets never echoed."""
    if connection is None:
        return {"enabled": False}
    result = {
        "enabled": connection.enabled,
        "baseUrl": connection.base_url,
        "uniqueIdentifierField": connection.unique_identifier_field,
        "actions": list(connection.actions),
        "authMode": connection.auth_mode,
        "dialect": connection.dialect,
    }
    if connection.auth_mode == "BASIC":
        result["username"] = connection.username
        result["passwordSet"] = bool(connection.password)
    else:
        result["tokenSet"] = bool(connection.token)
    return result


def _causes(body: dict) -> list[str]:
    causes = []
    if not isinstance(body.get("enabled", True), bool):
        causes.append("enabled: must be true or false")
    base_url = body.get("baseUrl")
    if base_url is not None and (
        not isinstance(base_url, str) or not base_url.startswith(("http://", "https://"))
    ):
        causes.append("baseUrl: Must be a valid URL")
    actions = body.get("actions", [])
    if not isinstance(actions, list) or any(a not in ACTIONS for a in actions):
        causes.append(f"actions: Each action must be one of {', '.join(ACTIONS)}")
    if body.get("authMode", "HTTP_HEADER") not in AUTH_MODES:
        causes.append(f"authMode: must be one of {', '.join(AUTH_MODES)}")
    if body.get("dialect", "CUSTOM_APP") not in DIALECTS:
        causes.append(f"dialect: must be one of {', '.join(DIALECTS)}")
    field = body.get("uniqueIdentifierField", "userName")
    if not isinstance(field, str) or not field:
        causes.append("uniqueIdentifierField: The field cannot be left blank")
    for name in ("token", "username", "password"):
        if body.get(name) is not None and not isinstance(body[name], str):
            causes.append(f"{name}: must be a string")
    # They go into the URL and headers of every SCIM request, which cannot carry them.
    for name in ("baseUrl", "uniqueIdentifierField", "token", "username", "password"):
        if isinstance(body.get(name), str) and fields.has_controls(body[name]):
            causes.append(fields.cause(name, fields.CONTROL))
    return causes


@transactional
def store_connection(
    db: Database, now: datetime, app_id: str, body: dict
) -> tuple[ScimConnection, bool]:
    """Store the connection form (enabling or disabling SCIM); returns the stored row and
    whether this turned provisioning on. Omitted secrets keep their stored value, as the
    console's masked fields do."""
    causes = _causes(body)
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    current = get_connection(db, app_id) or ScimConnection(app_id, None, enabled=False)
    enabled = body.get("enabled", True)
    row = {
        "app_id": app_id,
        "enabled": int(enabled),
        "base_url": (body.get("baseUrl") or current.base_url or "").rstrip("/") or None,
        "unique_identifier_field": body.get("uniqueIdentifierField")
        or current.unique_identifier_field,
        "actions": json.dumps(body.get("actions", list(current.actions))),
        "auth_mode": body.get("authMode") or current.auth_mode,
        "token": body.get("token", current.token),
        "username": body.get("username", current.username),
        "password": body.get("password", current.password),
        "dialect": body.get("dialect") or current.dialect,
        "enabled_at": current.enabled_at or (now.isoformat() if enabled else None),
    }
    # No base URL is required to enable: General > App Settings > SCIM > Save turns provisioning
    # on before the SCIM Connection form is filled (the Provisioning tab then shows it empty).
    db["app_provisioning"].upsert(row, pk="app_id")
    return get_connection(db, app_id), bool(enabled and not current.enabled)


def provisioning_enabled(db: Database, app_id: str) -> bool:
    """General > App Settings > Enable SCIM provisioning is ticked."""
    connection = get_connection(db, app_id)
    return bool(connection and connection.enabled)


def push_groups_enabled(db: Database, app_id: str) -> bool:
    """Provisioning is on and Push Groups is one of the connection's actions."""
    connection = get_connection(db, app_id)
    return bool(connection and connection.pushes_groups)
