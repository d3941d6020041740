"""The SCIM Connection of an app: General > Enable SCIM provisioning and the connection form.

Real Okta has no public API for a custom app's connection; the console (and our console-only
JSON endpoint, SPEC §4.7) sets it. Secrets are stored to call the target, never echoed.
"""

import json
from datetime import datetime

import requests
from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta.applications import apps, assignments, features
from mock_okta.errors import ApiValidationFailed
from mock_okta.provisioning.client import ScimClient, ScimError

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


def get_connection(db: Database, app_id: str) -> dict | None:
    """The app's connection row, if provisioning was ever configured."""
    rows = list(db.query("select * from app_provisioning where app_id = ?", [app_id]))
    return rows[0] if rows else None


def connection_json(row: dict | None) -> dict:
    """The connection as the console endpoint returns it: secrets never echoed."""
    if row is None:
        return {"enabled": False}
    result = {
        "enabled": bool(row["enabled"]),
        "baseUrl": row["base_url"],
        "uniqueIdentifierField": row["unique_identifier_field"],
        "actions": json.loads(row["actions"]),
        "authMode": row["auth_mode"],
        "dialect": row["dialect"],
    }
    if row["auth_mode"] == "BASIC":
        result["username"] = row["username"]
        result["passwordSet"] = bool(row["password"])
    else:
        result["tokenSet"] = bool(row["token"])
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
    return causes


@transactional
def save_connection(db: Database, now: datetime, app_id: str, body: dict) -> dict:
    """Enable/disable SCIM and store the connection form; returns the stored row.

    Enabling flags the app users assigned before provisioning (the red "!" of §4).
    Omitted secrets keep their stored value, as the console's masked fields do.
    """
    app = apps.require_app(db, app_id)
    causes = _causes(body)
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    current = get_connection(db, app["id"]) or {}
    enabled = body.get("enabled", True)
    row = {
        "app_id": app["id"],
        "enabled": int(enabled),
        "base_url": (body.get("baseUrl") or current.get("base_url") or "").rstrip("/") or None,
        "unique_identifier_field": body.get("uniqueIdentifierField")
        or current.get("unique_identifier_field")
        or "userName",
        "actions": json.dumps(body.get("actions", json.loads(current.get("actions") or "[]"))),
        "auth_mode": body.get("authMode") or current.get("auth_mode") or "HTTP_HEADER",
        "token": body.get("token", current.get("token")),
        "username": body.get("username", current.get("username")),
        "password": body.get("password", current.get("password")),
        "dialect": body.get("dialect") or current.get("dialect") or "CUSTOM_APP",
        "enabled_at": current.get("enabled_at") or (now.isoformat() if enabled else None),
    }
    # No base URL is required to enable: General > App Settings > SCIM > Save turns provisioning
    # on before the SCIM Connection form is filled (the Provisioning tab then shows it empty).
    db["app_provisioning"].upsert(row, pk="app_id")
    if enabled and not current.get("enabled"):
        assignments.flag_assigned_before_provisioning(db, app["id"])
    return get_connection(db, app["id"])


#: The Test Connector dialog's capability names, per selected action (§1.2).
CAPABILITIES = {
    "IMPORT_NEW_USERS": "User Import",
    "IMPORT_PROFILE_UPDATES": "Import Profile Updates",
    "PUSH_NEW_USERS": "Create Users",
    "PUSH_PROFILE_UPDATES": "Update User Attributes",
    "PUSH_GROUPS": "Push Groups",
    "IMPORT_GROUPS": "Import Groups",
}


def check_connector(db: Database, row: dict, session=None) -> dict:
    """Test Connector Configuration: exactly `GET /Users?startIndex=1&count=2` (§1.2).

    A 2xx ListResponse passes and the dialog ticks the capabilities of the selected actions
    (the ticks do not mean Okta exercised them); anything else fails with the reason.
    """
    try:
        response = ScimClient(db, row, session=session).get("/Users", {"startIndex": 1, "count": 2})
    except ScimError as error:
        return {"ok": False, "message": error.summary}
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get("totalResults"), int):
        return {
            "ok": False,
            "message": "The response is not a SCIM ListResponse with an integer totalResults",
        }
    selected = set(json.loads(row["actions"]))
    return {
        "ok": True,
        "message": "Connector configured successfully",
        "capabilities": [
            {"name": name, "supported": action in selected} for action, name in CAPABILITIES.items()
        ],
    }


def check_app_connector(db: Database, app_id: str, session: requests.Session | None = None) -> dict:
    """Test Connector Configuration of the app's stored connection (it needs a base URL)."""
    app = apps.require_app(db, app_id)
    row = get_connection(db, app["id"])
    if row is None or not row["base_url"]:
        raise ApiValidationFailed("baseUrl", ["baseUrl: The field cannot be left blank"])
    return check_connector(db, row, session)


def update_to_app(
    db: Database,
    now: datetime,
    app_id: str,
    name: str,
    body: dict,
    *,
    actor: dict | None = None,
    session: requests.Session | None = None,
) -> dict:
    """Provisioning > To App > Save (the USER_PROVISIONING feature); returns the feature.

    Okta: saving To App with Create Users sends one GET /Users?startIndex=1&count=2 and
    nothing else (reference §1.2, §4); its outcome does not stop the save, which has committed
    before the request goes out.
    """
    app = apps.require_app(db, app_id)
    feature = features.update_feature(db, now, app, name, body, actor=actor)
    if features.creates_users(db, app["id"]):
        check_connector(db, get_connection(db, app["id"]), session)
    return feature
