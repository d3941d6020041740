"""What a SAML assertion says about the user: the NameID and the attribute statements.

Okta Apps API, SamlAttributeStatement: an EXPRESSION statement's values are Okta Expression
Language expressions evaluated on the user profile; a GROUP statement sends the names of the
user's groups that pass its filter (STARTS_WITH, EQUALS, CONTAINS, REGEX). Each statement's
`namespace` becomes the Attribute's NameFormat.
"""

import re
from dataclasses import dataclass

from sqlite_utils import Database

from mock_okta.directory import groups, memberships
from mock_okta.directory.expressions import Context, evaluate_value
from mock_okta.directory.users import User
from mock_okta.errors import ExpressionError

_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class SamlAttribute:
    """One Attribute of the AttributeStatement."""

    name: str
    name_format: str
    values: tuple[str, ...]


def name_id(template: str, profile: dict, app_user_name: str) -> str:
    """The NameID from subjectNameIdTemplate: `${user.userName}` is the app username."""

    def expand(match: re.Match) -> str:
        expression = match.group(1).strip()
        if expression == "user.userName":
            return app_user_name
        return _text(_evaluate(expression, profile)) or ""

    return _TEMPLATE.sub(expand, template or "${user.userName}")


def attribute_statements(
    db: Database, statements: list[dict], user: User, profile: dict
) -> list[SamlAttribute]:
    """The attributes of the app's statements for one user, in the app's order."""
    names = _group_names(db, user["id"])
    result = []
    for statement in statements:
        if statement["type"] == "GROUP":
            values = _matching_groups(names, statement["filterType"], statement["filterValue"])
        else:
            values = [v for s in statement.get("values", []) for v in _values(s, profile)]
        # Guess: an attribute whose values are all null (or a group statement matching no group)
        # is left out of the assertion rather than sent empty.
        if values:
            result.append(SamlAttribute(statement["name"], statement["namespace"], tuple(values)))
    return result


def _group_names(db: Database, user_id: str) -> list[str]:
    ids = memberships.user_group_ids(db, user_id)
    by_id = groups.group_names(db, ids)
    return [by_id[group_id] for group_id in ids if group_id in by_id]


def _matching_groups(names: list[str], filter_type: str, filter_value: str) -> list[str]:
    """Group names passing the filter. REGEX must match the whole name, as Java's
    `String.matches` does (Okta KB "How to Filter Groups with Regex": `.*groupA.*`)."""
    # Guess: STARTS_WITH, EQUALS and CONTAINS are case-sensitive, like group rule expressions.
    if filter_type == "STARTS_WITH":
        return [n for n in names if n.startswith(filter_value)]
    if filter_type == "EQUALS":
        return [n for n in names if n == filter_value]
    if filter_type == "CONTAINS":
        return [n for n in names if filter_value in n]
    try:
        pattern = re.compile(filter_value)
    except re.error:
        return []
    return [n for n in names if pattern.fullmatch(n)]


def _values(source: str, profile: dict) -> list[str]:
    value = _evaluate(source, profile)
    if isinstance(value, list | tuple):
        return [text for text in (_text(item) for item in value) if text is not None]
    text = _text(value)
    return [] if text is None else [text]


def _evaluate(source: str, profile: dict) -> object:
    try:
        return evaluate_value(source, Context(profile=profile))
    except ExpressionError:
        # Guess: a value Okta's validation would have refused is sent as written.
        return source


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
