"""The pages around logging in: /sessions/new, /sessions/unauthorized, /sessions/logout and /.

SonarQube's pages are a React app calling the Web API; these are server-rendered with the same
texts (sonarqube-webapp `libs/sq-server-commons/src/l10n/default.ts`) and work without
JavaScript: the login form posts to /sessions/new, which runs api/authentication/login's code.
"""

import hmac
import secrets
from urllib.parse import quote

from flask import Blueprint, Response, redirect, request

from mock_sonar.auth.login import password_login
from mock_sonar.saml import oauth
from mock_sonar.saml import settings as saml_settings
from mock_sonar.views.common import get_db, now
from mock_sonar.views.cookies import set_cookie, set_session_cookies
from mock_sonar.views.ui.browser import end_session, page
from mock_sonar.views.ui.frame import signed_in

bp = Blueprint("pages", __name__)

#: The login form's CSRF token, bound to this cookie (double submit).
LOGIN_CSRF_COOKIE = "LOGIN-CSRF"
AUTHENTICATION_FAILED = "Authentication failed"


def _return_to() -> str:
    """The page to go to after logging in: return_to as the SAML start sanitises it, else the
    home page."""
    # Guess: the web app's getReturnUrl only asks for `/` then neither `/` nor `\`, which lets
    # `/\t/evil.com` through to a browser that drops the tab; the server-side rule is used.
    return oauth.sanitize_return_to(request.values.get("return_to")) or "/"


def _login_page(*, error: str | None = None, status: int = 200, login: str = "") -> Response:
    saml = saml_settings.load(get_db())
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return_to = _return_to()
    response = page(
        "login.html",
        status,
        provider_name=saml.provider_name if saml.is_enabled else None,
        saml_url="/sessions/init/saml?return_to=" + quote(return_to, safe=""),
        return_to=return_to,
        csrf_token=token,
        error=error,
        login=login,
        hide_login_link=True,
        # handleRequiredAuthorization sends signed-in users without the right here.
        authorization_error=bool(request.args.get("authorizationError")),
    )
    set_cookie(
        response,
        LOGIN_CSRF_COOKIE,
        token,
        max_age=None,
        httponly=True,
        path="/sessions",
        samesite="Lax",
    )
    return response


@bp.get("/sessions/new")
def login_page() -> Response:
    """ "Log in to SonarQube": the SAML button when SAML is enabled, and the local form."""
    return _login_page()


@bp.post("/sessions/new")
def login_form() -> Response:
    """The local form: a valid CSRF token, then the credentials, then back to return_to."""
    login = request.form.get("login", "")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected, token):
        # Guess: the real form is a script call protected by XSRF-TOKEN; a stale form shows
        # the same message as bad credentials.
        return _login_page(error=AUTHENTICATION_FAILED, status=400, login=login)
    opened = password_login(get_db(), now(), login, request.form.get("password", ""))
    if opened is None:
        return _login_page(error=AUTHENTICATION_FAILED, status=401, login=login)
    _, value, xsrf = opened
    response = redirect(_return_to())
    set_session_cookies(response, value, xsrf)
    return response


@bp.get("/sessions/unauthorized")
def unauthorized() -> Response:
    """The generic refusal, and the reason from AUTHENTICATION-ERROR when there is one."""
    reason = oauth.decode_message(request.cookies.get(oauth.AUTHENTICATION_ERROR_COOKIE))
    return page("unauthorized.html", reason=reason)


@bp.get("/sessions/logout")
def logout() -> Response:
    """The web app logs out through the API, then goes to the home page."""
    response = redirect("/")
    end_session(response)
    return response


@bp.get("/")
@signed_in()
def home() -> Response:
    """The web app's landing route sends a signed-in user to /projects (the default homepage)."""
    return redirect("/projects")
