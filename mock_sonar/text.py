"""What SonarQube can store as text.

SonarQube's databases refuse the NUL character (PostgreSQL's `text` cannot hold U+0000), so no
login, name, email, description, token name or setting carries one: the domain refuses it with
a 400 before anything is written, and no page ever shows one.
"""

from mock_sonar.errors import BadRequest

NUL = "\x00"


def nul_message(label: str) -> str:
    """The refusal of a NUL in the field `label` ("Name", "Group name", ...).

    Guess: SonarQube has no message of its own (PostgreSQL's refusal is a 500 there).
    """
    return f"{label} must not contain the NUL character"


def has_nul(*values: str | None) -> bool:
    """Whether any of the values holds a NUL."""
    return any(value is not None and NUL in value for value in values)


def check_no_nul(label: str, *values: str | None) -> None:
    """400 when any of the values holds a NUL."""
    if has_nul(*values):
        raise BadRequest(nul_message(label))


def find_nul(value: object) -> str | None:
    """Where a NUL sits in a JSON value: `name.givenName`, `emails[0].value`, `""` for the value
    itself or a member name; None when there is none."""
    pending: list[tuple[object, str]] = [(value, "")]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str) and NUL in item:
            return path
        if isinstance(item, dict):
            for key, child in item.items():
                if NUL in key:
                    return path
                pending.append((child, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            pending.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
    return None
