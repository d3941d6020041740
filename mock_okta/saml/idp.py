"""Okta's SAML 2.0 IdP: who may have an assertion for an app, and the signed Response it gets.

reference/okta.md §6 and the app's settings.signOn (Okta Apps API, SAML 2.0 settings). The
shape follows Responses captured from real Okta orgs (e.g. the Okta samples in
russellhaering/goxmldsig's tests): `saml2p`/`saml2` prefixes, ids `id` + digits, the Issuer
with the entity format, NotBefore five minutes before IssueInstant and NotOnOrAfter five
minutes after it, the AuthnRequest's ID as SessionIndex, signatures right after the Issuer.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from saml2 import class_name, saml, samlp
from saml2 import xmldsig as ds
from saml2.sigver import pre_encrypt_assertion, pre_signature_part, signed_instance_factory
from sqlite_utils import Database

from mock_common.db import atomic
from mock_okta import system_log
from mock_okta.applications import apps, assignments, signing_keys
from mock_okta.applications.assignments import AppUser
from mock_okta.applications.sign_on import SAML_2_0
from mock_okta.directory import users
from mock_okta.directory.users import User
from mock_okta.errors import AppNotAssigned, PageNotFound
from mock_okta.saml import crypto as saml_security
from mock_okta.saml import metadata as saml_metadata
from mock_okta.saml.attributes import SamlAttribute, attribute_statements, name_id
from mock_okta.saml.requests import AuthnRequestInfo
from mock_okta.security import sessions as web_sessions
from mock_okta.timestamps import okta_datetime

#: Okta's assertions are valid from 5 minutes before to 5 minutes after their IssueInstant.
VALIDITY = timedelta(minutes=5)
#: The namespace prefixes Okta writes its messages with.
MESSAGE_PREFIXES = {
    "saml2p": samlp.NAMESPACE,
    "saml2": saml.NAMESPACE,
    "ds": ds.NAMESPACE,
    "xs": saml.XS_NAMESPACE,
    "xsi": saml.XSI_NAMESPACE,
}


@dataclass(frozen=True)
class IssuedResponse:
    """A Response ready for the auto-submitting form: where, what, and the RelayState."""

    acs_url: str
    saml_response: str
    relay_state: str | None
    xml: str


def sign_on_settings(app: dict) -> dict:
    """settings.signOn of a SAML app."""
    return apps.body_of(app)["settings"]["signOn"]


def require_sso_access(db: Database, now: datetime, app: dict, user: User) -> dict:
    """The user's app user when the app is an ACTIVE SAML app assigned to this ACTIVE user.

    Otherwise PageNotFound (no such usable app) or AppNotAssigned, the latter logged as Okta
    does: `app.generic.unauth_app_access_attempt` (Okta KB "App Sign-on Error 403").
    """
    if app["status"] != "ACTIVE" or app["sign_on_mode"] != SAML_2_0:
        # Guess: a deactivated app's SSO URL answers like an unknown page.
        raise PageNotFound()
    app_user = assignments.get_app_user(db, app["id"], user["id"])
    if app_user is None or user["status"] != "ACTIVE":
        system_log.record(
            db,
            now,
            "app.generic.unauth_app_access_attempt",
            "User attempted unauthorized access to app",
            actor=system_log.user_target(user),
            targets=[system_log.app_target(app)],
            outcome="FAILURE",
            severity="WARN",
        )
        raise AppNotAssigned(app["label"])
    return app_user


def issue_response(
    db: Database,
    now: datetime,
    app: dict,
    user: User,
    *,
    base_url: str,
    authenticated_at: datetime,
    request: AuthnRequestInfo | None,
    relay_state: str | None,
    session_id: str | None = None,
) -> IssuedResponse:
    """The signed Response answering `request` (None: IdP-initiated, unsolicited); logged.

    The sign-in is remembered with the browser session `session_id` (for Single Logout).
    """
    app_user = require_sso_access(db, now, app, user)
    sign_on = sign_on_settings(app)
    acs = _acs_url(sign_on, request)
    profile = users.profile_of(user)
    subject = name_id(sign_on["subjectNameIdTemplate"], profile, app_user["user_name"])
    # Guess: an unsolicited Response carries a fresh id as SessionIndex.
    session_index = request.id if request else new_message_id()
    assertion = _assertion(
        issuer=_entity_id(app, sign_on),
        subject=subject,
        sign_on=sign_on,
        now=now,
        recipient=_override(sign_on, "recipient") if acs == _configured_acs(sign_on) else acs,
        request_id=request.id if request else None,
        session_index=session_index,
        authenticated_at=authenticated_at,
        attributes=attribute_statements(db, sign_on["attributeStatements"], user, profile),
    )
    destination = _override(sign_on, "destination") if acs == _configured_acs(sign_on) else acs
    xml = _signed_xml(app, sign_on, base_url, assertion, destination, request, now)
    with atomic(db):
        if session_id:
            web_sessions.record_app_sign_in(
                db,
                now,
                session_id,
                app["id"],
                name_id=subject,
                name_id_format=sign_on["subjectNameIdFormat"],
                session_index=session_index,
            )
        _log_sso(db, now, app, user, app_user, "SP_INITIATED" if request else "IDP_INITIATED")
    encoded = saml_security.base64_text(xml)
    return IssuedResponse(acs_url=acs, saml_response=encoded, relay_state=relay_state, xml=xml)


def _entity_id(app: dict, sign_on: dict) -> str:
    return saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"])


def _override(sign_on: dict, field: str) -> str:
    """A URL setting, or its CASB `…Override` when one is set (Okta Apps API)."""
    return sign_on.get(f"{field}Override") or sign_on[field]


def _configured_acs(sign_on: dict) -> str:
    return _override(sign_on, "ssoAcsUrl")


def _acs_url(sign_on: dict, request: AuthnRequestInfo | None) -> str:
    """Where the Response goes: the configured SSO URL, or a requestable one the SP asked for.

    Okta only honours the AuthnRequest's AssertionConsumerServiceURL (or index) when the app
    allows other requestable SSO URLs (allowMultipleAcsEndpoints + acsEndpoints), or when the
    request's signature was validated: with Signed Requests "Okta dynamically reads any single
    sign-on (SSO) URLs from the request" (Okta help, AIW SAML field reference).
    """
    if request and request.signature_verified:
        # Guess: a signed request without an AssertionConsumerServiceURL gets the Single
        # sign-on URL, as an unsigned one does.
        return request.acs_url or _configured_acs(sign_on)
    # Guess: an ACS URL that is not one of the requestable URLs is ignored, not refused.
    if request and sign_on.get("allowMultipleAcsEndpoints"):
        for endpoint in sign_on.get("acsEndpoints") or []:
            if request.acs_url and endpoint.get("url") == request.acs_url:
                return request.acs_url
            if request.acs_index is not None and str(endpoint.get("index")) == request.acs_index:
                return endpoint["url"]
    return _configured_acs(sign_on)


def new_message_id() -> str:
    """Okta's message ids: `id` followed by 25 digits."""
    return "id" + "".join(secrets.choice("0123456789") for _ in range(25))


