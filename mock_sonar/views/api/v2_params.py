"""Web API v2 request parsing, with the messages of Spring's binding and bean validation.

Malformed bodies and failed validation get the messages of `RestResponseEntityExceptionHandler`
(SonarQube's v2 controllers run on Spring MVC with Jackson).
"""

import re

from flask import request

from mock_sonar import json_input
from mock_sonar.errors import BadRequest, Forbidden, UnsupportedMediaType
from mock_sonar.views.common import is_admin

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
INVALID_FORMAT = "Invalid request format."  # ErrorMessages.INVALID_REQUEST_FORMAT
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # Hibernate's @Email, in essence
_BOOLEANS = {
    "true": True,
    "false": False,
    "on": True,
    "off": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


# --- request parsing -------------------------------------------------------------------------


def rejected(field: str, value: object, message: str) -> str:
    """One field error as RestResponseEntityExceptionHandler.handleFieldError writes it."""
    shown = "{}" if value is None else _java_string(value)
    return f"Value {shown} for field {field} was rejected. Error: {message}."


def _java_string(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_java_string(v) for v in value) + "]"
    return str(value)


def java_null(value: str | None) -> str:
    """How String.format shows a missing id."""
    return "null" if value is None else value


def check_fields(errors: list[str]) -> None:
    """Bean-validation failures, concatenated as Spring joins them."""
    if errors:
        raise BadRequest("".join(errors))


def json_body(content_type: str) -> dict:
    """The JSON object body; 415 for another media type, 400 when it is not a JSON object."""
    if request.mimetype != content_type:
        raise UnsupportedMediaType("Unsupported media type.")
    try:
        body = json_input.parse(request.get_data(cache=True))
    except json_input.InvalidJson as error:
        raise BadRequest(INVALID_FORMAT) from error
    if not isinstance(body, dict):
        raise BadRequest(INVALID_FORMAT)
    return body


def text(body: dict, key: str) -> str | None:
    """A string member; Jackson coerces scalars to strings, not arrays or objects."""
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return _java_string(value)
    raise BadRequest(INVALID_FORMAT)


def flag(body: dict, key: str) -> bool | None:
    """A boolean member (true/false, or the strings "true"/"false")."""
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(INVALID_FORMAT)


def text_list(body: dict, key: str) -> list[str] | None:
    """An array of strings."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or any(isinstance(v, list | dict) for v in value):
        raise BadRequest(INVALID_FORMAT)
    return [v if isinstance(v, str) else _java_string(v) for v in value]


def size_error(field: str, value: str | None, low: int, high: int) -> list[str]:
    """@Size(min, max)."""
    if value is not None and not low <= len(value) <= high:
        return [rejected(field, value, f"size must be between {low} and {high}")]
    return []


def email_error(field: str, value: str | None) -> list[str]:
    """@Email."""
    if value and not _EMAIL.match(value):
        return [rejected(field, value, "must be a well-formed email address")]
    return []


def query_bool(key: str, default: bool | None = None) -> bool | None:
    """A boolean query parameter, converted as Spring's StringToBooleanConverter does."""
    value = request.args.get(key)
    if value is None or value == "":
        return default
    if value.lower() not in _BOOLEANS:
        # The converter's exact wording inside the bind error is guessed.
        raise BadRequest(
            rejected(
                key,
                value,
                f"Failed to convert value of type "
                f"'java.lang.String' to required type "
                f"'java.lang.Boolean'; Invalid boolean value "
                f"[{value}]",
            )
        )
    return _BOOLEANS[value.lower()]


def query_int(key: str, default: int) -> int:
    """An integer query parameter."""
    value = request.args.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
        if abs(number) > 2**31 - 1:  # java.lang.Integer
            raise ValueError(value)
        return number
    except ValueError as error:
        # The converter's exact wording inside the bind error is guessed.
        raise BadRequest(
            rejected(
                key,
                value,
                f"Failed to convert value of type "
                f"'java.lang.String' to required type "
                f"'java.lang.Integer'; For input string: "
                f'"{value}"',
            )
        ) from error


def rest_page() -> tuple[int, int]:
    """RestPage: pageSize 0..500 (default 50), pageIndex >= 1 (default 1)."""
    size, index = query_int("pageSize", 50), query_int("pageIndex", 1)
    errors = []
    if size < 0:
        errors.append(rejected("pageSize", size, "must be greater than or equal to 0"))
    if size > 500:
        errors.append(rejected("pageSize", size, "must be less than or equal to 500"))
    if index < 1:  # @Positive and @Min(1) both fail; their order is not fixed in Spring
        errors.append(rejected("pageIndex", index, "must be greater than 0"))
        errors.append(rejected("pageIndex", index, "must be greater than or equal to 1"))
    check_fields(errors)
    return index, size


def admin_only_filters(*keys: str) -> None:
    """DefaultUserController.throwIfAdminOnlyParametersAreUsed."""
    if is_admin():
        return
    for key in keys:
        if request.args.get(key) is not None:
            raise Forbidden(f"Parameter {key} requires Administer System permission.")
