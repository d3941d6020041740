"""JSON that comes from outside (request bodies, cookies), read as SonarQube's Jackson reads it.

A body Jackson cannot read becomes a parse error, never a crash: bytes that are not UTF-8,
`NaN` or `Infinity`, nesting deeper than Jackson's limit
(`StreamReadConstraints.DEFAULT_MAX_DEPTH`), or a lone UTF-16 surrogate escape (`"\\ud800"`),
which no UTF-8 text, and so no stored value, can hold.
Each caller words the refusal in its own format (v2, SCIM, control plane).
"""

import json

#: Jackson 2.15+: StreamReadConstraints.DEFAULT_MAX_DEPTH.
MAX_DEPTH = 1000


class InvalidJson(ValueError):
    """A body that is not one JSON value this server can hold."""


def parse(data: bytes | str) -> object:
    """The JSON value of `data`; raises InvalidJson."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        # RecursionError: nested deeper than Python's stack allows, before MAX_DEPTH.
        raise InvalidJson(f"Not JSON: {type(error).__name__}") from None
    _check(value)
    return value


def _not_json(constant: str) -> object:
    """NaN and Infinity: Python reads them, JSON (and Jackson by default) does not."""
    raise ValueError(f"{constant} is not JSON")


def _check(value: object) -> None:
    """Depth and lone surrogates, walked without recursion."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise InvalidJson(f"Nesting depth exceeds the maximum allowed ({MAX_DEPTH})")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJson("A string holds a lone surrogate") from None
