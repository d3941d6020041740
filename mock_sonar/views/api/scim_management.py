"""api/scim_management: SCIM on or off (internal endpoints since 10.0, reference §3.1)."""

from flask import Blueprint, Response, request

from mock_sonar.accounts import management
from mock_sonar.errors import NotFound
from mock_sonar.views.common import edition, get_db, json_response, no_content, require_admin

bp = Blueprint("scim_management_api", __name__)


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
    management.disable_scim(get_db())
    return no_content()
