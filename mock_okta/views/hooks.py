"""App-wide request hooks: SSWS authentication, Okta's response headers, error rendering."""

import logging
import secrets
import threading
import time

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from mock_common import clock, web
from mock_common.control import guard_control_requests
from mock_okta.errors import (
    InvalidToken,
    MethodNotAllowed,
    OktaError,
    PageError,
    PageNotFound,
    PayloadTooLarge,
    ResourceNotFound,
    UnsupportedMediaType,
)
from mock_okta.security.api_tokens import authenticate
from mock_okta.views.common import get_db, json_response
from mock_okta.views.enduser.browser import render_page_error

log = logging.getLogger(__name__)

#: The Management API; the control plane under /_mock is guarded the same way
#: (mock_common.control.guard_control_requests).
API_PREFIX = "/api/v1/"


def require_api_token() -> None:
    """Every Management API request needs an API token."""
    if request.path.startswith(API_PREFIX):
        authenticate_api_token()


def authenticate_api_token() -> None:
    """`Authorization: SSWS <token>` (the SDK also sends `SSWS<token>` without a space) of an
    active owner, else E0000011."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("SSWS"):
        raise InvalidToken()
    db = get_db()
    token = authenticate(db, clock.now(db), header[4:].strip())
    if token is None:
        raise InvalidToken()
    g.api_token = token


class RateLimitWindow:
    """Counts requests per minute for the X-Rate-Limit-* headers (no throttling)."""

    def __init__(self, limit: int):
        self.limit, self.window, self.count = limit, 0, 0
        self.lock = threading.Lock()

    def hit(self) -> tuple[int, int]:
        """Count one request; returns (remaining, reset epoch seconds)."""
        minute = int(time.time() // 60)
        with self.lock:
            if minute != self.window:
                self.window, self.count = minute, 0
            self.count += 1
            return max(self.limit - self.count, 0), (minute + 1) * 60


def add_okta_headers(response: Response) -> Response:
    """X-Okta-Request-Id on every response; X-Rate-Limit-* on the API (Core Okta API)."""
    response.headers["X-Okta-Request-Id"] = g.get("request_id") or _request_id()
    if request.path.startswith("/api/"):
        window: RateLimitWindow = current_app.extensions["okta_rate_limit"]
        remaining, reset = window.hit()
        response.headers["X-Rate-Limit-Limit"] = str(window.limit)
        response.headers["X-Rate-Limit-Remaining"] = str(remaining)
        response.headers["X-Rate-Limit-Reset"] = str(reset)
    return response


def _request_id() -> str:
    g.request_id = secrets.token_urlsafe(20)[:27]
    return g.request_id


def render_okta_error(error: OktaError) -> Response:
    """Okta's error body."""
    return json_response(error.body(), error.status)


def render_http_error(error: HTTPException) -> Response:
    """Routing errors as Okta errors; a browser page (not the API) gets Okta's HTML error page."""
    if not request.path.startswith(("/api/", "/_mock/")) and error.code in (404, 405):
        return render_page_error(PageNotFound() if error.code == 404 else _method_not_allowed())
    if error.code == 405:
        return render_okta_error(MethodNotAllowed())
    if error.code == 413:
        return render_okta_error(PayloadTooLarge())
    if error.code == 404:
        return render_okta_error(ResourceNotFound(request.path, "Path"))
    okta = OktaError(error.description)
    okta.status = error.code or 500
    return render_okta_error(okta)


def _method_not_allowed() -> PageError:
    # Guess: the sentence of Okta's HTML page for a wrong method.
    error = PageError("This page does not accept that kind of request.")
    error.status, error.title = 405, "Method Not Allowed"
    return error


def render_unexpected(error: Exception) -> Response:
    """Last resort: logged, answered as Okta's E0000009 without a stack trace."""
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render_okta_error(OktaError())


def register(app: Flask) -> None:
    """Install the hooks on the app."""
    app.extensions["okta_rate_limit"] = RateLimitWindow(app.config["RATE_LIMIT_PER_MINUTE"])
    app.before_request(require_api_token)
    guard_control_requests(
        app, authorize=authenticate_api_token, refuse_media_type=UnsupportedMediaType
    )
    app.after_request(add_okta_headers)
    web.init_app(app)
    app.register_error_handler(OktaError, render_okta_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected)
