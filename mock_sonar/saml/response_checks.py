"""The checks Spring Security and OpenSAML run on a SAML response for SonarQube, with their
messages (the first failure is what SonarQube logs and the "Test configuration" page shows).

Sources: spring-security `BaseOpenSamlAuthenticationProvider` (createDefaultResponseValidator,
createDefaultAssertionValidator), OpenSAML 4 `SAML20AssertionValidator`,
`AudienceRestrictionConditionValidator`, `BearerSubjectConfirmationValidator`; SonarQube's
`SamlConfiguration` (InResponseTo is not checked) and `SonarqubeSaml2ResponseValidator`.
"""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from mock_sonar.errors import MalformedXml
from mock_sonar.saml.xml import NS, SAML, SAMLP, XSI, tag, text_of


class ErrorCode(StrEnum):
    """Saml2ErrorCodes: the kind of a refused response (SamlResponseError.code)."""

    MALFORMED = "malformed_response_data"
    INVALID_RESPONSE = "invalid_response"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_DESTINATION = "invalid_destination"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_ASSERTION = "invalid_assertion"
    SUBJECT_NOT_FOUND = "subject_not_found"
    DECRYPTION_ERROR = "decryption_error"
    # SonarQube's own, from SamlMessageIdChecker.
    RESPONSE_ID_ALREADY_USED = "response_id_already_used"


SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
#: Top-level status codes whose second-level code Spring reports too.
_WITH_CHILD = {
    "urn:oasis:names:tc:SAML:2.0:status:Requester",
    "urn:oasis:names:tc:SAML:2.0:status:Responder",
    "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
}
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#: OpenSAML's default clock skew (SonarQube sets none).
CLOCK_SKEW = timedelta(minutes=5)
UNSIGNED = (
    ErrorCode.INVALID_SIGNATURE,
    "Either the response or one of the assertions is unsigned. "
    "Please either sign the response or all of the assertions.",
)
_ALWAYS_VALID_CONDITIONS = {tag(SAML, "OneTimeUse"), tag(SAML, "ProxyRestriction")}


def response_element(root: ET.Element) -> ET.Element:
    """The samlp:Response root, with the ID every signature and replay check relies on."""
    if root.tag != tag(SAMLP, "Response"):
        # Guess: Spring fails to cast the unmarshalled object; the wording is ours.
        raise MalformedXml(f"Invalid response class: {root.tag}")
    if not root.get("ID"):
        # Guess: OpenSAML would accept it and fail later; a response without an ID cannot be
        # protected against replay, so it is refused here.
        raise MalformedXml("The SAML response has no ID")
    return root


def assertions_of(response: ET.Element) -> list[ET.Element]:
    """Plain assertions, then decrypted ones (OpenSAML appends those)."""
    plain = response.findall("saml:Assertion", NS)
    return plain + response.findall("saml:EncryptedAssertion/saml:Assertion", NS)


def not_decrypted(response_id: str) -> tuple[str, str]:
    """Encrypted assertions in an unsigned response are left encrypted."""
    return (
        ErrorCode.INVALID_SIGNATURE,
        f"Did not decrypt response [{response_id}] since it is not signed",
    )


def missing_subject(assertion: ET.Element) -> tuple[str, str]:
    """The first assertion must name its subject."""
    return (
        ErrorCode.SUBJECT_NOT_FOUND,
        f"Assertion [{assertion.get('ID', '')}] is missing a subject",
    )


def response_errors(
    response: ET.Element, acs: str, idp_entity_id: str, assertions: list[ET.Element]
) -> list[tuple[str, str]]:
    """createDefaultResponseValidator: status, destination, issuer, at least one assertion."""
    rid = response.get("ID", "")
    errors = []
    codes = _status_codes(response)
    if codes != [SUCCESS]:
        errors += [
            (ErrorCode.INVALID_RESPONSE, f"Invalid status [{code}] for SAML response [{rid}]")
            for code in codes
        ]
    destination = response.get("Destination")
    if destination and destination.strip() and destination != acs:
        message = f"Invalid destination [{destination}] for SAML response [{rid}]"
        errors.append((ErrorCode.INVALID_DESTINATION, message))
    issuer = text_of(response.find("saml:Issuer", NS))
    if not issuer or issuer != idp_entity_id:
        errors.append(
            (ErrorCode.INVALID_ISSUER, f"Invalid issuer [{issuer}] for SAML response [{rid}]")
        )
    if not assertions:
        errors.append((ErrorCode.MALFORMED, "No assertions found in response."))
    return errors


def _status_codes(response: ET.Element) -> list[str]:
    code = response.find("samlp:Status/samlp:StatusCode", NS)
    if code is None or not code.get("Value"):
        return [SUCCESS]
    value = code.get("Value", "")
    child = code.find("samlp:StatusCode", NS)
    if value in _WITH_CHILD and child is not None and child.get("Value"):
        return [value, child.get("Value", "")]
    return [value]


