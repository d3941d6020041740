"""The JSON types of a SAML 2.0 app's `settings.signOn` values (Okta's Saml2.0ResponseEx).

`sign_on` checks what each value means (URLs, choices, statements, encryption); these checks
come first and make sure each value has the shape the IdP, the metadata and the pages read:
strings free of control characters (they end up in SAML XML, which cannot hold them), the
`slo`, `spCertificate` and `acsEndpoints` objects, Booleans and numbers.
"""

from mock_okta import fields

#: signOn values that are text (or null).
TEXT = (
    "defaultRelayState",
    "idpIssuer",
    "audience",
    "subjectNameIdTemplate",
    "spIssuer",
    "ssoAcsUrl",
    "recipient",
    "destination",
    "audienceOverride",
    "destinationOverride",
    "recipientOverride",
    "ssoAcsUrlOverride",
)


def shape_causes(sign_on: dict) -> list[str]:
    """The causes the settings' values are refused for, by their JSON type."""
    causes = [_text_cause(field, sign_on.get(field)) for field in TEXT]
    causes += [
        _slo_cause(sign_on.get("slo")),
        _certificate_cause(sign_on.get("spCertificate")),
        _endpoints_cause(sign_on.get("acsEndpoints")),
        _lifetime_cause(sign_on.get("samlAssertionLifetimeSeconds")),
    ]
    if not isinstance(sign_on.get("allowMultipleAcsEndpoints", False), bool):
        causes.append(fields.cause("allowMultipleAcsEndpoints", fields.TYPE))
    for field in ("configuredAttributeStatements", "inlineHooks"):
        if not isinstance(sign_on.get(field, []), list | None):
            causes.append(fields.cause(field, fields.TYPE))
    return [cause for cause in causes if cause]


def _text_cause(field: str, value: object) -> str | None:
    return None if value is None else fields.text_cause(field, value)


def _slo_cause(slo: object) -> str | None:
    """{"enabled": bool, "issuer": text, "logoutUrl": text}."""
    if slo is None:
        return None
    if not isinstance(slo, dict) or not isinstance(slo.get("enabled", False), bool):
        return fields.cause("slo", fields.TYPE)
    for key in ("issuer", "logoutUrl"):
        problem = _text_cause(f"slo.{key}", slo.get(key))
        if problem:
            return problem
    return None


def _certificate_cause(certificate: object) -> str | None:
    """{"x5c": [base64 DER, ...]}."""
    if certificate is None:
        return None
    x5c = certificate.get("x5c", []) if isinstance(certificate, dict) else None
    if fields.strings_cause("spCertificate.x5c", x5c):
        return fields.cause("spCertificate", fields.TYPE)
    return None


def _endpoints_cause(endpoints: object) -> str | None:
    """[{"url": text, "index": number}, ...]."""
    if endpoints is None:
        return None
    if not isinstance(endpoints, list):
        return fields.cause("acsEndpoints", fields.TYPE)
    for endpoint in endpoints:
        index = endpoint.get("index") if isinstance(endpoint, dict) else None
        if (
            not isinstance(endpoint, dict)
            or fields.text_cause("acsEndpoints.url", endpoint.get("url"))
            or not isinstance(index, int | None)
            or isinstance(index, bool)
        ):
            return fields.cause("acsEndpoints", fields.TYPE)
    return None


def _lifetime_cause(seconds: object) -> str | None:
    if seconds is None:
        return None
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return fields.cause("samlAssertionLifetimeSeconds", fields.TYPE)
    return None
