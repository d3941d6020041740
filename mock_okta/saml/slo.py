"""SP-initiated SAML Single Logout (Okta Single Logout guide, SAML 2.0 app integrations).

The app's `settings.signOn.slo` = {"enabled", "issuer" (the SP Issuer), "logoutUrl" (where Okta
sends the LogoutResponse)}; `spCertificate.x5c` holds the certificate the SP signs its
LogoutRequest with (Okta: "Your app must sign the SLO request with the certificate"). Okta ends
the user's session and answers a signed LogoutResponse. The System Log records
`user.authentication.slo` ("User single sign out from app"); a bad request is logged as a
failure with reason "Malformed Request" (Okta KB "SLO Fails with Malformed Request").
"""

from dataclasses import dataclass
from datetime import datetime

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, samlp
from saml2 import xmldsig as ds
from sqlite_utils import Database

from mock_common.db import atomic
from mock_okta import system_log
from mock_okta.applications import apps
from mock_okta.errors import BadSamlRequest, PageNotFound, SloNotConfigured
from mock_okta.saml import crypto as saml_security
from mock_okta.saml import idp as saml_idp
from mock_okta.saml import metadata as saml_metadata
from mock_okta.saml.requests import decode_message
from mock_okta.security import signin


@dataclass(frozen=True)
class LogoutMessage:
    """A LogoutRequest as it arrived: the encoded message and its binding parameters."""

    saml_request: str | None
    relay_state: str | None
    sig_alg: str | None
    signature: str | None
    redirect: bool

    @classmethod
    def from_params(cls, params: dict, *, redirect: bool) -> "LogoutMessage":
        """From the query string (HTTP-Redirect) or the form (HTTP-POST)."""
        return cls(
            params.get("SAMLRequest"),
            params.get("RelayState"),
            params.get("SigAlg"),
            params.get("Signature"),
            redirect,
        )


@dataclass(frozen=True)
class LogoutResult:
    """Where the LogoutResponse goes: a redirect URL, or a form to POST to `destination`."""

    destination: str
    redirect_url: str | None
    fields: dict


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
    with atomic(db):
        signin.sign_out(db, now, cookie)
        _log(db, now, app, actor, outcome="SUCCESS", reason=None)
    return result


def _respond(
    app: dict, sign_on: dict, slo: dict, base_url: str, binding: str, message: LogoutMessage
) -> LogoutResult:
    signing = apps.internal_of(app)["signing"]
    sign_alg = saml_security.SIGNATURE_ALGORITHMS[sign_on["signatureAlgorithm"]]
    digest_alg = saml_security.DIGEST_ALGORITHMS[sign_on["digestAlgorithm"]]
    with saml_security.idp_server(
        entity_id=saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"]),
        signing=signing,
        sso_url=saml_metadata.sso_url(base_url, app["name"], app["external_key"]),
        slo_url=saml_metadata.slo_url(base_url, app["name"], app["external_key"]),
        sp_metadata=_sp_metadata(sign_on, slo),
        want_signed_requests=True,
    ) as server:
        request = server.parse_logout_request(
            message.saml_request, binding, message.relay_state, message.sig_alg, message.signature
        )
        if request is None:
            raise BadSamlRequest()
        redirect = binding == BINDING_HTTP_REDIRECT
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


def _sp_metadata(sign_on: dict, slo: dict) -> str:
    """The SP as pysaml2 needs to know it: its Issuer, signing certificate and SLO endpoint."""
    x5c = (sign_on.get("spCertificate") or {}).get("x5c") or []
    keys = [
        md.KeyDescriptor(
            use="signing",
            key_info=ds.KeyInfo(
                x509_data=[ds.X509Data(x509_certificate=ds.X509Certificate(text=cert.strip()))]
            ),
        )
        for cert in x5c
    ]
    descriptor = md.SPSSODescriptor(
        protocol_support_enumeration=samlp.NAMESPACE,
        key_descriptor=keys,
        single_logout_service=[
            md.SingleLogoutService(binding=binding, location=slo["logoutUrl"])
            for binding in (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT)
        ],
        assertion_consumer_service=[
            md.AssertionConsumerService(
                binding=BINDING_HTTP_POST, location=sign_on["ssoAcsUrl"], index="0"
            )
        ],
    )
    issuer = slo.get("issuer") or sign_on.get("audience")
    return md.EntityDescriptor(entity_id=issuer, spsso_descriptor=[descriptor]).to_string().decode()


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