def assertion_errors(
    assertion: ET.Element,
    response: ET.Element,
    *,
    audience: str,
    recipient: str,
    issuer: str,
    now: datetime,
) -> list[tuple[str, str]]:
    """createDefaultAssertionValidator (SAML20AssertionValidator), as one message."""
    failure = _assertion_failure(assertion, response, audience, recipient, issuer, now)
    if failure is None:
        return []
    aid, rid = assertion.get("ID", ""), response.get("ID", "")
    return [
        (
            ErrorCode.INVALID_ASSERTION,
            f"Invalid assertion [{aid}] for SAML response [{rid}]: {failure}",
        )
    ]


def _assertion_failure(
    assertion: ET.Element,
    response: ET.Element,
    audience: str,
    recipient: str,
    issuer: str,
    now: datetime,
) -> str | None:
    aid = assertion.get("ID", "")
    if assertion.get("Version") != "2.0":
        # Guess: OpenSAML's wording for a non-2.0 assertion.
        return f"The assertion '{aid}' is not a SAML 2.0 version Assertion"
    if text_of(assertion.find("saml:Issuer", NS)) != issuer:
        return f"Issuer of Assertion '{aid}' did not match any valid issuers"
    failure = _conditions_failure(assertion, audience, now)
    if failure is None:
        failure = _subject_failure(assertion, recipient, response.get("InResponseTo"), now)
    return failure


def _conditions_failure(assertion: ET.Element, audience: str, now: datetime) -> str | None:
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is None:
        return None
    aid = assertion.get("ID", "")
    not_before = instant(conditions.get("NotBefore"))
    if not_before is not None and not_before > now + CLOCK_SKEW:
        return (
            f"Assertion '{aid}' with NotBefore condition of '{java_instant(not_before)}' "
            "is not yet valid"
        )
    not_on_or_after = instant(conditions.get("NotOnOrAfter"))
    if not_on_or_after is not None and not_on_or_after < now - CLOCK_SKEW:
        return (
            f"Assertion '{aid}' with NotOnOrAfter condition of "
            f"'{java_instant(not_on_or_after)}' is no longer valid"
        )
    for condition in conditions:
        schema_type = condition.get(tag(XSI, "type")) or "null"
        if condition.tag == tag(SAML, "AudienceRestriction"):
            audiences = [text_of(a) for a in condition.findall("saml:Audience", NS)]
            if audience not in audiences:
                return (
                    f"Condition '{condition.tag}' of type '{schema_type}' in assertion '{aid}' "
                    f"was not valid.: None of the audiences within Assertion '{aid}' matched "
                    "the list of valid audiances"
                )
        elif condition.tag not in _ALWAYS_VALID_CONDITIONS:
            return (
                f"Unknown Condition '{condition.tag}' of type '{schema_type}' in assertion '{aid}'"
            )
    return None


def _subject_failure(
    assertion: ET.Element, recipient: str, in_response_to: str | None, now: datetime
) -> str | None:
    """One bearer confirmation must hold; none at all is fine (OpenSAML skips the check)."""
    confirmations = assertion.findall("saml:Subject/saml:SubjectConfirmation", NS)
    if not confirmations:
        return None
    for confirmation in confirmations:
        if confirmation.get("Method") == BEARER and _bearer_holds(
            confirmation, recipient, in_response_to, now
        ):
            return None
    return (
        "No subject confirmation methods were met for assertion with ID "
        f"'{assertion.get('ID', '')}'"
    )


def _bearer_holds(
    confirmation: ET.Element, recipient: str, in_response_to: str | None, now: datetime
) -> bool:
    """BearerSubjectConfirmationValidator: NotOnOrAfter and Recipient required; the address is
    not checked (Spring); InResponseTo must echo the response's (SonarQube's parameter)."""
    data = confirmation.find("saml:SubjectConfirmationData", NS)
    if data is None:
        return False
    not_before = instant(data.get("NotBefore"))
    if not_before is not None and not_before > now + CLOCK_SKEW:
        return False
    not_on_or_after = instant(data.get("NotOnOrAfter"))
    if not_on_or_after is None or not_on_or_after < now - CLOCK_SKEW:
        return False
    if data.get("Recipient") != recipient:
        return False
    echoed = data.get("InResponseTo")
    return not echoed or echoed == in_response_to


def attributes_of(assertion: ET.Element) -> dict[str, list[str]]:
    """getAssertionAttributes: every attribute's values by Name, same names merged."""
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        values = attributes.setdefault(attribute.get("Name", ""), [])
        for value in attribute.findall("saml:AttributeValue", NS):
            # Empty or xsi:nil values have no text and are skipped, as Spring skips nulls.
            if value.text is not None:
                values.append(value.text)
    return attributes


def instant(value: str | None) -> datetime | None:
    """An xs:dateTime as an aware UTC datetime; unparsable dates make the message malformed."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise MalformedXml(f"Invalid dateTime value '{value}'") from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def java_instant(moment: datetime) -> str:
    """Instant.toString: ISO-8601 in UTC, fractions only when non-zero, `Z` suffix."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond % 1000 == 0 and moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    elif moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"
