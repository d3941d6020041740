"""Admin Console: Applications > Applications, the app page's tabs, General and Sign On."""

from collections.abc import Callable

from flask import Response, redirect, request

from mock_okta.console import apps as app_pages
from mock_okta.errors import OktaError
from mock_okta.provisioning import connector
from mock_okta.views.common import get_db, now, org_url
from mock_okta.views.console import assignments as console_assignments
from mock_okta.views.console import provisioning as console_provisioning
from mock_okta.views.console import push_groups as console_push_groups
from mock_okta.views.console.app_shell import APP, load_app, render_tab, tab_url
from mock_okta.views.console.common import console_blueprint, form_error, page

bp = console_blueprint("console_apps", __name__)


@bp.get("/admin/apps")
def apps_home() -> Response:
    """Applications > Applications."""
    return redirect("/admin/apps/active")


@bp.get("/admin/apps/active")
def apps_page() -> Response:
    """The org's applications; search by label."""
    q = request.args.get("q", "")
    return page("admin/apps.html", apps=app_pages.list_apps(get_db(), q=q), q=q)


def render_general(app: dict, error: dict | None = None, status: int = 200) -> Response:
    """General: App Settings (Edit: Provisioning None / SCIM)."""
    editing = error is not None or request.args.get("edit") == "settings"
    general = app_pages.general(get_db(), app)
    return render_tab(
        "admin/app_general.html",
        app,
        "general",
        status,
        general=general,
        editing=editing,
        error=error,
    )


def render_signon(app: dict) -> Response:
    """Sign On: the SAML 2.0 settings, read-only."""
    saml = app_pages.sign_on(app, org_url())
    return render_tab("admin/app_signon.html", app, "signon", saml=saml)


TABS: dict[str, Callable[[dict], Response]] = {
    app_pages.GENERAL: render_general,
    app_pages.SIGN_ON: render_signon,
    app_pages.PROVISIONING: console_provisioning.render_provisioning,
    app_pages.ASSIGNMENTS: console_assignments.render_assignments,
    app_pages.PUSH_GROUPS: console_push_groups.render_push_groups,
}


@bp.get(f"{APP}/")
def app_page(app_name: str, app_id: str) -> Response:
    """The app page; `tab` picks the tab (General by default)."""
    app = load_app(app_id)
    tab = request.args.get("tab", app_pages.GENERAL)
    visible = [key for key, _label in app_pages.visible_tabs(get_db(), app)]
    if app_name != app["name"] or tab not in visible:
        return redirect(tab_url(app, tab if tab in visible else app_pages.GENERAL))
    return TABS[tab](app)


@bp.post(f"{APP}/general")
def save_general(app_name: str, app_id: str) -> Response:
    """General > App Settings > Save: choosing SCIM enables provisioning (Provisioning tab)."""
    db, app = get_db(), load_app(app_id)
    try:
        connector.save_connection(db, now(), app["id"], app_pages.settings_change(request.form))
    except OktaError as error:
        return render_general(app, form_error(error), error.status)
    return redirect(tab_url(app, app_pages.GENERAL))
