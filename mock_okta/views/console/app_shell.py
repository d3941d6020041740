"""The app page's frame, shared by its tabs: the header, the tab bar, tab URLs."""

from urllib.parse import urlencode

from flask import Response

from mock_okta.applications import apps
from mock_okta.console import apps as app_pages
from mock_okta.views.common import get_db
from mock_okta.views.console.common import page

APP = "/admin/app/<app_name>/instance/<app_id>"


def tab_url(app: dict, tab: str, **params: str) -> str:
    """A tab of the app page (`?tab=`), with more query parameters."""
    return f"{app_pages.app_url(app)}?{urlencode({'tab': tab, **params})}"


def load_app(app_id: str) -> dict:
    """The app, or E0000007 (the console's 404 page)."""
    return apps.require_app(get_db(), app_id)


def render_tab(
    template: str, app: dict, tab: str, status: int = 200, **context: object
) -> Response:
    """One tab of the app page inside the app's header and tab bar."""
    db = get_db()
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
