"""The simulator's control plane (SPEC §6): reset, state export/import, clock, faults."""

from datetime import datetime

from flask import Blueprint, Response, request

from mock_common import state

from .. import clock, faults, fixtures
from ..errors import BadRequest
from .common import get_db, json_response, no_content, now

bp = Blueprint("control", __name__, url_prefix="/_mock")


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None and request.data:
        raise BadRequest("The body must be JSON")
    if body is not None and not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object")
    return body or {}


@bp.post("/reset")
def reset() -> Response:
    """Back to the loaded fixture."""
    fixtures.reset(get_db(), now())
    faults.clear(get_db())
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
    body, db = _json_body(), get_db()
    if "freeze" in body:
        try:
            moment = datetime.fromisoformat(body["freeze"]) if body["freeze"] else now()
        except (TypeError, ValueError) as error:
            raise BadRequest("'freeze' must be an ISO-8601 date-time") from error
        clock.set_clock(db, frozen_at=moment)
    if body.get("unfreeze"):
        clock.set_clock(db, frozen_at=None)
    if "advanceSeconds" in body:
        if not isinstance(body["advanceSeconds"], int | float):
            raise BadRequest("'advanceSeconds' must be a number")
        clock.advance(db, body["advanceSeconds"])
    return json_response({"now": now().isoformat()})


@bp.post("/faults")
def add_fault() -> Response:
    """Make the next N SCIM requests fail: {"count", "status", "delaySeconds", "body"}."""
    fault = faults.add_fault(get_db(), _json_body())
    return json_response(fault, 201)


@bp.delete("/faults")
def clear_faults() -> Response:
    """Remove every pending fault."""
    faults.clear(get_db())
    return no_content()
