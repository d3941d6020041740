"""The Okta Expression Language subset that group rules and SAML attribute statements use.

Okta's language is a subset of Spring's SpEL (Okta Expression Language overview). A rule's
condition must evaluate to a Boolean; Convert and Time functions are not allowed in group rules
(Okta support: "Group Rule Restrictions"). What is implemented:

* `user.<attribute>` (any profile attribute; a missing one is `null`);
* string (`"x"` or `'x'`, a doubled quote escapes it, as in SpEL), number, `true`/`false`, `null`;
* `==`, `!=`, `<`, `<=`, `>`, `>=`; `+` joins strings or adds numbers;
* `and`/`AND`/`&&`, `or`/`OR`/`||`, `!`/`not`, parentheses, `cond ? a : b`;
* `String.startsWith|stringContains|toLowerCase|toUpperCase|len|substringBefore|substringAfter|
  append`, `Arrays.contains|isEmpty|size`;
* `isMemberOfGroup`, `isMemberOfAnyGroup`, `isMemberOfGroupName`,
  `isMemberOfGroupNameStartsWith`, `isMemberOfGroupNameContains`.

`okta-expression-parser` (PyPI) was not used: it sets the root logger's level in its
constructor, keeps group data in a class attribute shared by all instances, lexes `or`/`ne`/`and`
inside attribute names (`user.organization` fails), cannot lex `<=`, and prints syntax errors
instead of raising them, so an invalid rule could not be refused.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mock_okta.errors import ExpressionError

# --- tokens ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"]|"")*"|'(?:[^']|'')*')
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()+,.?:])
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    """,
    re.VERBOSE,
)
_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!"}
#: Control characters other than whitespace are no part of an expression, even in a string.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: The longest expression accepted. Guess: the Admin Console's expression field takes 1024
#: characters; the API is assumed to refuse longer ones the same way.
MAX_LENGTH = 1024
#: How deeply an expression may nest: parentheses, `!`, `?:` and function arguments
#: (MAX_NESTING), and the syntax tree, where a chain of operators (`a || b || …`) nests too
#: (MAX_DEPTH). Guess: Okta's limits are not documented; real rules nest a few levels, and the
#: bounds keep the parser and every walk of the tree well inside Python's recursion limit.
MAX_NESTING, MAX_DEPTH = 50, 200


@dataclass(frozen=True)
class Token:
    """A lexeme: kind is number, string, op, name or end."""

    kind: str
    value: Any
    pos: int


def tokenize(source: str) -> list[Token]:
    """The tokens of an expression; `and`/`or`/`not` in any case become operators."""
    control = _CONTROL.search(source)
    if control:
        raise ExpressionError(f"Unexpected control character at position {control.start()}")
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None and source[pos] in "\"'":
            raise ExpressionError(f"Unterminated string starting at position {pos}")
        if match is None:
            raise ExpressionError(f"Unexpected character '{source[pos]}' at position {pos}")
        kind, text = match.lastgroup, match.group()
        if kind == "string":
            quote = text[0]
            tokens.append(Token("string", text[1:-1].replace(quote * 2, quote), pos))
        elif kind == "number":
            tokens.append(Token("number", float(text) if "." in text else int(text), pos))
        elif kind == "name" and text.lower() in _WORD_OPERATORS:
            tokens.append(Token("op", _WORD_OPERATORS[text.lower()], pos))
        elif kind != "ws":
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", None, len(source)))
    return tokens


# --- syntax tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Attribute:
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True)
class Binary:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Conditional:
    test: Any
    then: Any
    otherwise: Any


Node = Literal | Attribute | Call | Unary | Binary | Conditional


# --- functions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a rule sees of one user: the profile and the groups the user is a member of."""

    profile: dict
    group_ids: frozenset = field(default_factory=frozenset)
    group_names: frozenset = field(default_factory=frozenset)


def _string_function(fn: Callable, on_null: Any) -> Callable:
    """Okta's String functions: a null (or non-string) input gives `on_null`.

    Guess: Okta does not document null inputs; a rule on a missing attribute should not match.
    """

    def call(ctx: Context, *args: Any) -> Any:
        return fn(*args) if all(isinstance(a, str) for a in args) else on_null

    return call


def _substring_before(value: str, search: str) -> str:
    return value.split(search, 1)[0]


def _substring_after(value: str, search: str) -> str:
    return value.split(search, 1)[1] if search in value else ""


