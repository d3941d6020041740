"""Okta's `filter` and `search` expressions (SCIM filter syntax) as SQL over our tables.

Parsing and SQL generation are scim2-filter-parser's; this module only maps Okta's attribute
paths (`status`, `lastUpdated`, `profile.department`, …) onto columns and JSON fields, and
turns parse errors into Okta's "Invalid search criteria".
"""

import re
import string

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
#: The profile attributes with a `COLLATE NOCASE` index (migration 007): always strings (base
#: schema), so a LIKE prefix on them may also be written as a range the index can answer.
INDEXED_PROFILE_ATTRIBUTES = ("login", "email", "firstName", "lastName")
_INDEXED = r"json_extract\(profile, '\$\.(?:" + "|".join(INDEXED_PROFILE_ATTRIBUTES) + r")'\)"
_INDEXED_EXPRESSION = re.compile(_INDEXED)
_INDEXED_LIKE = re.compile(rf"({_INDEXED}) LIKE :(f_\w+)\b")
_WILDCARDS = re.compile(r"[%_]")
_ASCII_UPPER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


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
    indexed: bool = True,
) -> tuple[str, dict]:
    """A WHERE fragment with named parameters (`:f_a`, …) for an Okta filter expression.

    `allowed` restricts a `filter` to what Okta documents for it: attribute path -> operators
    (`search` takes the full syntax); anything else is E0000031. `indexed` writes each prefix
    LIKE on an indexed attribute with its range (`like_with_range`); without it the indexed
    attributes are written `+json_extract(…)`, which no index answers: the same rows either way.
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
    sql, params = f"({sql})", {f"f_{name}": value for name, value in params.items()}
    if not indexed:
        return _INDEXED_EXPRESSION.sub(r"+\g<0>", sql), params
    return _with_prefix_ranges(sql, params)


def prefix_range(pattern: str) -> tuple[str, str | None] | None:
    """The NOCASE range holding every string that matches the LIKE `pattern` (SQLite's LIKE
    folds ASCII case only, as NOCASE does): the text before the first wildcard, and the same
    text with its last character incremented (None: no upper bound). None when the pattern
    starts with a wildcard.

    SQLite turns a prefix LIKE into such a range itself only on a plain column; on an
    expression index it must be written out (the LIKE stays, so the result is the same).
    """
    prefix = _WILDCARDS.split(pattern, maxsplit=1)[0].translate(_ASCII_UPPER)
    if not prefix:
        return None
    code = ord(prefix[-1]) + 1
    code = 0xE000 if 0xD800 <= code <= 0xDFFF else code  # no surrogates in UTF-8
    return prefix, (prefix[:-1] + chr(code) if code <= 0x10FFFF else None)


def like_with_range(expression: str, like_param: str, pattern: str) -> tuple[str, dict]:
    """`expression LIKE :like_param`, and the prefix range beside it when there is one;
    returns the SQL and the range's parameters."""
    sql, values = f"{expression} LIKE :{like_param}", {}
    bounds = prefix_range(pattern)
    if bounds:
        sql += f" AND {expression} >= :{like_param}_lo COLLATE NOCASE"
        values[f"{like_param}_lo"] = bounds[0]
        if bounds[1] is not None:
            sql += f" AND {expression} < :{like_param}_hi COLLATE NOCASE"
            values[f"{like_param}_hi"] = bounds[1]
    return f"({sql})", values


def _with_prefix_ranges(sql: str, params: dict) -> tuple[str, dict]:
    """The SQL with a range beside each prefix LIKE on an indexed attribute."""
    ranges: dict = {}

    def rewrite(match: re.Match) -> str:
        expression, name = match.group(1), match.group(2)
        if not isinstance(params.get(name), str):
            return match.group(0)
        like, values = like_with_range(expression, name, params[name])
        ranges.update(values)
        return like

    return _INDEXED_LIKE.sub(rewrite, sql), {**params, **ranges}


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
