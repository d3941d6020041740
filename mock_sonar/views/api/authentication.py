"""api/authentication: login, logout, validate (§6.3)."""

from flask import Blueprint, Response, request

from mock_sonar import settings
from mock_sonar.accounts.sessions import SESSION_COOKIE, delete_session
from mock_sonar.auth.login import password_login
from mock_sonar.views.api.params import WsParams
from mock_sonar.views.common import get_db, json_response, now, principal
from mock_sonar.views.cookies import clear_session_cookies, set_session_cookies

bp = Blueprint("auth", __name__)


@bp.post("/api/authentication/login")
def login() -> Response:
    """Form login of a local user; sets JWT-SESSION and XSRF-TOKEN, or 401 with no body."""
    params = WsParams()
    opened = password_login(
        get_db(), now(), params.optional("login") or "", params.optional("password") or ""
    )
    if opened is None:
        return Response(status=401)
    _, value, xsrf = opened
    response = Response(status=200)
    set_session_cookies(response, value, xsrf)
    return response


@bp.post("/api/authentication/logout")
def logout() -> Response:
    """Drop the session and clear its cookies."""
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        delete_session(get_db(), value)
    response = Response(status=200)
    clear_session_cookies(response)
    return response


@bp.route("/api/authentication/validate", methods=["GET", "POST"])
def validate() -> Response:
    """Always 200: whether the credentials authenticate, or anonymous access is allowed."""
    valid = principal() is not None or not settings.get_bool(get_db(), "sonar.forceAuthentication")
    return json_response({"valid": valid})