def _assertion(
    *,
    issuer: str,
    subject: str,
    sign_on: dict,
    now: datetime,
    recipient: str,
    request_id: str | None,
    session_index: str,
    authenticated_at: datetime,
    attributes: list[SamlAttribute],
) -> saml.Assertion:
    until = okta_datetime(now + VALIDITY)
    confirmation = saml.SubjectConfirmationData(
        in_response_to=request_id, not_on_or_after=until, recipient=recipient
    )
    return saml.Assertion(
        id=new_message_id(),
        version="2.0",
        issue_instant=okta_datetime(now),
        issuer=saml.Issuer(text=issuer, format=saml.NAMEID_FORMAT_ENTITY),
        subject=saml.Subject(
            name_id=saml.NameID(text=subject, format=sign_on["subjectNameIdFormat"]),
            subject_confirmation=[
                saml.SubjectConfirmation(
                    method=saml.SCM_BEARER, subject_confirmation_data=confirmation
                )
            ],
        ),
        conditions=saml.Conditions(
            not_before=okta_datetime(now - VALIDITY),
            not_on_or_after=until,
            audience_restriction=[
                saml.AudienceRestriction(
                    audience=[saml.Audience(text=_override(sign_on, "audience"))]
                )
            ],
        ),
        authn_statement=[
            saml.AuthnStatement(
                authn_instant=okta_datetime(authenticated_at),
                session_index=session_index,
                authn_context=saml.AuthnContext(
                    authn_context_class_ref=saml.AuthnContextClassRef(
                        text=sign_on["authnContextClassRef"]
                    )
                ),
            )
        ],
        attribute_statement=[_attribute_statement(attributes)] if attributes else [],
    )


