"""The simulator's control plane (SPEC §6): reset, state export/import, clock."""

from datetime import datetime

from flask import Blueprint, Response, request

from mock_common import clock, state

from .. import fixtures
from ..errors import ApiValidationFailed
from .common import get_db, json_body, json_response, no_content, now

bp = Blueprint("control", __name__, url_prefix="/_mock")


@bp.post("/reset")
def reset() -> Response:
    """Back to the loaded fixture."""
    fixtures.reset(get_db(), now())
    return no_content()


@bp.get("/state")
def export_state() -> Response:
    """The whole state as JSON."""
    return json_response(state.export_state(get_db()))


@bp.post("/state")
def import_state() -> Response:
    """Replace the whole state with an export."""
    fixtures.import_state(get_db(), request.get_json(silent=True))
    return no_content()


@bp.post("/clock")
def set_clock() -> Response:
    """{"freeze": "2025-01-15T10:00:00+00:00"} | {"advanceSeconds": 300} | {"unfreeze": true}."""
    body, db = json_body(required=False), get_db()
    if "freeze" in body:
        try:
            moment = datetime.fromisoformat(body["freeze"]) if body["freeze"] else now()
        except (TypeError, ValueError) as error:
            raise ApiValidationFailed(
                "freeze", ["freeze: must be an ISO-8601 date-time"]
            ) from error
        clock.set_clock(db, frozen_at=moment)
    if body.get("unfreeze"):
        clock.set_clock(db, frozen_at=None)
    if "advanceSeconds" in body:
        if not isinstance(body["advanceSeconds"], int | float):
            raise ApiValidationFailed("advanceSeconds", ["advanceSeconds: must be a number"])
        clock.advance(db, body["advanceSeconds"])
    return json_response({"now": now().isoformat()})
