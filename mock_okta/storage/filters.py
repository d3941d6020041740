"""Okta's `filter` and `search` expressions (SCIM filter syntax) as SQL over our tables.

Parsing and SQL generation are scim2-filter-parser's; this module only maps Okta's attribute
paths (`status`, `lastUpdated`, `profile.department`, …) onto columns and JSON fields, and
turns parse errors into Okta's "Invalid search criteria".
"""

import re

from scim2_filter_parser import ast as filter_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.sql import Transpiler

from mock_okta.errors import InvalidSearchCriteria

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Quoted values (skipped whole), the logical operators and parentheses of an expression.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|\b(?:and|or)\b|[()]', re.IGNORECASE)
#: At most this many `and`/`or` and this deep in parentheses: the SQL transpiler holds 52
#: values, and its parser and transpiler recurse along chains and parentheses. Guess: Okta's
#: own limits are not documented; real filters join a handful of comparisons.
MAX_OPERATORS, MAX_NESTING = 50, 50


class AttributeMap(dict):
    """Top-level attributes by name, and any `profile.<name>` as a JSON field of `profile`."""

    def __init__(self, columns: dict[str, str], profile_column: str | None = "profile"):
        super().__init__()
        self.columns = {name.lower(): column for name, column in columns.items()}
        self.profile_column = profile_column

    def get(self, key, default=None):  # type: ignore[override]
        attr, sub, _uri = key
        name = f"{attr}.{sub}" if sub else attr
        if name.lower() in self.columns:
            return self.columns[name.lower()]
        if self.profile_column and attr.lower() == "profile" and sub and _NAME.match(sub):
            return f"json_extract({self.profile_column}, '$.{sub}')"
        raise InvalidSearchCriteria()


def to_sql(
    expression: str,
    attributes: AttributeMap,
    *,
    allowed: dict[str, frozenset[str]] | None = None,
) -> tuple[str, dict]:
    """A WHERE fragment with named parameters (`:f_a`, …) for an Okta filter expression.

    `allowed` restricts a `filter` to what Okta documents for it: attribute path -> operators
    (`search` takes the full syntax); anything else is E0000031.
    """
    _check_bounds(expression)
    try:
        ast = SCIMParser().parse(SCIMLexer().tokenize(expression))
        if allowed is not None:
            _check_allowed(ast, allowed)
        sql, params = Transpiler(attributes).transpile(ast)
    except (SCIMParserError, ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        raise InvalidSearchCriteria() from error
    if not sql:
        raise InvalidSearchCriteria()
    for name in params:
        # Okta compares string values case-insensitively (operators too).
        sql = sql.replace("= {" + name + "}", f"= :f_{name} COLLATE NOCASE")
        sql = sql.replace("{" + name + "}", f":f_{name}")
    return f"({sql})", {f"f_{name}": value for name, value in params.items()}


def _check_bounds(expression: str) -> None:
    """E0000031 for more than MAX_OPERATORS `and`/`or` or parentheses nested deeper than
    MAX_NESTING (before the recursive parser sees the expression)."""
    operators = depth = deepest = 0
    for match in _STRUCTURE.finditer(expression):
        token = match.group()
        if token == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif token == ")":
            depth -= 1
        elif token[0] != '"':
            operators += 1
    if operators > MAX_OPERATORS or deepest > MAX_NESTING:
        raise InvalidSearchCriteria()


def _check_allowed(node: object, allowed: dict[str, frozenset[str]]) -> None:
    """Every comparison uses an allowed attribute and operator; no `not`."""
    if isinstance(node, filter_ast.Filter):
        if node.negated:
            raise InvalidSearchCriteria()
        _check_allowed(node.expr, allowed)
    elif isinstance(node, filter_ast.LogExpr):
        _check_allowed(node.expr1, allowed)
        _check_allowed(node.expr2, allowed)
    elif isinstance(node, filter_ast.AttrExpr):
        path = node.attr_path
        name = f"{path.attr_name}.{path.sub_attr.value}" if path.sub_attr else path.attr_name
        if node.value.lower() not in allowed.get(name, frozenset()):
            raise InvalidSearchCriteria()
    else:
        raise InvalidSearchCriteria()
