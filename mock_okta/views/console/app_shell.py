"""The app page's frame, shared by its tabs: the header, the tab bar, tab URLs."""

from urllib.parse import urlencode

from flask import Response, request

from mock_okta import outbox
from mock_okta.applications import apps
from mock_okta.console import apps as app_pages
from mock_okta.views.common import get_db
from mock_okta.views.console.common import page

APP = "/admin/app/<app_name>/instance/<app_id>"


def tab_url(app: dict, tab: str, **params: str) -> str:
    """A tab of the app page (`?tab=`), with more query parameters."""
    return f"{app_pages.app_url(app)}?{urlencode({'tab': tab, **params})}"


#: Tabs whose rows change when a push finishes (the red "!", Push Groups' status).
_PUSH_OUTCOME_TABS = ("assignments", "push-groups")
#: Query parameters that open a dialog or a form: a reload would lose what is typed there.
_EDITING_PARAMETERS = ("assign", "provision", "dialog", "edit", "unlink", "push", "deleteRule")


def _shows_push_outcome(tab: str) -> bool:
    return (
        tab in _PUSH_OUTCOME_TABS
        and request.method == "GET"
        and not any(name in request.args for name in _EDITING_PARAMETERS)
    )


def load_app(app_id: str) -> dict:
    """The app, or E0000007 (the console's 404 page)."""
    return apps.require_app(get_db(), app_id)


def render_tab(
    template: str, app: dict, tab: str, status: int = 200, **context: object
) -> Response:
    """One tab of the app page inside the app's header and tab bar. While the app's pushes
    are in flight, a tab that shows their outcome reloads itself (no JavaScript needed)."""
    db = get_db()
    context.setdefault(
        "auto_refresh", _shows_push_outcome(tab) and outbox.has_open_work(db, app["id"])
    )
    return page(
        template,
        status,
        app=app,
        app_url=app_pages.app_url(app),
        tab=tab,
        tabs=app_pages.visible_tabs(db, app),
        sign_on_label=app_pages.SIGN_ON_MODE_LABELS.get(app["sign_on_mode"], ""),
        **context,
    )
