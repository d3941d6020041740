"""Admin Console: the app's Provisioning tab (Integration, To App) and its SCIM requests page."""

from flask import Response, redirect, request

from mock_okta.applications import features, scim_connection
from mock_okta.console import provisioning as integration
from mock_okta.console import provisioning_to_app as to_app
from mock_okta.console import scim_requests as wire
from mock_okta.errors import OktaError
from mock_okta.provisioning import connector
from mock_okta.provisioning.client import ScimSession
from mock_okta.views.common import get_db, now
from mock_okta.views.console.app_shell import APP, load_app, render_tab, tab_url
from mock_okta.views.console.common import actor, console_blueprint, form_error, page

bp = console_blueprint("console_provisioning", __name__)

INTEGRATION, TO_APP = "integration", "to-app"


def render_provisioning(app: dict, status: int = 200, **state: object) -> Response:
    """Provisioning: the To App / Integration sub-tabs; `state` holds a posted form or result."""
    db = get_db()
    row = scim_connection.get_connection(db, app["id"])
    stored = integration.view(row)
    section = state.pop("section", None) or request.args.get("section")
    section = section or (TO_APP if stored["configured"] else INTEGRATION)
    editing = bool(state) or request.args.get("edit") == "1"
    capabilities = features.capabilities(db, app["id"])
    return render_tab(
        "admin/app_provisioning.html",
        app,
        "provisioning",
        status,
        section=section,
        editing=editing,
        conn=state.pop("conn", stored),
        actions=integration.ACTIONS,
        auth_modes=integration.AUTH_MODES,
        switches=state.pop("switches", to_app.switches(capabilities, app["label"])),
        sync_password=to_app.SYNC_PASSWORD.format(app=app["label"]),
        mappings=to_app.MAPPINGS,
        saved=request.args.get("saved") == "1",
        **state,
    )


def _posted_connection(app: dict) -> tuple[dict, dict]:
    """The SCIM Connection form: the save body and the form as shown again (no secrets)."""
    selected = request.form.getlist("actions")
    row = scim_connection.get_connection(get_db(), app["id"])
    body = integration.connection_body(request.form, selected)
    return body, integration.form_view(request.form, selected, row)


@bp.post(f"{APP}/provisioning/integration")
def save_integration(app_name: str, app_id: str) -> Response:
    """Integration > Edit > Save: the SCIM Connection; then To App, as Okta goes on."""
    db, app = get_db(), load_app(app_id)
    body, shown = _posted_connection(app)
    try:
        connector.save_connection(db, now(), app["id"], body)
    except OktaError as error:
        return render_provisioning(
            app, error.status, section=INTEGRATION, conn=shown, error=form_error(error)
        )
    return redirect(tab_url(app, "provisioning", section=TO_APP))


@bp.post(f"{APP}/provisioning/test")
def test_connector(app_name: str, app_id: str) -> Response:
    """Test Connector Configuration: the form's values, `GET /Users?startIndex=1&count=2`."""
    db, app = get_db(), load_app(app_id)
    body, shown = _posted_connection(app)
    row = scim_connection.get_connection(db, app["id"])
    with ScimSession() as session:
        result = integration.test_connector(db, app["id"], row, body, session)
    if request.headers.get("X-Console-Dialog"):
        # The page's script asked for the dialog alone, so the form keeps what was typed.
        return page("admin/_test_dialog.html", result=result)
    return render_provisioning(app, section=INTEGRATION, conn=shown, test=result)


@bp.post(f"{APP}/provisioning/to-app")
def save_to_app(app_name: str, app_id: str) -> Response:
    """To App > Edit > Save: Create Users, Update User Attributes, Deactivate Users."""
    db, app = get_db(), load_app(app_id)
    body = to_app.feature_body(request.form)
    try:
        with ScimSession() as session:
            connector.update_to_app(
                db,
                now(),
                app["id"],
                features.USER_PROVISIONING,
                body,
                actor=actor(),
                session=session,
            )
    except OktaError as error:
        shown = [
            {**s, "enabled": request.form.get(s["field"]) == "on"}
            for s in to_app.switches(features.DEFAULT_CAPABILITIES, app["label"])
        ]
        return render_provisioning(
            app, error.status, section=TO_APP, switches=shown, error=form_error(error)
        )
    return redirect(tab_url(app, "provisioning", section=TO_APP, saved="1"))


@bp.get(f"{APP}/scim-requests")
def scim_requests(app_name: str, app_id: str) -> Response:
    """The SCIM wire log of the app, newest first, a page at a time (`?limit=`, default 100;
    `?before=` an exchange id: the older ones)."""
    app = load_app(app_id)
    limit, before = request.args.get("limit", "100"), request.args.get("before", "")
    entries, cursor = wire.recent_requests(
        get_db(),
        app["id"],
        min(int(limit), wire.PAGE_LIMIT) if limit.isdigit() and int(limit) > 0 else 100,
        int(before) if before.isdigit() and len(before) < 19 else None,
    )
    return render_tab(
        "admin/app_scim_requests.html",
        app,
        "scim-requests",
        entries=entries,
        next_cursor=cursor,
        paged=bool(before),
    )
