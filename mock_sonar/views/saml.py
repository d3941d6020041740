"""SAML login (InitFilter, OAuth2CallbackFilter) and "Test configuration" (ValidationInitAction,
SamlValidationRedirectionFilter, ValidationAction): reference §5.2 and §5.6."""

import logging

from flask import Blueprint, Response, redirect, request

from mock_sonar.errors import AuthenticationFailed
from mock_sonar.saml import login as saml_login
from mock_sonar.saml import oauth
from mock_sonar.saml import settings as saml_settings
from mock_sonar.saml import validation as saml_validation
from mock_sonar.views.common import get_db, now
from mock_sonar.views.cookies import delete_cookie, set_cookie, set_session_cookies
from mock_sonar.views.ui.browser import (
    acs_url,
    is_system_administrator,
    page,
    redirect_to_unauthorized,
    signed_in_user,
)

log = logging.getLogger(__name__)
bp = Blueprint("saml", __name__)

NOT_ADMIN = "User needs to be logged in as system administrator to access this page."
VALIDATION_PATH = "/saml/validation"


@bp.get("/sessions/init/saml")
def init_login() -> Response:
    """Set OAUTHSTATE (and AUTH-PARAMS for return_to), then send the browser to the IdP."""
    saml = saml_settings.load(get_db())
    if not saml.is_enabled:
        log.warning("Failed to retrieve IdentityProvider for key 'saml'")
        return redirect_to_unauthorized()
    state, state_hash = oauth.generate_state()
    try:
        response = redirect(saml_login.authn_request_url(saml, acs_url(), state))
    except Exception as error:  # InitFilter: any failure ends on the unauthorized page
        log.warning("Fail to initialize authentication with provider 'saml': %s", error)
        response = redirect_to_unauthorized()
        delete_cookie(response, oauth.AUTH_PARAMS_COOKIE)
        return response
    set_cookie(response, oauth.OAUTH_STATE_COOKIE, state_hash, max_age=None, httponly=True)
    params = oauth.auth_params_cookie(request.args.get("return_to"))
    if params:
        set_cookie(
            response, oauth.AUTH_PARAMS_COOKIE, params, max_age=oauth.FIVE_MINUTES, httponly=True
        )
    return response


@bp.route("/oauth2/callback/saml", methods=["GET", "POST"])
def callback() -> Response:
    """The ACS: log the user in, or hand a "Test configuration" response to /saml/validation.

    A GET is read as the HTTP-Redirect binding, which never logs anyone in."""
    relay_state = request.values.get("RelayState")
    if saml_validation.is_validation_relay_state(relay_state):
        return _validation_redirect(saml_validation.csrf_token_of(relay_state or ""))
    response = _login(relay_state)
    delete_cookie(response, oauth.AUTH_PARAMS_COOKIE)
    if oauth.OAUTH_STATE_COOKIE in request.cookies:
        delete_cookie(response, oauth.OAUTH_STATE_COOKIE)
    return response


def _login(relay_state: str | None) -> Response:
    db = get_db()
    saml = saml_settings.load(db)
    if not saml.is_enabled:
        log.warning("Failed to retrieve IdentityProvider for key 'saml'")
        return redirect_to_unauthorized()
    try:
        done = saml_login.login(
            db,
            now(),
            saml,
            acs=acs_url(),
            relay_state=relay_state,
            state_cookie=request.cookies.get(oauth.OAUTH_STATE_COOKIE),
            saml_response=request.values.get("SAMLResponse"),
            redirect_binding=request.method == "GET",
        )
    except AuthenticationFailed as error:
        log.warning("SAML authentication failed: %s", error.message)
        return redirect_to_unauthorized(error.public_message)
    except Exception:  # OAuth2CallbackFilter: whatever else fails ends on the same page
        log.exception("Fail to callback authentication with 'saml'")
        return redirect_to_unauthorized()
    cookie = request.cookies.get(oauth.AUTH_PARAMS_COOKIE)
    response = redirect(oauth.return_to_from_cookie(cookie) or "/")
    set_session_cookies(response, done.session, done.xsrf_token)
    return response


def _validation_redirect(csrf_token: str) -> Response:
    """validation-redirection.html: post the response on to /saml/validation."""
    nonce = oauth.random_token()
    response = page(
        "saml_validation_redirect.html",
        validation_url=VALIDATION_PATH,
        saml_response=request.values.get("SAMLResponse", ""),
        csrf_token=csrf_token,
        nonce=nonce,
    )
    _add_csp(response, nonce)
    return response


@bp.get("/saml/validation_init")
def validation_init() -> Response:
    """ "Test configuration": a system administrator is sent to the IdP, the CSRF state riding
    in RelayState; with unusable settings straight to the report."""
    if not is_system_administrator(signed_in_user()):
        log.warning(NOT_ADMIN)
        return redirect_to_unauthorized()
    state, state_hash = oauth.generate_state()
    relay_state = f"{saml_validation.VALIDATION_RELAY_STATE}/{state}"
    try:
        saml = saml_settings.load(get_db())
        response = redirect(saml_login.authn_request_url(saml, acs_url(), relay_state))
    except Exception as error:  # IllegalArgumentException | IllegalStateException
        log.info("SAML settings not usable for a test: %s", error)
        response = redirect(f"{VALIDATION_PATH}?CSRFToken={state}")
    set_cookie(response, oauth.OAUTH_STATE_COOKIE, state_hash, max_age=None, httponly=True)
    return response


@bp.route(VALIDATION_PATH, methods=["GET", "POST"])
def validation() -> Response:
    """The report page (samlAuthResult.html) for a CSRF-checked administrator."""
    try:
        oauth.verify_state(
            request.cookies.get(oauth.OAUTH_STATE_COOKIE), request.values.get("CSRFToken")
        )
    except AuthenticationFailed as error:
        log.warning(error.message)
        response = redirect_to_unauthorized()
    else:
        response = _report() if is_system_administrator(signed_in_user()) else None
        if response is None:
            log.warning(NOT_ADMIN)
            response = redirect_to_unauthorized()
    if oauth.OAUTH_STATE_COOKIE in request.cookies:
        delete_cookie(response, oauth.OAUTH_STATE_COOKIE)
    return response


def _report() -> Response:
    db = get_db()
    status = saml_validation.report(
        db,
        now(),
        saml_settings.load(db),
        acs=acs_url(),
        saml_response=request.values.get("SAMLResponse"),
    )
    nonce = oauth.random_token()
    response = page(
        "saml_auth_result.html", report=status, encoded=saml_validation.encode(status), nonce=nonce
    )
    _add_csp(response, nonce)
    return response


def _add_csp(response: Response, nonce: str) -> None:
    """SamlValidationCspHeaders, including its missing separator after font-src."""
    policies = "; ".join(
        [
            "default-src 'self'",
            "base-uri 'none'",
            "connect-src 'self' http: https:",
            "font-src 'self' data:;img-src * data: blob:",
            "object-src 'none'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "worker-src 'none'",
        ]
    )
    for header in ("Content-Security-Policy", "X-Content-Security-Policy", "X-WebKit-CSP"):
        response.headers[header] = policies
