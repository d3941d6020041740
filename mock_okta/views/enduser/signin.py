"""End-user pages: the sign-in page, sign-out, the dashboard (`/app/UserHome`) and `/`."""

from flask import Blueprint, Response, redirect, request

from mock_okta.directory import users
from mock_okta.errors import PageError, SignInFailed
from mock_okta.saml import slo as saml_slo
from mock_okta.security import signin
from mock_okta.views.common import get_db, now, org_url
from mock_okta.views.enduser import browser

bp = Blueprint("signin", __name__)
bp.register_error_handler(PageError, browser.render_page_error)

#: Shown when the form's token does not match the browser (the widget's expired-session text).
_EXPIRED = "Your session has expired. Please try to sign in again."


@bp.get(browser.SIGNIN_PATH)
def sign_in_page() -> Response:
    """The Sign-In Widget; a browser already signed in goes straight on to fromURI."""
    from_uri = request.args.get("fromURI")
    if browser.live_session() is not None:
        return browser.no_store(redirect(browser.next_page(from_uri, browser.HOME_PATH)))
    return _form(from_uri=from_uri)


@bp.post(browser.SIGNIN_PATH)
def sign_in() -> Response:
    """Username and password: a `sid` session and a redirect, or the widget's error."""
    form, db = request.form, get_db()
    from_uri = form.get("fromURI") or request.args.get("fromURI")
    presession = request.cookies.get(browser.PRESESSION_COOKIE)
    if not signin.check_csrf(db, presession, form.get("_xsrfToken")):
        return _form(from_uri=from_uri, error=_EXPIRED, status=403)
    try:
        # Not in one transaction: a refused sign-in is logged, and that must stay.
        _user, value = signin.sign_in(db, now(), form.get("username", ""), form.get("password", ""))
    except SignInFailed as failure:
        return _form(
            from_uri=from_uri, error=failure.message, username=form.get("username", ""), status=401
        )
    response = browser.no_store(redirect(browser.next_page(from_uri, browser.HOME_PATH)))
    browser.set_session_cookie(response, value)
    return response


@bp.get("/login/signout")
def sign_out() -> Response:
    """End the session (Single Logout to the session's SLO apps on the way), then fromURI
    (when it stays in this org) or the sign-in page."""
    cookie = request.cookies.get(browser.SESSION_COOKIE)
    logout_requests = saml_slo.sign_out(get_db(), now(), cookie, base_url=org_url())
    target = browser.next_page(request.args.get("fromURI"), browser.SIGNIN_PATH)
    if logout_requests:
        response = browser.front_channel_logout(logout_requests, next_url=target)
    else:
        response = browser.no_store(redirect(target))
    browser.clear_session_cookie(response)
    return response


@bp.get(browser.HOME_PATH)
def user_home() -> Response:
    """The end-user dashboard: a tile per assigned app not hidden from the web dashboard."""
    live = browser.live_session()
    if live is None:
        return browser.to_signin(browser.HOME_PATH)
    _session, user = live
    tiles = signin.dashboard_tiles(get_db(), user["id"], org_url())
    profile = users.profile_of(user)
    name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    return browser.page("enduser/dashboard.html", name=name or user["login"], tiles=tiles)


@bp.get("/")
def org_root() -> Response:
    """The org URL: the dashboard when signed in, else the sign-in page."""
    target = browser.HOME_PATH if browser.live_session() else browser.SIGNIN_PATH
    return browser.no_store(redirect(target))


def _form(
    *, from_uri: str | None, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    value, new = browser.presession()
    response = browser.page(
        "enduser/signin.html",
        status,
        from_uri=browser.next_page(from_uri, "") or "",
        error=error,
        username=username,
        xsrf_token=signin.csrf_token(get_db(), value),
    )
    if new:
        browser.set_presession_cookie(response, value)
    return response