def _array(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


#: name -> (min args, max args or None, result type, implementation(ctx, *args))
FUNCTIONS: dict[str, tuple[int, int | None, str, Callable]] = {
    "String.startsWith": (2, 2, "bool", _string_function(str.startswith, False)),
    "String.stringContains": (2, 2, "bool", _string_function(str.__contains__, False)),
    "String.toLowerCase": (1, 1, "str", _string_function(str.lower, None)),
    "String.toUpperCase": (1, 1, "str", _string_function(str.upper, None)),
    "String.len": (1, 1, "num", _string_function(len, None)),
    "String.substringBefore": (2, 2, "str", _string_function(_substring_before, None)),
    "String.substringAfter": (2, 2, "str", _string_function(_substring_after, None)),
    "String.append": (2, 2, "str", _string_function(str.__add__, None)),
    "Arrays.contains": (2, 2, "bool", lambda ctx, a, v: v in _array(a)),
    "Arrays.isEmpty": (1, 1, "bool", lambda ctx, a: not _array(a)),
    "Arrays.size": (1, 1, "num", lambda ctx, a: len(_array(a))),
    "isMemberOfGroup": (1, 1, "bool", lambda ctx, gid: gid in ctx.group_ids),
    "isMemberOfAnyGroup": (1, None, "bool", lambda ctx, *ids: bool(ctx.group_ids & set(ids))),
    "isMemberOfGroupName": (1, 1, "bool", lambda ctx, name: name in ctx.group_names),
    "isMemberOfGroupNameStartsWith": (
        1,
        1,
        "bool",
        lambda ctx, p: isinstance(p, str) and any(n.startswith(p) for n in ctx.group_names),
    ),
    "isMemberOfGroupNameContains": (
        1,
        1,
        "bool",
        lambda ctx, p: isinstance(p, str) and any(p in n for n in ctx.group_names),
    ),
}


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    """Recursive descent, lowest precedence first: ?:, ||, &&, !, comparison, +, primary."""

    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    def nested(self, parse: Callable[[], Node]) -> Node:
        """`parse()` one level deeper; refused beyond MAX_NESTING."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _too_deep()
        try:
            return parse()
        finally:
            self.depth -= 1

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def take(self, kind: str, value: str | None = None) -> Token | None:
        token = self.token
        if token.kind == kind and (value is None or token.value == value):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, value: str) -> Token:
        token = self.take(kind, value)
        if token is None:
            raise self.error(f"expected '{value}'")
        return token

    def error(self, what: str) -> ExpressionError:
        token = self.token
        found = "end of expression" if token.kind == "end" else f"'{token.value}'"
        return ExpressionError(f"Syntax error: {what} but found {found} at position {token.pos}")

    def parse(self) -> Node:
        node = self.nested(self.conditional)
        if self.token.kind != "end":
            raise self.error("expected an operator or the end of the expression")
        return node

    def conditional(self) -> Node:
        test = self.logical("||", self.conjunction)
        if self.take("op", "?"):
            then = self.nested(self.conditional)
            self.expect("op", ":")
            return Conditional(test, then, self.nested(self.conditional))
        return test

    def conjunction(self) -> Node:
        return self.logical("&&", self.negation)

    def logical(self, op: str, operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.take("op", op):
            node = Binary(op, node, operand())
        return node

    def negation(self) -> Node:
        if self.take("op", "!"):
            return Unary("!", self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        for op in ("==", "!=", "<=", ">=", "<", ">"):
            if self.take("op", op):
                return Binary(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.primary()
        while self.take("op", "+"):
            node = Binary("+", node, self.primary())
        return node

    def primary(self) -> Node:
        token = self.token
        if token.kind in ("number", "string"):
            self.index += 1
            return Literal(token.value)
        if self.take("op", "("):
            node = self.nested(self.conditional)
            self.expect("op", ")")
            return node
        if token.kind == "name":
            return self.name()
        raise self.error("expected a value")

    def name(self) -> Node:
        token = self.take("name")
        keyword = token.value.lower()
        if keyword in ("true", "false"):
            return Literal(keyword == "true")
        if keyword == "null":
            return Literal(None)
        name = token.value
        if self.take("op", "."):
            member = self.take("name")
            if member is None:
                raise self.error("expected a name after '.'")
            name = f"{name}.{member.value}"
        if self.take("op", "("):
            return Call(name, self.arguments(token.pos))
        if name.startswith("user.") and name.count(".") == 1:
            return Attribute(name[5:])
        raise ExpressionError(f"Invalid property {name} in expression at position {token.pos}")

    def arguments(self, pos: int) -> tuple:
        args = []
        if not self.take("op", ")"):
            args.append(self.nested(self.conditional))
            while self.take("op", ","):
                args.append(self.nested(self.conditional))
            self.expect("op", ")")
        return tuple(args)


# --- checks ---------------------------------------------------------------------------------


def _type(node: Node) -> str:
    """The static type of a node (bool, str, num, null or any), checking calls on the way."""
    if isinstance(node, Literal):
        value = node.value
        if value is None:
            return "null"
        return {bool: "bool", str: "str"}.get(type(value), "num")
    if isinstance(node, Attribute):
        return "any"
    if isinstance(node, Call):
        if node.name not in FUNCTIONS:
            raise ExpressionError(f"Unsupported function {node.name}")
        for arg in node.args:
            _type(arg)
        low, high, result, _ = FUNCTIONS[node.name]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            raise ExpressionError(
                f"Parameter count mismatch for {node.name}: {len(node.args)} given"
            )
        return result
    if isinstance(node, Unary):
        _require_boolean(_type(node.operand), "!")
        return "bool"
    if isinstance(node, Conditional):
        _require_boolean(_type(node.test), "?:")
        then, otherwise = _type(node.then), _type(node.otherwise)
        return then if then == otherwise else "any"
    return _binary_type(node)


def _binary_type(node: Binary) -> str:
    left, right = _type(node.left), _type(node.right)
    if node.op in ("&&", "||"):
        # The operands' types, computed once: typing them again here made a chain of n
        # `||` cost 2^n.
        _require_boolean(left, node.op)
        _require_boolean(right, node.op)
        return "bool"
    if node.op == "+":
        return "num" if left == right == "num" else "str"
    if node.op in ("<", "<=", ">", ">="):
        for side in (left, right):
            if side in ("bool", "null"):
                raise ExpressionError(f"Operator {node.op} cannot compare a {side} value")
    return "bool"


def _require_boolean(kind: str, op: str) -> None:
    if kind not in ("bool", "any"):
        raise ExpressionError(f"Operator {op} needs a Boolean operand, not a {kind} value")


def _too_deep() -> ExpressionError:
    return ExpressionError("The expression is nested too deeply")


def _children(node: Node) -> tuple:
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.test, node.then, node.otherwise)
    return ()


def _check_depth(root: Node) -> None:
    """Refuse a tree deeper than MAX_DEPTH (walked without recursion: chains such as
    `1+1+1+…` are deep trees that the parser built in a loop)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        stack.extend((child, depth + 1) for child in _children(node))


def _parse_checked(source: object) -> Node:
    """The syntax tree of a bounded expression, its depth checked."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("The expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"The expression is too long: at most {MAX_LENGTH} characters")
    node = _Parser(source).parse()
    _check_depth(node)
    return node


def parse(source: object) -> Node:
    """The checked syntax tree of a group-rule condition, or ExpressionError."""
    if not isinstance(source, str):
        raise ExpressionError("The expression must be a string")
    return _parse_condition(source)


@lru_cache(maxsize=512)
def _parse_condition(source: str) -> Node:
    node = _parse_checked(source)
    kind = _type(node)
    if kind not in ("bool", "any"):
        raise ExpressionError(f"The expression must evaluate to a Boolean, not a {kind} value")
    return node


def attributes(node: Node) -> set[str]:
    """The `user.<name>` attributes an expression reads."""
    if isinstance(node, Attribute):
        return {node.name}
    children = _children(node)
    return set().union(*(attributes(child) for child in children)) if children else set()


# --- evaluation -----------------------------------------------------------------------------


def evaluate(node: Node, ctx: Context) -> Any:
    """The value of a node for one user."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Attribute):
        return ctx.profile.get(node.name)
    if isinstance(node, Call):
        return FUNCTIONS[node.name][3](ctx, *(evaluate(arg, ctx) for arg in node.args))
    if isinstance(node, Unary):
        return not _truth(evaluate(node.operand, ctx))
    if isinstance(node, Conditional):
        branch = node.then if _truth(evaluate(node.test, ctx)) else node.otherwise
        return evaluate(branch, ctx)
    if node.op == "&&":
        return _truth(evaluate(node.left, ctx)) and _truth(evaluate(node.right, ctx))
    if node.op == "||":
        return _truth(evaluate(node.left, ctx)) or _truth(evaluate(node.right, ctx))
    return _compare(node.op, evaluate(node.left, ctx), evaluate(node.right, ctx))


class _EvaluationError(Exception):
    """The value does not fit the operator (SpEL raises; the rule then matches nobody)."""


def _truth(value: Any) -> bool:
    # Guess: null counts as false (an unset Boolean attribute); any other non-Boolean, such as
    # `!user.title` on a string, is an evaluation error and the rule does not match.
    if value is None or isinstance(value, bool):
        return value is True
    raise _EvaluationError(value)


def _compare(op: str, left: Any, right: Any) -> Any:
    if op == "+":
        if isinstance(left, int | float) and isinstance(right, int | float):
            return left + right
        return ("null" if left is None else str(left)) + ("null" if right is None else str(right))
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if left is None or right is None or _numeric(left) != _numeric(right):
        # Guess: an ordering against null or across types never matches (Okta does not say).
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if _numeric(left) and _numeric(right):
        return left == right
    return type(left) is type(right) and left == right


def parse_value(source: object) -> Node:
    """The checked syntax tree of a value expression (SAML attribute statements), any type."""
    if not isinstance(source, str):
        raise ExpressionError("The expression must be a string")
    return _parse_value(source)


@lru_cache(maxsize=512)
def _parse_value(source: str) -> Node:
    node = _parse_checked(source)
    _type(node)
    return node


def evaluate_value(source: str, ctx: Context) -> Any:
    """The value of a (valid) value expression for one user; None when it cannot be evaluated."""
    try:
        return evaluate(parse_value(source), ctx)
    except _EvaluationError:
        return None


def matches(source: str, ctx: Context) -> bool:
    """Whether a (valid) rule condition holds for the user."""
    try:
        return evaluate(parse(source), ctx) is True
    except (_EvaluationError, ExpressionError):
        # A stored condition that no longer parses (an imported state) matches nobody.
        return False
