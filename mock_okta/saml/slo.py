"""SP-initiated SAML Single Logout (Okta Single Logout guide, SAML 2.0 app integrations).

The app's `settings.signOn.slo` = {"enabled", "issuer" (the SP Issuer), "logoutUrl" (where Okta
sends the LogoutResponse)}; `spCertificate.x5c` holds the certificate the SP signs its
LogoutRequest with (Okta: "Your app must sign the SLO request with the certificate"). Okta ends
the user's session and answers a signed LogoutResponse. The System Log records
`user.authentication.slo` ("User single sign out from app"); a bad request is logged as a
failure with reason "Malformed Request" (Okta KB "SLO Fails with Malformed Request").

Whether the user signs out here or on Okta's own sign-out, the other apps of the session that
take part in SLO (`participateSlo`) are sent LogoutRequests through the browser first
(`outbound_logout.py`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from sqlite_utils import Database

from mock_common.db import atomic
from mock_okta import system_log
from mock_okta.applications import apps
from mock_okta.errors import BadSamlRequest, PageNotFound, SloNotConfigured
from mock_okta.saml import crypto as saml_security
from mock_okta.saml import idp as saml_idp
from mock_okta.saml import metadata as saml_metadata
from mock_okta.saml import outbound_logout, signed_requests
from mock_okta.saml.outbound_logout import OutboundLogout
from mock_okta.saml.requests import decode_message
from mock_okta.security import sessions as web_sessions
from mock_okta.security import signin


@dataclass(frozen=True)
class LogoutMessage:
    """A LogoutRequest as it arrived: the encoded message and its binding parameters."""

    saml_request: str | None
    relay_state: str | None
    sig_alg: str | None
    signature: str | None
    redirect: bool
    #: The query string as it came, whose octets an HTTP-Redirect signature covers.
    raw_query: bytes = b""

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], *, redirect: bool, raw_query: bytes = b""
    ) -> "LogoutMessage":
        """From the query string (HTTP-Redirect) or the form (HTTP-POST)."""
        return cls(
            params.get("SAMLRequest"),
            params.get("RelayState"),
            params.get("SigAlg"),
            params.get("Signature"),
            redirect,
            raw_query,
        )


@dataclass(frozen=True)
class LogoutResult:
    """Where the LogoutResponse goes: a redirect URL, or a form to POST to `destination`;
    and the LogoutRequests the browser carries to the session's other apps before that."""

    destination: str
    redirect_url: str | None
    fields: dict
    logout_requests: tuple[OutboundLogout, ...] = ()


def sign_out(
    db: Database, now: datetime, cookie: str | None, *, base_url: str
) -> list[OutboundLogout]:
    """Okta's own sign-out: end the session; the LogoutRequests for its SLO apps.

    Okta's "SLO participation" option: "Users are signed out of the app when any other app, or
    Okta, initiates single logout" (Okta guide "Configure Single Logout", SAML 2.0).
    """
    requests = _outbound_requests(db, now, cookie, base_url=base_url, initiator_id=None)
    _end_session(db, now, cookie, requests)  # the one write, in its own transaction
    return requests


def _outbound_requests(
    db: Database, now: datetime, cookie: str | None, *, base_url: str, initiator_id: str | None
) -> list[OutboundLogout]:
    """The signed LogoutRequests for the session's other SLO apps (made before any write)."""
    live = signin.current_session(db, now, cookie)
    sign_ins = web_sessions.app_sign_ins(db, live[0]["token_hash"]) if live else []
    return outbound_logout.logout_requests(
        db, now, sign_ins, base_url=base_url, initiator_id=initiator_id
    )


def _end_session(
    db: Database, now: datetime, cookie: str | None, requests: list[OutboundLogout]
) -> None:
    """Sign the browser out; `user.session.end` counts the outbound LogoutRequests."""
    # Guess: the counts are in DebugData only when Okta sent outbound requests.
    debug = (
        {"TotalSamlLogoutRequests": len(requests), "TotalOidcLogoutRequests": 0}
        if requests
        else None
    )
    signin.sign_out(db, now, cookie, debug_data=debug)


