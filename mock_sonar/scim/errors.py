"""The SCIM server's own errors: scim2-models' SCIMException family, rendered as RFC 7644 §3.12
error bodies (the SCIM server does not speak the Web API's error format)."""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from scim2_models import Error, SCIMException

#: What a value of the wrong JSON type should have been, by pydantic error type.
_EXPECTED = {
    "string_type": "a string",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a decimal number",
    "float_parsing": "a decimal number",
    "list_type": "an array",
    "model_type": "a complex value (a JSON object)",
    "model_attributes_type": "a complex value (a JSON object)",
    "dict_type": "a complex value (a JSON object)",
}


class ScimBadRequest(SCIMException):
    """400 with no scimType: a SonarQube rule refused the change (e.g. last administrator)."""

    status = 400


class ScimDisabled(SCIMException):
    """SCIM is switched off in SonarQube; status configurable (§3.5 [U], default 404)."""

    status = 404
    _default_detail = "SCIM is not enabled"


def from_validation_error(error: ValidationError) -> SCIMException:
    """A refused payload as a SCIM error that names the attribute, in the RFC's words.

    RFC 7644 §3.12: a value that does not fit its attribute is `invalidValue`, a body whose
    structure does not follow the request schema `invalidSyntax` (scim2-models decides which).
    Guess: SonarQube's own details are not public; pydantic's wording and links stay out.
    """
    first = error.errors()[0]
    refusal = Error.from_validation_error(first)
    if not first["type"].startswith("scim_") and first["type"] != "required_error":
        refusal.detail = _detail(first)  # else scim2-models' own message
    return SCIMException.from_error(refusal)


def _detail(error: Mapping[str, Any]) -> str:
    subject = _path(error["loc"]) or "The request body"
    kind = error["type"]
    if kind in _EXPECTED:
        return f"{subject} must be {_EXPECTED[kind]}"
    if kind.startswith(("datetime", "date_")):
        return f"{subject} must be a date and time (xsd:dateTime)"
    if kind in ("enum", "literal_error"):
        return f"{subject} must be one of {error['ctx']['expected']}"
    if kind == "value_error":
        return f"{subject} is not valid: {error['ctx']['error']}"
    return f"{subject} has an invalid value"


def _path(loc: Sequence[str | int]) -> str:
    """`emails[0].value`: sub-attributes after a dot, a value of a multi-valued one by index."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" not in part and "(" not in part:  # pydantic's names of union members
            path += f".{part}" if path else part
    return path
