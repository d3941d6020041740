"""App features: USER_PROVISIONING, the Provisioning > To App switches (reference/okta.md §5.6).

Okta refuses the features API for an app whose provisioning is not enabled (ApplicationFeatures
API: 400 E0000001 "Api validation failed: feature" / "Provisioning is not enabled for the app
instance."). Provisioning itself is enabled with the app's SCIM connection (`scim_connection`).
"""

import copy
import json
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import system_log
from mock_okta.applications import scim_connection
from mock_okta.errors import ApiValidationFailed, ResourceNotFound

USER_PROVISIONING = "USER_PROVISIONING"
DESCRIPTION = "User provisioning settings from Okta to a downstream application"
#: A new connection has every To App switch off (Okta's AppFeatureResponseEx).
DEFAULT_CAPABILITIES = {
    "create": {"lifecycleCreate": {"status": "DISABLED"}},
    "update": {
        "profile": {"status": "DISABLED"},
        "lifecycleDeactivate": {"status": "DISABLED"},
        "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
    },
}
_STATUSES = ("ENABLED", "DISABLED")
_SWITCHES = {
    ("create", "lifecycleCreate"): "PUSH_NEW_USERS",
    ("update", "profile"): "PUSH_PROFILE_UPDATES",
    ("update", "lifecycleDeactivate"): "PUSH_USER_DEACTIVATION",
    ("update", "password"): "PUSH_PASSWORD_UPDATES",
}


def capabilities(db: Database, app_id: str) -> dict:
    """The USER_PROVISIONING capabilities (the defaults until first updated)."""
    rows = list(
        db.query(
            "select capabilities from app_features where app_id = ? and name = ?",
            [app_id, USER_PROVISIONING],
        )
    )
    return json.loads(rows[0]["capabilities"]) if rows else copy.deepcopy(DEFAULT_CAPABILITIES)


def creates_users(db: Database, app_id: str) -> bool:
    """Provisioning is on and To App > Create Users is enabled: new app users are pushed."""
    if not scim_connection.provisioning_enabled(db, app_id):
        return False
    create = capabilities(db, app_id)["create"]["lifecycleCreate"]
    return create.get("status") == "ENABLED"


def app_feature_names(db: Database, app_id: str) -> list[str]:
    """The app object's `features` list, from the connection and the To App switches."""
    if not scim_connection.provisioning_enabled(db, app_id):
        return []
    current = capabilities(db, app_id)
    names = [
        feature
        for (group, switch), feature in _SWITCHES.items()
        if current.get(group, {}).get(switch, {}).get("status") == "ENABLED"
    ]
    if "PUSH_USER_DEACTIVATION" in names:
        names.append("REACTIVATE_USERS")
    if scim_connection.push_groups_enabled(db, app_id):
        names.append("GROUP_PUSH")
    return names


def list_features(db: Database, app: dict) -> list[dict]:
    """GET /api/v1/apps/{id}/features."""
    _require_provisioning(db, app)
    return [get_feature(db, app, USER_PROVISIONING)]


def get_feature(db: Database, app: dict, name: str) -> dict:
    """GET …/features/{name}: {name, status, description, capabilities}."""
    _require_provisioning(db, app)
    if name != USER_PROVISIONING:
        # INBOUND_PROVISIONING exists only for apps that import users (not SCIM push apps).
        raise ResourceNotFound(name, "AppInstanceFeature")
    return {
        "name": USER_PROVISIONING,
        "status": "ENABLED",
        "description": DESCRIPTION,
        "capabilities": capabilities(db, app["id"]),
    }


@transactional
def update_feature(
    db: Database, now: datetime, app: dict, name: str, body: dict, *, actor: dict | None = None
) -> dict:
    """PUT …/features/USER_PROVISIONING: a partial update of the To App switches."""
    current = get_feature(db, app, name)["capabilities"]
    merged = _merge(current, body)
    db["app_features"].upsert(
        {
            "app_id": app["id"],
            "name": USER_PROVISIONING,
            "status": "ENABLED",
            "capabilities": json.dumps(merged),
        },
        pk=("app_id", "name"),
    )
    if merged != current:
        system_log.record(
            db,
            now,
            "application.lifecycle.update",
            "Update application",
            actor=actor,
            targets=[system_log.app_target(app)],
            debug_data={"feature": USER_PROVISIONING},
        )
    return get_feature(db, app, name)


def _require_provisioning(db: Database, app: dict) -> None:
    if not scim_connection.provisioning_enabled(db, app["id"]):
        raise ApiValidationFailed("feature", ["Provisioning is not enabled for the app instance."])


def _merge(current: dict, body: dict) -> dict:
    """Apply {create: {lifecycleCreate}, update: {profile, lifecycleDeactivate, password}}."""
    if not isinstance(body, dict):
        raise ApiValidationFailed("capabilities", ["capabilities: Invalid capabilities object"])
    merged = copy.deepcopy(current)
    causes = []
    for group, switch in _SWITCHES:
        given = (body.get(group) or {}).get(switch) if isinstance(body.get(group), dict) else None
        if given is None:
            continue
        if not isinstance(given, dict):
            causes.append(f"{switch}: Property value is not of the expected type")
            continue
        if "status" in given and given["status"] not in _STATUSES:
            causes.append(f"{switch}.status: Does not match required pattern")
        if switch == "password":
            if given.get("seed", "RANDOM") not in ("RANDOM", "OKTA"):
                causes.append("password.seed: Does not match required pattern")
            if given.get("change", "KEEP_EXISTING") not in ("CHANGE", "KEEP_EXISTING"):
                causes.append("password.change: Does not match required pattern")
        keys = ("status", "seed", "change") if switch == "password" else ("status",)
        merged[group][switch].update({k: given[k] for k in keys if k in given})
    if causes:
        # Guess at the cause wording; Okta answers E0000001 for invalid capability values.
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return merged
