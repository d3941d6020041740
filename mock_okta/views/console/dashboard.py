"""Admin Console: Dashboard > Dashboard and Dashboard > Tasks (Retry Selected, Dismiss)."""

from flask import Response, redirect, request

from mock_okta.console import dashboard
from mock_okta.errors import ApiValidationFailed, OktaError
from mock_okta.provisioning import tasks
from mock_okta.views.common import get_db, now
from mock_okta.views.console.common import console_blueprint, form_error, page

bp = console_blueprint("console_dashboard", __name__)


@bp.get("/admin")
@bp.get("/admin/")
def admin_home() -> Response:
    """The console's entry point."""
    return redirect("/admin/dashboard")


@bp.get("/admin/dashboard")
def dashboard_page() -> Response:
    """Dashboard > Dashboard: the org at a glance."""
    return page("admin/dashboard.html", overview=dashboard.overview(get_db()))


def _tasks_page(error: dict | None = None, status: int = 200) -> Response:
    db = get_db()
    retrying = dashboard.retrying_task_rows(db)
    return page(
        "admin/tasks.html",
        status,
        tasks=dashboard.task_rows(db),
        retrying=retrying,
        auto_refresh=bool(retrying),
        error=error,
    )


@bp.get("/admin/tasks")
def tasks_page() -> Response:
    """Dashboard > Tasks: failed provisioning operations."""
    return _tasks_page()


@bp.post("/admin/tasks/<action>")
def tasks_action(action: str) -> Response:
    """Retry Selected / Dismiss, for the checked tasks."""
    operations = {"retry": tasks.retry_tasks, "dismiss": tasks.dismiss_tasks}
    if action not in operations:
        return _tasks_page({"summary": f"Unknown action: {action}", "causes": []}, 404)
    db, selected = get_db(), request.form.getlist("taskId")
    try:
        if not selected:
            # Guess: Okta's wording when nothing is checked.
            raise ApiValidationFailed(summary="Select at least one task.")
        operations[action](db, now(), selected)
    except OktaError as error:
        return _tasks_page(form_error(error), error.status)
    return redirect("/admin/tasks")
