"""SAML 2.0 IdP metadata of an app (reference/okta.md §6), and the URLs it names.

The metadata document (an IdP EntityDescriptor) is built with pysaml2's metadata elements,
around the app's signing certificate (`applications.signing_keys`).
"""

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md, metadata
from saml2 import xmldsig as ds
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED

from mock_okta.applications.sign_on import ISSUER_TEMPLATE
from mock_okta.applications.signing_keys import certificate_base64


def entity_id(issuer_template: str | None, external_key: str) -> str:
    """The IdP entityID / Issuer: the app's idpIssuer with the external key filled in."""
    return (issuer_template or ISSUER_TEMPLATE).replace("${org.externalKey}", external_key)


def sso_url(base_url: str, app_name: str, external_key: str) -> str:
    """The IdP's SSO endpoint (HTTP-POST and HTTP-Redirect): /app/{name}/{externalKey}/sso/saml."""
    return f"{base_url}/app/{app_name}/{external_key}/sso/saml"


def slo_url(base_url: str, app_name: str, external_key: str) -> str:
    """The IdP's Single Logout URL: /app/{name}/{externalKey}/slo/saml (Okta SLO guide)."""
    return f"{base_url}/app/{app_name}/{external_key}/slo/saml"


def metadata_url(base_url: str, external_key: str) -> str:
    """The public metadata URL: /app/{externalKey}/sso/saml/metadata."""
    return f"{base_url}/app/{external_key}/sso/saml/metadata"


def idp_metadata(
    *, entity: str, sso_location: str, cert_pem: str, slo_location: str | None = None
) -> str:
    """The IdP EntityDescriptor Okta publishes for an app (Okta's ApplicationSSO example).

    With SP-initiated SLO enabled, the SingleLogoutService endpoints are listed too.
    """
    endpoints: dict = {
        "single_sign_on_service": [
            (sso_location, BINDING_HTTP_POST),
            (sso_location, BINDING_HTTP_REDIRECT),
        ]
    }
    if slo_location:
        endpoints["single_logout_service"] = [
            (slo_location, BINDING_HTTP_POST),
            (slo_location, BINDING_HTTP_REDIRECT),
        ]
    config = IdPConfig()
    config.load(
        {
            "entityid": entity,
            "metadata_key_usage": "signing",
            "service": {
                "idp": {
                    "endpoints": endpoints,
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
                    "want_authn_requests_signed": False,
                }
            },
        }
    )
    descriptor = metadata.do_idpsso_descriptor(config, cert=certificate_base64(cert_pem))
    document = md.EntityDescriptor(entity_id=entity, idpsso_descriptor=descriptor)
    body = document.to_string(nspair={"md": md.NAMESPACE, "ds": ds.NAMESPACE}).decode()
    return '<?xml version="1.0" encoding="UTF-8"?>' + body
