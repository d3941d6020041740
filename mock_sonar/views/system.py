"""api/system, api/server, api/features, api/settings and api/scim_management."""

import platform

from flask import Blueprint, Response, current_app, request

from mock_common.db import atomic

from .. import settings
from ..accounts import management
from ..errors import NotFound
from .common import (
    edition,
    get_db,
    is_admin,
    json_response,
    no_content,
    require_admin,
    require_login,
)
from .params import WsParams

bp = Blueprint("system", __name__)

#: Features per edition as api/features/list names them; only "scim" is confirmed (§3.1),
#: the others are our reading of the edition matrix.
_ENTERPRISE_FEATURES = [
    "branch-support",
    "monorepo",
    "multiple-alm",
    "project-import",
    "regulatory-reports",
    "scim",
]
FEATURES = {
    "community": [],
    "developer": ["branch-support", "monorepo", "multiple-alm"],
    "enterprise": _ENTERPRISE_FEATURES,
    "datacenter": _ENTERPRISE_FEATURES,
}


@bp.get("/api/system/status")
def system_status() -> Response:
    """Anonymous health check (§6.1)."""
    config = current_app.config
    return json_response({"id": config["SERVER_ID"], "version": config["VERSION"], "status": "UP"})


@bp.get("/api/server/version")
def server_version() -> Response:
    """The version as plain text (§6.2)."""
    return Response(current_app.config["VERSION"], content_type="text/plain")


@bp.get("/api/system/info")
def system_info() -> Response:
    """Admin-only system information; shows SCIM as the provisioner while managed (§3.1)."""
    require_admin()
    db, config = get_db(), current_app.config
    system = {
        "Server ID": config["SERVER_ID"],
        "Version": config["VERSION"],
        "Edition": edition().capitalize(),
        "Docker": False,
        "High Availability": edition() == "datacenter",
        "Official Distribution": True,
        "Force authentication": settings.get_bool(db, "sonar.forceAuthentication"),
        "Home Dir": "/opt/sonarqube",
        "Data Dir": "/opt/sonarqube/data",
        "Temp Dir": "/opt/sonarqube/temp",
        "Processors": 2,
    }
    if management.is_instance_managed(db):
        system["External Users and Groups Provisioning"] = "SCIM"
    return json_response(
        {
            "Health": "GREEN",
            "Health Causes": [],
            "System": system,
            "Server Base URL": settings.get_value(db, "sonar.core.serverBaseURL"),
            "JVM State": {"Java Version": "17"},
            "OS": platform.system(),
        }
    )


@bp.route("/api/features/list", methods=["GET", "POST"])
def features_list() -> Response:
    """The edition's features; the UI offers SCIM only when "scim" is listed."""
    return json_response(FEATURES[edition()])


@bp.route("/api/settings/values", methods=["GET", "POST"])
def settings_values() -> Response:
    """Values of global settings; secured ones are never returned (§6.9)."""
    require_login()
    db, params = get_db(), WsParams()
    keys = params.multi("keys")
    stored = settings.stored_values(db)
    if keys is None:
        keys = sorted(set(settings.DEFAULTS) | set(stored))
    result, secured = [], []
    for key in keys:
        if settings.is_secured(key):
            if key in stored and is_admin():
                secured.append(key)
            continue
        value = stored.get(key, settings.DEFAULTS.get(key))
        if value is None:
            continue
        entry: dict = {"key": key}
        if key in settings.MULTI_VALUED:
            entry["values"] = value.split(",")
        else:
            entry["value"] = value
        if key not in stored:
            entry["inherited"] = True
        elif key in settings.DEFAULTS:
            entry["parentValue"] = settings.DEFAULTS[key]
        result.append(entry)
    return json_response({"settings": result, "setSecuredSettings": secured})


@bp.post("/api/settings/set")
def settings_set() -> Response:
    """Set a global setting (admin)."""
    require_admin()
    params = WsParams()
    key = params.required("key")
    values = request.values.getlist("values")
    value = values if values else params.required("value")
    settings.set_value(get_db(), key, value)
    return no_content()


@bp.post("/api/settings/reset")
def settings_reset() -> Response:
    """Back to the default values (admin)."""
    require_admin()
    settings.reset_values(get_db(), WsParams().multi("keys") or [])
    return no_content()


def _require_scim_edition() -> None:
    if not management.scim_available(edition()):
        raise NotFound(f"Unknown url : {request.path}")


@bp.get("/api/scim_management/status")
def scim_status() -> Response:
    """Whether SCIM is on (internal endpoint since 10.0, admin only)."""
    _require_scim_edition()
    require_admin()
    return json_response({"enabled": management.is_scim_enabled(get_db())})


@bp.post("/api/scim_management/enable")
def scim_enable() -> Response:
    """Switch to automatic provisioning."""
    _require_scim_edition()
    require_admin()
    management.enable_scim(get_db())
    return no_content()


@bp.post("/api/scim_management/disable")
def scim_disable() -> Response:
    """Back to Just-in-Time: every SCIM mapping is removed."""
    _require_scim_edition()
    require_admin()
    db = get_db()
    with atomic(db):
        management.disable_scim(db)
    return no_content()
