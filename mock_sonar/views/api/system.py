"""api/system, api/server and api/features: status, version, system info, edition features."""

import platform

from flask import Blueprint, Response, current_app

from mock_sonar import settings
from mock_sonar.accounts import management
from mock_sonar.config import Edition
from mock_sonar.views.common import edition, get_db, json_response, require_admin

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
    Edition.COMMUNITY: [],
    Edition.DEVELOPER: ["branch-support", "monorepo", "multiple-alm"],
    Edition.ENTERPRISE: _ENTERPRISE_FEATURES,
    Edition.DATACENTER: _ENTERPRISE_FEATURES,
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
        "High Availability": edition() == Edition.DATACENTER,
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
