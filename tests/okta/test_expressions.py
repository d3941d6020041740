"""The Okta Expression Language subset of group rules: each construct, and refused expressions."""

import time

import pytest

from mock_okta.directory.expressions import Context, matches, parse, tokenize
from mock_okta.errors import ExpressionError

ALICE = Context(
    profile={
        "department": "Engineering",
        "title": "Developer",
        "organization": "Acme",
        "level": 3,
        "isContractor": False,
        "tags": ["sonar", "java"],
        "nickName": None,
    },
    group_ids=frozenset({"00g1emaKYZTWRYYRRTSK", "00g25dgglwXD93m300g4"}),
    group_names=frozenset({"sonar-developers", "Everyone"}),
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('user.department == "Engineering"', True),
        ('user.department=="engineering"', False),
        ("user.department == 'Engineering'", True),
        ('user.department != "Sales"', True),
        ("user.title != null", True),
        ("user.nickName == null", True),
        ("user.missing == null", True),
        ("user.missing != null", False),
        ('user.organization == "Acme"', True),  # `or` inside a name is not an operator
        ("user.level == 3", True),
        ("user.level >= 3 and user.level < 4", True),
        ("user.level <= 2", False),
        ('user.level > "2"', False),
        ("!user.isContractor", True),
        ("not user.isContractor", True),
        ("user.isContractor == false", True),
        ('String.startsWith(user.department, "Eng")', True),
        ('String.startsWith(user.missing, "Eng")', False),
        ('String.stringContains(user.title, "velop")', True),
        ('String.toLowerCase(user.department) == "engineering"', True),
        ('String.toUpperCase(user.title) == "DEVELOPER"', True),
        ("String.len(user.title) == 9", True),
        ('String.substringBefore("abc@okta.com", "@") == "abc"', True),
        ('String.substringAfter("abc@okta.com", "@") == "okta.com"', True),
        ('String.append(user.department, "!") == "Engineering!"', True),
        ('user.department + " team" == "Engineering team"', True),
        ('Arrays.contains(user.tags, "sonar")', True),
        ("Arrays.isEmpty(user.missing)", True),
        ("Arrays.size(user.tags) == 2", True),
        ('isMemberOfGroup("00g1emaKYZTWRYYRRTSK")', True),
        ('isMemberOfAnyGroup("00gjitX9HqABSoqTB0g3", "00g25dgglwXD93m300g4")', True),
        ('isMemberOfAnyGroup("00gjitX9HqABSoqTB0g3")', False),
        ('isMemberOfGroupName("sonar-developers")', True),
        ('isMemberOfGroupNameStartsWith("sonar-")', True),
        ('isMemberOfGroupNameContains("develop")', True),
        ('user.department == "Sales" or user.title == "Developer"', True),
        ('user.department == "Sales" OR user.title == "Manager"', False),
        ('user.department == "Engineering" AND user.title == "Manager"', False),
        ('user.department == "Engineering" && (user.title == "Manager" || user.level == 3)', True),
        ('!(user.department == "Sales")', True),
        ("true", True),
        ("user.level == 3 ? true : false", True),
        ('user.title == "Say ""hi"""', False),
        ("'It''s' == \"It's\"", True),
    ],
)
def test_construct_evaluates(expression, expected):
    assert matches(expression, ALICE) is expected


def test_and_binds_tighter_than_or():
    assert matches("user.level == 1 and user.level == 2 or user.level == 3", ALICE)
    assert not matches("user.level == 1 and (user.level == 2 or user.level == 3)", ALICE)


def test_a_non_boolean_attribute_never_matches_where_a_boolean_is_needed():
    assert not matches("user.title", ALICE)
    assert not matches("!user.title", ALICE)


def test_an_unset_boolean_attribute_counts_as_false():
    assert matches("!user.missing", ALICE)
    assert not matches("user.missing", ALICE)


def test_keywords_are_operators_in_any_case():
    ops = [t.value for t in tokenize("a AND b Or c NOT d") if t.kind == "op"]
    assert ops == ["&&", "||", "!"]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "The expression is empty"),
        ("user.department ==", "expected a value but found end of expression"),
        ('user.department == "x" AND', "expected a value but found end of expression"),
        ('(user.department == "x"', "expected ')'"),
        ('user.department == "x")', "expected an operator or the end of the expression"),
        ('user.department = "x"', "Unexpected character '='"),
        ('user.department == "x', "Unterminated string"),
        ('profile.department == "x"', "Invalid property profile.department"),
        ('user == "x"', "Invalid property user"),
        ("String.startsWith(user.department)", "Parameter count mismatch for String.startsWith"),
        ("isMemberOfAnyGroup()", "Parameter count mismatch for isMemberOfAnyGroup"),
        ("Convert.toInt(user.level) == 3", "Unsupported function Convert.toInt"),
        ("Time.now() != null", "Unsupported function Time.now"),
        ("String.toLowerCase(user.department)", "must evaluate to a Boolean, not a str value"),
        ('"Engineering"', "must evaluate to a Boolean, not a str value"),
        ("user.level + 1", "must evaluate to a Boolean"),
        ('"a" and user.isContractor', "Operator && needs a Boolean operand"),
        ('!"a"', "Operator ! needs a Boolean operand"),
        ("user.level < null", "cannot compare a null value"),
        ('user.department == "x" ? 1', "expected ':'"),
        ("user.department == #", "Unexpected character '#'"),
        ('user.department == "a\x00b"', "Unexpected control character at position 21"),
        ([], "The expression must be a string"),
        ({}, "The expression must be a string"),
        ("!" * 5000 + "true", "The expression is too long: at most 1024 characters"),
        ("(" * 3000 + "true" + ")" * 3000, "The expression is too long"),
        ("!" * 60 + "true", "The expression is nested too deeply"),
        ("(" * 51 + "true" + ")" * 51, "The expression is nested too deeply"),
        ("+".join(["1"] * 300) + " == 1", "The expression is nested too deeply"),
    ],
)
def test_invalid_expression_is_refused(expression, message):
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    assert message in str(caught.value)


def test_parse_is_cached_and_returns_the_same_tree():
    assert parse('user.title == "x"') is parse('user.title == "x"')


def test_nesting_within_the_bounds_is_accepted():
    assert parse("(" * 49 + "true" + ")" * 49)
    assert parse("!" * 48 + "true")
    assert parse(" || ".join(['user.title == "x"'] * 40))


def test_a_long_chain_is_typed_in_linear_time():
    # Typing each operand twice made a chain of n `||` cost 2^n (30 took minutes).
    started = time.monotonic()
    parse("||".join(["true"] * 150))
    assert time.monotonic() - started < 1
