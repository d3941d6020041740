"""Provisioning > Integration: the SCIM Connection form and Test Connector Configuration.

The form maps onto `connector.save_connection`; secrets are never rendered back (a blank
secret field keeps the stored value, as Okta's masked fields do).
"""

import requests
from sqlite_utils import Database

from mock_okta.applications import scim_connection
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.provisioning import connector

#: Supported provisioning actions: checkbox value, label, the connection actions it stands for.
ACTIONS = (
    (
        "IMPORT",
        "Import New Users and Profile Updates",
        ("IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES"),
    ),
    ("PUSH_NEW_USERS", "Push New Users", ("PUSH_NEW_USERS",)),
    ("PUSH_PROFILE_UPDATES", "Push Profile Updates", ("PUSH_PROFILE_UPDATES",)),
    ("PUSH_GROUPS", "Push Groups", ("PUSH_GROUPS",)),
    ("IMPORT_GROUPS", "Import Groups", ("IMPORT_GROUPS",)),
)
#: Authentication Mode: value, label, supported here.
AUTH_MODES = (
    ("BASIC", "Basic Auth", True),
    ("HTTP_HEADER", "HTTP Header", True),
    ("OAUTH2", "OAuth 2", False),
)
UNIQUE_FIELD_DEFAULT = "userName"
#: Okta's failure text around the reason (observed: "Error authenticating: null. The connector
#: configuration could not be tested. Make sure that the URL, Authentication Parameters are
#: correct and that there is an implementation available at the URL provided.").
FAILURE = (
    "Error authenticating: {reason}. The connector configuration could not be tested. Make "
    "sure that the URL, Authentication Parameters are correct and that there is an "
    "implementation available at the URL provided."
)


def view(row: ScimConnection | None) -> dict:
    """The stored connection as the form shows it (no secrets)."""
    stored = scim_connection.connection_json(row)
    actions = set(stored.get("actions", []))
    return {
        "configured": bool(row and row.base_url),
        "baseUrl": stored.get("baseUrl") or "",
        "uniqueIdentifierField": stored.get("uniqueIdentifierField") or UNIQUE_FIELD_DEFAULT,
        "actions": [key for key, _label, parts in ACTIONS if set(parts) <= actions],
        "authMode": stored.get("authMode") or "HTTP_HEADER",
        "username": stored.get("username") or "",
        "tokenSet": bool(stored.get("tokenSet")),
        "passwordSet": bool(stored.get("passwordSet")),
    }


def form_view(form: dict, selected: list[str], row: ScimConnection | None) -> dict:
    """A posted form shown again (after a refusal or a test), secrets left out."""
    stored = view(row)
    return {
        **stored,
        "baseUrl": form.get("baseUrl", ""),
        "uniqueIdentifierField": form.get("uniqueIdentifierField", ""),
        "actions": selected,
        "authMode": form.get("authMode") or stored["authMode"],
        "username": form.get("username", ""),
    }


def connection_body(form: dict, selected: list[str]) -> dict:
    """The SCIM Connection form as a `save_connection` body (provisioning stays enabled)."""
    actions = [part for key, _label, parts in ACTIONS if key in selected for part in parts]
    body: dict = {
        "enabled": True,
        "baseUrl": (form.get("baseUrl") or "").strip(),
        "uniqueIdentifierField": (form.get("uniqueIdentifierField") or "").strip(),
        "actions": actions,
        "authMode": form.get("authMode") or "HTTP_HEADER",
    }
    if body["authMode"] == "BASIC":
        body["username"] = form.get("username") or ""
        if form.get("password"):
            body["password"] = form["password"]
    elif form.get("token"):
        body["token"] = form["token"].strip()
    return body


def candidate(app_id: str, stored: ScimConnection | None, body: dict) -> ScimConnection:
    """The connection as the form stands, for a test before Save (stored secrets fill blanks)."""
    return ScimConnection(
        app_id=app_id,
        base_url=body["baseUrl"].rstrip("/"),
        auth_mode=body["authMode"],
        actions=tuple(body["actions"]),
        token=body.get("token", stored.token if stored else None),
        username=body.get("username", stored.username if stored else None),
        password=body.get("password", stored.password if stored else None),
    )


def test_connector(
    db: Database,
    app_id: str,
    stored: ScimConnection | None,
    body: dict,
    session: requests.Session,
) -> dict:
    """Test Connector Configuration on the form's values; the dialog's content."""
    if body["authMode"] not in scim_connection.AUTH_MODES:
        return {"ok": False, "message": FAILURE.format(reason="Unsupported authentication mode")}
    # Guess: Okta checks the URL in the form before testing; the reason's wording is ours.
    if not body["baseUrl"].startswith(("http://", "https://")):
        return {"ok": False, "message": FAILURE.format(reason="SCIM connector base URL is invalid")}
    result = connector.check_connector(db, candidate(app_id, stored, body), session)
    if not result["ok"]:
        return {"ok": False, "message": FAILURE.format(reason=result["message"].rstrip("."))}
    return result
