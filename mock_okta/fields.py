"""The checks every stored text and JSON value passes, worded as Okta words its causes.

Okta reports a refused field as an E0000001 cause `<field>: <message>` (Core Okta API errors).
The domain modules call these helpers so that a wrong type, an overlong value or a control
character gets the same cause wherever it is sent: the Management API, the Admin Console's
forms and the console's JSON twins all reach the same domain functions.
"""

import re

#: Okta's cause for a value of the wrong JSON type (used throughout the simulator's checks).
# Guess: the wording; Okta documents no per-type message.
TYPE = "Property value is not of the expected type"
#: Okta's cause for a value over its schema's maxLength: "name: The field is too long" (Okta's
#: Zones API example, and the same words in Okta's profile import errors).
TOO_LONG = "The field is too long"
BLANK = "The field cannot be left blank"
# Guess: Okta documents no refusal of control characters; NUL and the other C0 controls (and
# DEL) would corrupt pages, SAML assertions and SCIM pushes, so the simulator refuses them.
CONTROL = "The field cannot contain control characters"

#: C0 control characters and DEL; tab, line feed and carriage return are allowed only where a
#: value may span lines (`_LINE_CONTROLS`).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
#: JSON integers Okta's services hold (a Java long).
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def cause(field: str, message: str) -> str:
    """`<field>: <message>`, as an errorCause's errorSummary."""
    return f"{field}: {message}"


def has_controls(value: str, *, multiline: bool = False) -> bool:
    """Whether the text holds a control character (line breaks and tabs pass if `multiline`)."""
    return bool((_CONTROLS if multiline else _LINE_CONTROLS).search(value))


def text_cause(
    field: str, value: object, *, maximum: int | None = None, multiline: bool = False
) -> str | None:
    """The cause a string value is refused for (wrong type, too long, control character)."""
    if not isinstance(value, str):
        return cause(field, TYPE)
    if maximum is not None and len(value) > maximum:
        return cause(field, TOO_LONG)
    if has_controls(value, multiline=multiline):
        return cause(field, CONTROL)
    return None


def scalar_cause(field: str, value: object, *, multiline: bool = False) -> str | None:
    """The cause a profile value is refused for: it must be a string, a number in a long's
    range, a Boolean, or an array of those (custom attributes may be of any of these types);
    null clears it."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            if has_controls(item, multiline=multiline):
                return cause(field, CONTROL)
        elif isinstance(item, bool | float):
            continue
        elif not isinstance(item, int) or not _LONG_MIN <= item <= _LONG_MAX:
            return cause(field, TYPE)
    return None


def strings_cause(field: str, value: object) -> str | None:
    """The cause a list of ids is refused for: it must be an array of strings."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return cause(field, TYPE)
    return None
