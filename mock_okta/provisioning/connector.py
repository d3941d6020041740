"""The SCIM connection from Okta's side: saving it, and Test Connector Configuration.

The stored form is `applications.scim_connection`; this module adds what needs the rest of the
org (flagging app users assigned before provisioning was enabled) or the SCIM client.
"""

from datetime import datetime

import requests
from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta.applications import apps, assignments, features, scim_connection
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.errors import ApiValidationFailed
from mock_okta.provisioning.client import ScimClient, ScimError


@transactional
def save_connection(db: Database, now: datetime, app_id: str, body: dict) -> dict:
    """Enable/disable SCIM and store the connection form; returns the stored row.

    Enabling flags the app users assigned before provisioning (the red "!" of §4).
    """
    app = apps.require_app(db, app_id)
    row, turned_on = scim_connection.store_connection(db, now, app["id"], body)
    if turned_on:
        assignments.flag_assigned_before_provisioning(db, app["id"])
    return row


#: The Test Connector dialog's capability names, per selected action (§1.2).
CAPABILITIES = {
    "IMPORT_NEW_USERS": "User Import",
    "IMPORT_PROFILE_UPDATES": "Import Profile Updates",
    "PUSH_NEW_USERS": "Create Users",
    "PUSH_PROFILE_UPDATES": "Update User Attributes",
    "PUSH_GROUPS": "Push Groups",
    "IMPORT_GROUPS": "Import Groups",
}


def check_connector(
    db: Database, connection: ScimConnection, session: requests.Session | None = None
) -> dict:
    """Test Connector Configuration: exactly `GET /Users?startIndex=1&count=2` (§1.2).

    A 2xx ListResponse passes and the dialog ticks the capabilities of the selected actions
    (the ticks do not mean Okta exercised them); anything else fails with the reason.
    """
    try:
        client = ScimClient(db, connection, session=session)
        response = client.get("/Users", {"startIndex": 1, "count": 2})
    except ScimError as error:
        return {"ok": False, "message": error.summary}
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get("totalResults"), int):
        return {
            "ok": False,
            "message": "The response is not a SCIM ListResponse with an integer totalResults",
        }
    selected = set(connection.actions)
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
    connection = scim_connection.get_connection(db, app["id"])
    if connection is None or not connection.base_url:
        raise ApiValidationFailed("baseUrl", ["baseUrl: The field cannot be left blank"])
    return check_connector(db, connection, session)


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
        check_connector(db, scim_connection.get_connection(db, app["id"]), session)
    return feature
