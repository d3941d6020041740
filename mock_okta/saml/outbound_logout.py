"""Okta's outbound (IdP-initiated) Single Logout: LogoutRequests to the other apps of a session.

Okta developer guide "Configure Single Logout" (SAML 2.0): once a user signs out, "Okta sends
outbound logout requests to any other apps participating in SLO that didn't initiate the
logout. This applies only to the downstream apps where the user has previously established a
session. Requests are communicated from Okta to apps using front-channel logout, which means
that the browser does the communicating" - "in an embedded IFrame that's invisible to the
user". An app takes part through `settings.signOn.participateSlo`: `enabled`,
`logoutRequestUrl` (where the request goes), `bindingType` (`POST` or `REDIRECT`) and
`sessionIndexRequired` ("include the sessionIndex ... This ends a specific user's session
rather than all active user sessions"). The app answers with a LogoutResponse at
`/app/{app}/{key}/slo/saml/callback`, and `user.session.end` counts the requests in its
DebugData (`TotalSamlLogoutRequests`).
"""

from dataclasses import dataclass
from datetime import datetime

from saml2 import BINDING_HTTP_REDIRECT, class_name, saml, samlp
from saml2.sigver import pre_signature_part, signed_instance_factory
from sqlite_utils import Database

from mock_okta.applications import apps, signing_keys
from mock_okta.applications.sign_on import SAML_2_0
from mock_okta.errors import BadSamlRequest
from mock_okta.saml import crypto as saml_security
from mock_okta.saml import idp as saml_idp
from mock_okta.saml import metadata as saml_metadata
from mock_okta.saml.crypto import base64_text
from mock_okta.saml.requests import decode_message
from mock_okta.timestamps import okta_datetime


@dataclass(frozen=True)
class OutboundLogout:
    """One LogoutRequest for the browser to carry in a hidden iframe.

    HTTP-Redirect: the iframe loads `redirect_url` (signed query). HTTP-POST: the iframe is the
    target of a form that posts `fields` (an enveloped-signed SAMLRequest) to `destination`.
    """

    app_id: str
    destination: str
    redirect_url: str | None
    fields: dict[str, str]


def logout_requests(
    db: Database,
    now: datetime,
    sign_ins: list[dict],
    *,
    base_url: str,
    initiator_id: str | None,
) -> list[OutboundLogout]:
    """A LogoutRequest for each app of the session (but the initiator) that takes part in SLO."""
    by_app: dict[str, list[dict]] = {}
    for sign_in in sign_ins:
        by_app.setdefault(sign_in["app_id"], []).append(sign_in)
    requests = []
    for app_id, app_sign_ins in by_app.items():
        app = apps.get_app(db, app_id) if app_id != initiator_id else None
        # Guess: a deactivated (or since deleted) app is sent nothing.
        if app is None or app["status"] != "ACTIVE" or app["sign_on_mode"] != SAML_2_0:
            continue
        sign_on = apps.body_of(app)["settings"]["signOn"]
        setting = sign_on.get("participateSlo") or {}
        if setting.get("enabled") and setting.get("logoutRequestUrl"):
            requests.append(_logout_request(app, sign_on, setting, app_sign_ins, base_url, now))
    return requests


def _logout_request(
    app: dict,
    sign_on: dict,
    setting: dict,
    sign_ins: list[dict],
    base_url: str,
    now: datetime,
) -> OutboundLogout:
    """The signed LogoutRequest: Okta's Issuer, the NameID the app was sent, its SessionIndexes.

    Guess: written like Okta's Responses (`saml2p:` prefixes, `id` + digits, the simulator's
    clock); one request per app, naming the latest sign-in's NameID and, when asked for, the
    SessionIndex of every sign-in of the session to the app (a LogoutRequest may hold several).
    """
    destination = setting["logoutRequestUrl"]
    redirect = setting.get("bindingType") == "REDIRECT"
    latest = sign_ins[-1]
    entity_id = saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"])
    indexes = sign_ins if setting.get("sessionIndexRequired") else []
    request = samlp.LogoutRequest(
        id=saml_idp.new_message_id(),
        version="2.0",
        issue_instant=okta_datetime(now),
        destination=destination,
        issuer=saml.Issuer(text=entity_id, format=saml.NAMEID_FORMAT_ENTITY),
        name_id=saml.NameID(text=latest["name_id"], format=latest["name_id_format"]),
        session_index=[samlp.SessionIndex(text=s["session_index"]) for s in indexes],
    )
    signing = apps.internal_of(app)["signing"]
    sign_alg = saml_security.SIGNATURE_ALGORITHMS[sign_on["signatureAlgorithm"]]
    digest_alg = saml_security.DIGEST_ALGORITHMS[sign_on["digestAlgorithm"]]
    if not redirect:
        certificate = signing_keys.certificate_base64(signing["certPem"])
        request.signature = pre_signature_part(
            request.id, certificate, sign_alg=sign_alg, digest_alg=digest_alg
        )
    with saml_security.idp_server(
        entity_id=entity_id,
        signing=signing,
        sso_url=saml_metadata.sso_url(base_url, app["name"], app["external_key"]),
    ) as server:
        xml = saml_security.serialize(request, saml_idp.MESSAGE_PREFIXES)
        if redirect:
            http = server.apply_binding(
                BINDING_HTTP_REDIRECT, xml, destination, sign=True, sigalg=sign_alg
            )
            return OutboundLogout(app["id"], destination, dict(http["headers"])["Location"], {})
        xml = signed_instance_factory(xml, server.sec, [(class_name(request), request.id)])
    return OutboundLogout(app["id"], destination, None, {"SAMLRequest": base64_text(xml)})


def receive_logout_response(app: dict, saml_response: str | None, *, redirect: bool) -> None:
    """A LogoutResponse the app sends back to the SLO callback URL; BadSamlRequest if it is none.

    Guess: Okta only acknowledges it (the Okta session is over by then); its signature and
    status are not checked, and nothing is logged.
    """
    if app["status"] != "ACTIVE" or not saml_response:
        raise BadSamlRequest()
    xml = decode_message(saml_response, deflated=redirect)
    try:
        response = samlp.logout_response_from_string(xml)
    except (SyntaxError, ValueError) as error:
        raise BadSamlRequest() from error
    if response is None:
        raise BadSamlRequest()
