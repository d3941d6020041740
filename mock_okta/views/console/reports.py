"""Admin Console: Reports > System Log."""

from flask import Response, request

from mock_okta.console import reports
from mock_okta.errors import OktaError
from mock_okta.views.common import get_db, now
from mock_okta.views.console.common import console_blueprint, form_error, page

bp = console_blueprint("console_reports", __name__)


@bp.get("/report/system_log_2")
def system_log_page() -> Response:
    """Events newest first; search by text or a filter expression, and by outcome."""
    text, outcome = request.args.get("q", ""), request.args.get("outcome", "")
    after = request.args.get("after")
    error, status, events, cursor = None, 200, [], None
    try:
        events, cursor = reports.search(get_db(), now(), text=text, outcome=outcome, after=after)
    except OktaError as failure:
        error, status = form_error(failure), failure.status
    return page(
        "admin/system_log.html",
        status,
        events=events,
        q=text,
        outcome=outcome,
        outcomes=reports.OUTCOMES,
        next_cursor=cursor,
        paged=bool(after),
        error=error,
    )
