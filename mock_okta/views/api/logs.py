"""System Log API: GET /api/v1/logs (since, until, filter, q, limit, after, sortOrder)."""

from datetime import datetime, timedelta

from flask import Blueprint, Response, request

from mock_okta import system_log
from mock_okta.errors import ApiValidationFailed
from mock_okta.storage.pagination import parse_limit
from mock_okta.timestamps import okta_datetime
from mock_okta.views.common import get_db, now, paged_response

bp = Blueprint("api_logs", __name__, url_prefix="/api/v1/logs")


def _moment(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiValidationFailed(name, [f"{name}: Invalid date format"]) from error


@bp.get("")
def list_events() -> Response:
    """Events of the last seven days by default, oldest first; Link paging (100, max 1000)."""
    order = request.args.get("sortOrder", "ASCENDING")
    if order not in ("ASCENDING", "DESCENDING"):
        raise ApiValidationFailed("sortOrder", ["sortOrder: must be ASCENDING or DESCENDING"])
    limit = parse_limit(request.args.get("limit"), default=100, maximum=1000)
    since = _moment("since") or now() - timedelta(days=7)
    events, cursor = system_log.list_events(
        get_db(),
        since=since,
        until=_moment("until"),
        filter_=request.args.get("filter"),
        q=request.args.get("q"),
        descending=order == "DESCENDING",
        after=request.args.get("after"),
        limit=limit,
    )
    for event in events:
        event["published"] = okta_datetime(event["published"])
    return paged_response(events, cursor, limit)
