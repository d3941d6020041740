"""Web API v1 parameters, validated with the messages of SonarQube's WebService framework."""

import re

from flask import request

from mock_sonar.errors import BadRequest

_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False}
#: Read actions answer both methods.
GET_OR_POST = ["GET", "POST"]
#: `p` and `ps` are Java ints.
JAVA_INT_MAX = 2**31 - 1
_INTEGER = re.compile(r"[+-]?([0-9]+)")


class WsParams:
    """Query-string and form parameters of a v1 action."""

    def __init__(self) -> None:
        self.values = request.values

    def optional(
        self, key: str, *, max_length: int | None = None, default: str | None = None
    ) -> str | None:
        """A parameter's value, or the default when absent."""
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if max_length is not None:
            _check_max_length(key, value, max_length)
        return value

    def raw(self, key: str, max_length: int) -> str | None:
        """A parameter that may be present but empty (e.g. `email=` clears the email)."""
        value = self.values.get(key)
        if value is not None:
            _check_max_length(key, value, max_length)
        return value

    def required(self, key: str, *, max_length: int | None = None) -> str:
        """A mandatory parameter."""
        value = self.optional(key, max_length=max_length)
        if value is None:
            raise BadRequest(f"The '{key}' parameter is missing")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        """true/false/yes/no."""
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if value.lower() not in _BOOLEANS:
            raise BadRequest(
                f"Value of parameter '{key}' ({value}) must be one of: [true, false, yes, no]"
            )
        return _BOOLEANS[value.lower()]

    def integer(self, key: str, default: int) -> int:
        """An integer parameter, as Integer.parseInt reads it (a Java int, ASCII digits)."""
        value = self.values.get(key)
        if value is None or value == "":
            return default
        found = _INTEGER.fullmatch(value)
        # Eleven digits or more never fit; Python would not even read thousands of them.
        if not found or len(found[1].lstrip("0")) > 10 or abs(int(value)) > JAVA_INT_MAX:
            raise BadRequest(f"The '{key}' parameter cannot be parsed as an integer value: {value}")
        return int(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        """One of a fixed set of values."""
        value = self.optional(key, default=default)
        if value is not None and value not in choices:
            raise BadRequest(
                f"Value of parameter '{key}' ({value}) must be one of: [{', '.join(choices)}]"
            )
        return value

    def multi(self, key: str) -> list[str] | None:
        """A multi-value parameter: repeated, or comma-separated in one value."""
        raw = self.values.getlist(key)
        if not raw:
            return None
        return [part for value in raw for part in value.split(",") if part != ""]

    def paging(self, *, default_size: int, max_size: int) -> tuple[int, int]:
        """`p` (1-based) and `ps`, bounded as SonarQube bounds them (and within Java's int)."""
        page, size = self.integer("p", 1), self.integer("ps", default_size)
        if page < 1:
            raise BadRequest(f"'p' value ({page}) must be greater than 0")
        if size < 1:
            raise BadRequest(f"'ps' value ({size}) must be greater than 0")
        if size > max_size:
            raise BadRequest(f"'ps' value ({size}) must be less than {max_size}")
        return page, size


def min_length(key: str, value: str | None, minimum: int) -> str | None:
    """The WS framework's minimum-length check."""
    if value is not None and len(value) < minimum:
        raise BadRequest(
            f"'{key}' length ({len(value)}) is shorter than the minimum authorized ({minimum})"
        )
    return value


def _check_max_length(key: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise BadRequest(
            f"'{key}' length ({len(value)}) is longer than the maximum authorized ({maximum})"
        )
