"""The SAML 2.0 IdP endpoints of each app: SSO (SP- and IdP-initiated), the embed link, SLO.

Okta's URLs (reference/okta.md §6; Okta Single Logout guide): SSO at
`/app/{appName}/{externalKey}/sso/saml` (HTTP-Redirect and HTTP-POST bindings), the app's embed
link `/home/{appName}/{appId}/{alnId}` for IdP-initiated sign-in from the dashboard, SLO at
`/app/{appName}/{externalKey}/slo/saml` and, for the apps' answers to Okta's own LogoutRequests,
its "Identity Provider Single Logout Callback URL" `/app/{appName}/{externalKey}/slo/saml/callback`.
"""

from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, redirect, request

from mock_okta.applications import apps
from mock_okta.errors import PageError, PageNotFound
from mock_okta.saml import idp as saml_idp
from mock_okta.saml import outbound_logout, signed_requests
from mock_okta.saml import requests as saml_requests
from mock_okta.saml import slo as saml_slo
from mock_okta.security import sessions as web_sessions
from mock_okta.security import signin
from mock_okta.views.common import get_db, now, org_url
from mock_okta.views.enduser import browser

bp = Blueprint("sso", __name__)
bp.register_error_handler(PageError, browser.render_page_error)

SSO = "/app/<app_name>/<external_key>/sso/saml"
SLO = "/app/<app_name>/<external_key>/slo/saml"
SLO_CALLBACK = "/app/<app_name>/<external_key>/slo/saml/callback"
_FORCED_AT, _FORCED_SEAL = "forceAuthnAt", "forceAuthnSeal"


@bp.route(SSO, methods=["GET", "POST"])
def sso_saml(app_name: str, external_key: str) -> Response:
    """SP-initiated SSO (a SAMLRequest by Redirect or POST); without one, IdP-initiated."""
    app = _app_by_key(app_name, external_key)
    params = request.form if request.method == "POST" else request.args
    received = signed_requests.receive_authn_request(
        get_db(),
        app,
        base_url=org_url(),
        params=params,
        raw_query=request.query_string,
        redirect=request.method == "GET",
    )
    relay_state = params.get("RelayState")
    if received is None:
        return _idp_initiated(app, relay_state, request.full_path)
    live = browser.live_session()
    if received.refusal is not None:
        # Okta judges a signed request once the user is authenticated: signed in, the browser
        # gets the 400 page; otherwise it signs in and lands on the dashboard (Auth0 KB "Okta
        # SAML Integration with Signed Requests"; flipboxfactory/saml-sp#235).
        if live is None:
            return browser.to_signin(browser.HOME_PATH)
        raise received.refusal
    info = received.info
    from_uri = f"{request.path}?{urlencode(received.query(relay_state))}"
    sign_on = saml_idp.sign_on_settings(app)
    if info.force_authn and sign_on["honorForceAuthn"] and not _reauthenticated(info, live):
        return _force_authn(from_uri, info)
    if live is None:
        return browser.to_signin(from_uri)
    return _answer(app, live, info, relay_state)


@bp.get("/home/<app_name>/<app_id>/<aln_id>")
def app_embed_link(app_name: str, app_id: str, aln_id: str) -> Response:
    """The app's embed link (dashboard tile): an unsolicited Response with defaultRelayState."""
    app = apps.get_app(get_db(), app_id)
    if app is None or app["name"] != app_name or apps.internal_of(app).get("alnId") != aln_id:
        raise PageNotFound()
    return _idp_initiated(app, request.args.get("RelayState"), request.full_path)


@bp.route(SLO, methods=["GET", "POST"])
def slo_saml(app_name: str, external_key: str) -> Response:
    """SP-initiated Single Logout: end the `sid` session, answer a signed LogoutResponse."""
    app, db = _app_by_key(app_name, external_key), get_db()
    params = request.form if request.method == "POST" else request.args
    result = saml_slo.single_logout(
        db,
        now(),
        app,
        base_url=org_url(),
        cookie=request.cookies.get(web_sessions.SESSION_COOKIE),
        message=saml_slo.LogoutMessage.from_params(
            params, redirect=request.method == "GET", raw_query=request.query_string
        ),
    )
    if result.logout_requests:
        response = browser.front_channel_logout(
            result.logout_requests,
            next_url=result.redirect_url,
            action=result.destination,
            fields=result.fields,
        )
    elif result.redirect_url:
        response = browser.no_store(redirect(result.redirect_url))
    else:
        response = browser.page(
            "enduser/post_form.html", action=result.destination, fields=result.fields, title="Okta"
        )
    browser.clear_session_cookie(response)
    return response


@bp.route(SLO_CALLBACK, methods=["GET", "POST"])
def slo_saml_callback(app_name: str, external_key: str) -> Response:
    """Where an app answers Okta's outbound LogoutRequest with its LogoutResponse."""
    app = _app_by_key(app_name, external_key)
    params = request.form if request.method == "POST" else request.args
    outbound_logout.receive_logout_response(
        app, params.get("SAMLResponse"), redirect=request.method == "GET"
    )
    # Guess: Okta answers the (invisible) iframe with an empty page.
    return browser.no_store(make_response("", 200))


def _app_by_key(app_name: str, external_key: str) -> dict:
    app = apps.app_by_external_key(get_db(), external_key)
    if app is None or app["name"] != app_name:
        raise PageNotFound()
    return app


def _idp_initiated(app: dict, relay_state: str | None, from_uri: str) -> Response:
    live = browser.live_session()
    if live is None:
        return browser.to_signin(from_uri.rstrip("?"))
    default = saml_idp.sign_on_settings(app).get("defaultRelayState")
    return _answer(app, live, None, relay_state or default)


def _answer(
    app: dict,
    live: tuple[dict, dict],
    info: saml_requests.AuthnRequestInfo | None,
    relay_state: str | None,
) -> Response:
    session, user = live
    issued = saml_idp.issue_response(
        get_db(),
        now(),
        app,
        user,
        base_url=org_url(),
        authenticated_at=datetime.fromisoformat(session["created"]),
        request=info,
        relay_state=relay_state,
        session_id=session["token_hash"],
    )
    return browser.saml_post_form(issued, app["label"])


def _reauthenticated(info: saml_requests.AuthnRequestInfo, live: tuple | None) -> bool:
    """ForceAuthn is met once the browser signed in again after Okta asked it to."""
    forced_at, seal = request.values.get(_FORCED_AT), request.values.get(_FORCED_SEAL)
    if live is None or not forced_at or not seal:
        return False
    if seal != signin.seal(get_db(), f"forceAuthn:{info.id}:{forced_at}"):
        return False
    return datetime.fromisoformat(live[0]["created"]) >= datetime.fromisoformat(forced_at)


def _force_authn(from_uri: str, info: saml_requests.AuthnRequestInfo) -> Response:
    """Okta honours ForceAuthn (honorForceAuthn) by asking for the credentials again."""
    db, forced_at = get_db(), now().isoformat()
    signin.sign_out(db, now(), request.cookies.get(web_sessions.SESSION_COOKIE))
    seal = signin.seal(db, f"forceAuthn:{info.id}:{forced_at}")
    response = browser.to_signin(
        f"{from_uri}&{urlencode({_FORCED_AT: forced_at, _FORCED_SEAL: seal})}"
    )
    browser.clear_session_cookie(response)
    return response
