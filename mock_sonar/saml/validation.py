"""The SAML "Test configuration" report (reference §5.6).

Sources: SonarSource/sonarqube `SamlAuthenticator.getAuthenticationStatusPage`,
`SamlStatusChecker`, `SamlAuthenticationStatus`, `SamlAuthStatusPageGenerator`,
`SamlValidationRedirectionFilter` (2025).
"""

import base64
import binascii
import json
import re
from datetime import datetime

from sqlite_utils import Database

from mock_sonar.errors import SamlConfigurationError, SamlResponseError
from mock_sonar.saml import service_provider
from mock_sonar.saml.service_provider import SamlPrincipal
from mock_sonar.saml.settings import (
    GROUP_NAME_ATTRIBUTE,
    USER_EMAIL_ATTRIBUTE,
    USER_LOGIN_ATTRIBUTE,
    USER_NAME_ATTRIBUTE,
    SamlSettings,
)

VALIDATION_RELAY_STATE = "validation-query"
_ENCRYPTED_ASSERTION = re.compile(
    r"<saml:EncryptedAssertion|<EncryptedAssertion|<saml2:EncryptedAssertion"
)


def is_validation_relay_state(relay_state: str | None) -> bool:
    """SamlValidationRedirectionFilter.isSamlValidation: `validation-query/<csrf token>`."""
    return (
        bool(relay_state)
        and relay_state.split("/")[0] == VALIDATION_RELAY_STATE
        and bool(csrf_token_of(relay_state))
    )


def csrf_token_of(relay_state: str) -> str:
    """The CSRF token a validation RelayState carries."""
    parts = relay_state.split("/")
    return parts[1] if len(parts) > 1 else ""


def report(
    db: Database, now: datetime, saml: SamlSettings, *, acs: str, saml_response: str | None
) -> dict:
    """getAuthenticationStatusPage: the response checked as at login, then the mappings."""
    try:
        registration = service_provider.registration(saml, acs)
        principal = service_provider.authenticate_response(db, now, registration, saml_response)
        return status_of(saml, saml_response, principal)
    except SamlResponseError as error:
        return error_status(error.message)
    except SamlConfigurationError as error:
        # Guess: SonarQube fails on incomplete settings without a report; one is more useful.
        return error_status(str(error))


def error_status(message: str) -> dict:
    """getSamlAuthenticationStatus(errorMessage): an error and every default."""
    return _status("error", [message], [], {}, {}, signature=False, encryption=False)


def status_of(saml: SamlSettings, saml_response: str | None, principal: SamlPrincipal) -> dict:
    """getSamlAuthenticationStatus(samlResponse, principal)."""
    errors = _mapping_errors(saml, principal)
    warnings = [] if errors else _missing_mappings(saml, principal, _optional_mappings(saml))
    return _status(
        "error" if errors else "success",
        errors,
        warnings,
        principal.attributes,
        _mapped_attributes(saml, principal),
        signature=saml.sign_requests,
        encryption=is_encryption_enabled(saml_response),
    )


def _status(
    status: str,
    errors: list[str],
    warnings: list[str],
    available: dict,
    mapped: dict,
    *,
    signature: bool,
    encryption: bool,
) -> dict:
    return {
        "status": status,
        "errors": errors,
        "warnings": warnings,
        "availableAttributes": available,
        "mappedAttributes": mapped,
        "signatureEnabled": signature,
        "encryptionEnabled": encryption,
    }


def _mapping_errors(saml: SamlSettings, principal: SamlPrincipal) -> list[str]:
    mappings = {
        USER_LOGIN_ATTRIBUTE: saml.require(USER_LOGIN_ATTRIBUTE),
        USER_NAME_ATTRIBUTE: saml.require(USER_NAME_ATTRIBUTE),
    }
    errors = _missing_mappings(saml, principal, mappings)
    if errors:
        return errors
    return [
        f"Mapping found for the property {key}, but the field {attribute} is empty in the "
        "SAML response."
        for key, attribute in mappings.items()
        if principal.attributes.get(attribute) == [""]
    ]


def _optional_mappings(saml: SamlSettings) -> dict[str, str]:
    return {
        USER_EMAIL_ATTRIBUTE: saml.get(USER_EMAIL_ATTRIBUTE) or "",
        GROUP_NAME_ATTRIBUTE: saml.get(GROUP_NAME_ATTRIBUTE) or "",
    }


def _missing_mappings(
    saml: SamlSettings, principal: SamlPrincipal, mappings: dict[str, str]
) -> list[str]:
    return [
        f"Mapping not found for the property {key}, the field {attribute} is not available in "
        "the SAML response."
        for key, attribute in mappings.items()
        if attribute and not principal.attributes.get(attribute)
    ]


def _mapped_attributes(saml: SamlSettings, principal: SamlPrincipal) -> dict[str, list[str]]:
    """Attribute values by mapping; JSONObject leaves out the mappings with no attribute."""
    labels = {
        "User login value": saml.get(USER_LOGIN_ATTRIBUTE),
        "User name value": saml.get(USER_NAME_ATTRIBUTE),
        "User email value": saml.get(USER_EMAIL_ATTRIBUTE),
        "Groups value": saml.get(GROUP_NAME_ATTRIBUTE),
    }
    return {
        label: principal.attributes[attribute]
        for label, attribute in labels.items()
        if attribute and attribute in principal.attributes
    }


def is_encryption_enabled(saml_response: str | None) -> bool:
    """An encrypted assertion in the response means encryption is on."""
    if not saml_response:
        return False
    try:
        decoded = base64.b64decode(saml_response).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return False
    return _ENCRYPTED_ASSERTION.search(decoded) is not None


def encode(status: dict) -> str:
    """The page's `data-response`: the status as base64 JSON."""
    return base64.b64encode(json.dumps(status, separators=(",", ":")).encode()).decode()