def single_logout(
    db: Database,
    now: datetime,
    app: dict,
    *,
    base_url: str,
    cookie: str | None,
    message: LogoutMessage,
) -> LogoutResult:
    """Check the signed LogoutRequest, end the browser's session, build the LogoutResponse.

    A refused request is logged before it is raised, so the caller must not roll it back.
    """
    sign_on = saml_idp.sign_on_settings(app)
    slo = sign_on.get("slo") or {}
    if app["status"] != "ACTIVE":
        raise PageNotFound()
    if not slo.get("enabled") or not slo.get("logoutUrl"):
        raise SloNotConfigured()
    binding = BINDING_HTTP_REDIRECT if message.redirect else BINDING_HTTP_POST
    live = signin.current_session(db, now, cookie)
    actor = system_log.user_target(live[1]) if live else None
    try:
        if not message.saml_request:
            raise BadSamlRequest()
        decode_message(message.saml_request, deflated=message.redirect)  # size and shape
        result = _respond(app, sign_on, slo, base_url, binding, message)
    except Exception as error:  # pysaml2 raises many unrelated types for a bad or unsigned request
        _log(db, now, app, actor, outcome="FAILURE", reason="Malformed Request")
        raise BadSamlRequest() from error
    requests = _outbound_requests(db, now, cookie, base_url=base_url, initiator_id=app["id"])
    with atomic(db):
        _end_session(db, now, cookie, requests)
        _log(db, now, app, actor, outcome="SUCCESS", reason=None)
    return replace(result, logout_requests=tuple(requests))


def _respond(
    app: dict, sign_on: dict, slo: dict, base_url: str, binding: str, message: LogoutMessage
) -> LogoutResult:
    signing = apps.internal_of(app)["signing"]
    sign_alg = saml_security.SIGNATURE_ALGORITHMS[sign_on["signatureAlgorithm"]]
    digest_alg = saml_security.DIGEST_ALGORITHMS[sign_on["digestAlgorithm"]]
    issuer = slo.get("issuer") or sign_on.get("audience")
    certificates = saml_security.sp_certificates(sign_on)
    redirect = binding == BINDING_HTTP_REDIRECT
    # HTTP-Redirect: the signature covers the query string as the SP encoded it (SAML Bindings
    # §3.4.4.1), which pysaml2's own check re-encodes; so it is checked here, on those octets.
    if redirect and not saml_security.verify_query_signature(
        signed_requests.signed_query_octets(message.raw_query),
        message.sig_alg or "",
        message.signature or "",
        certificates,
    ):
        raise BadSamlRequest()
    with saml_security.idp_server(
        entity_id=saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"]),
        signing=signing,
        sso_url=saml_metadata.sso_url(base_url, app["name"], app["external_key"]),
        slo_url=saml_metadata.slo_url(base_url, app["name"], app["external_key"]),
        sp_metadata=saml_security.sp_metadata(
            issuer, certificates, acs_url=sign_on["ssoAcsUrl"], slo_url=slo["logoutUrl"]
        ),
        want_signed_requests=not redirect,
    ) as server:
        request = server.parse_logout_request(message.saml_request, binding, message.relay_state)
        if request is None or _issuer_of(request.message) != issuer:
            raise BadSamlRequest()
        response = server.create_logout_response(
            request.message, [binding], sign=not redirect, sign_alg=sign_alg, digest_alg=digest_alg
        )
        destination = slo["logoutUrl"]
        if redirect:
            http = server.apply_binding(
                binding,
                str(response),
                destination,
                message.relay_state or "",
                response=True,
                sign=True,
                sigalg=sign_alg,
            )
            location = dict(http["headers"])["Location"]
            return LogoutResult(destination, location, {})
    fields = {"SAMLResponse": saml_security.base64_text(str(response))}
    if message.relay_state:
        fields["RelayState"] = message.relay_state
    return LogoutResult(destination, None, fields)


def _issuer_of(message: samlp.LogoutRequest) -> str | None:
    return (
        message.issuer.text.strip() if message.issuer is not None and message.issuer.text else None
    )


def _log(
    db: Database,
    now: datetime,
    app: dict,
    actor: dict | None,
    *,
    outcome: str,
    reason: str | None,
) -> None:
    system_log.record(
        db,
        now,
        "user.authentication.slo",
        "User single sign out from app",
        actor=actor,
        targets=[system_log.app_target(app)],
        outcome=outcome,
        reason=reason,
        severity="INFO" if outcome == "SUCCESS" else "WARN",
    )