def _attribute_statement(attributes: list[SamlAttribute]) -> saml.AttributeStatement:
    statement = saml.AttributeStatement()
    for attribute in attributes:
        values = []
        for text in attribute.values:
            value = saml.AttributeValue()
            value.set_text(text)  # xsi:type="xs:string", as Okta sends every value
            values.append(value)
        statement.attribute.append(
            saml.Attribute(
                name=attribute.name, name_format=attribute.name_format, attribute_value=values
            )
        )
    return statement


def _signed_xml(
    app: dict,
    sign_on: dict,
    base_url: str,
    assertion: saml.Assertion,
    destination: str,
    request: AuthnRequestInfo | None,
    now: datetime,
) -> str:
    """Sign the assertion and/or the response (and encrypt the assertion) as configured."""
    signing = apps.internal_of(app)["signing"]
    algorithms = {
        "sign_alg": saml_security.SIGNATURE_ALGORITHMS[sign_on["signatureAlgorithm"]],
        "digest_alg": saml_security.DIGEST_ALGORITHMS[sign_on["digestAlgorithm"]],
    }
    cert = signing_keys.certificate_base64(signing["certPem"])
    response = samlp.Response(
        id=new_message_id(),
        version="2.0",
        issue_instant=okta_datetime(now),
        destination=destination,
        in_response_to=request.id if request else None,
        issuer=saml.Issuer(text=assertion.issuer.text, format=saml.NAMEID_FORMAT_ENTITY),
        status=samlp.Status(status_code=samlp.StatusCode(value=samlp.STATUS_SUCCESS)),
        assertion=assertion,
    )
    if sign_on["assertionSigned"]:
        assertion.signature = pre_signature_part(assertion.id, cert, **algorithms)
    if sign_on["responseSigned"]:
        response.signature = pre_signature_part(response.id, cert, **algorithms)
    encryption = saml_security.assertion_encryption(sign_on)
    sso = saml_metadata.sso_url(base_url, app["name"], app["external_key"])
    entity = assertion.issuer.text
    with saml_security.idp_server(entity_id=entity, signing=signing, sso_url=sso) as server:
        if encryption:
            pre_encrypt_assertion(response)
        xml = saml_security.serialize(response, MESSAGE_PREFIXES)
        if sign_on["assertionSigned"]:
            xml = signed_instance_factory(xml, server.sec, [(class_name(assertion), assertion.id)])
        if encryption:
            xml = saml_security.encrypt_assertion(server, xml, **encryption)
        if sign_on["responseSigned"]:
            xml = signed_instance_factory(xml, server.sec, [(class_name(response), response.id)])
    return xml


def _log_sso(
    db: Database, now: datetime, app: dict, user: User, app_user: AppUser, initiation: str
) -> None:
    """`user.authentication.sso` ("User single sign on to app"), app and app user as targets."""
    actor = system_log.user_target(user)
    app_user_target = {
        "id": app_user["user_id"],
        "type": "AppUser",
        "alternateId": app_user["user_name"],
        "displayName": actor["displayName"],
        "detailEntry": None,
    }
    system_log.record(
        db,
        now,
        "user.authentication.sso",
        "User single sign on to app",
        actor=actor,
        targets=[system_log.app_target(app), app_user_target],
        debug_data={"initiationType": initiation},
    )
