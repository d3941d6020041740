"""URL rules parsed once per process, with builders compiled on first use, match and build
exactly as werkzeug's own do."""

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

import mock_okta
import mock_sonar
from mock_common.routing import LazyBuilderRule

RULES = [
    ("/api/v1/users/<user_id>", "user"),
    ("/admin/app/<app_name>/instance/<app_id>/", "app"),
    ("/static/<path:filename>", "static"),
    ("/api/v1/apps/<app_id>/users/<int:page>", "paged"),
]
BUILDS = [
    ("user", {"user_id": "00u1"}),
    ("user", {"user_id": "a b/c", "limit": "5", "after": "x&y"}),  # escaped; unknown → query
    ("app", {"app_name": "sonar", "app_id": "0oa1", "tab": "push-groups"}),
    ("static", {"filename": "css/admin.css"}),
    ("paged", {"app_id": "0oa1", "page": 3}),
]


def adapter(rule_class: type[Rule]):
    return Map([rule_class(path, endpoint=name) for path, name in RULES]).bind("okta.test", "/")


@pytest.mark.parametrize(("endpoint", "values"), BUILDS)
def test_a_lazy_rule_builds_the_same_url_as_werkzeug(endpoint, values):
    expected = adapter(Rule).build(endpoint, values, force_external=True)
    assert adapter(LazyBuilderRule).build(endpoint, values, force_external=True) == expected


def test_a_lazy_rule_still_matches_and_refuses_what_werkzeug_does():
    lazy = adapter(LazyBuilderRule)
    assert lazy.match("/api/v1/apps/0oa1/users/7") == ("paged", {"app_id": "0oa1", "page": 7})
    with pytest.raises(Exception, match="Not Found"):
        lazy.match("/api/v1/apps/0oa1/users/seven")


def parsed(rule: Rule) -> tuple:
    """What matching and building use of a bound rule."""
    converters = {name: (type(c), c.regex, c.map) for name, c in rule._converters.items()}
    return rule._parts, rule._trace, converters, rule.arguments


@pytest.mark.parametrize("app_module", [mock_okta, mock_sonar])
def test_every_rule_of_an_app_is_parsed_as_werkzeug_parses_it(app_module, tmp_path):
    database = str(tmp_path / "app.sqlite3")
    app_module.init_db(database)
    app_module.create_app({"DATABASE": database})  # the cache holds every rule's text now
    again = app_module.create_app({"DATABASE": database})
    texts = [(rule.rule, rule.endpoint, rule.methods) for rule in again.url_map.iter_rules()]
    own = Map([Rule(text, endpoint=endpoint, methods=methods) for text, endpoint, methods in texts])
    replayed = Map(
        [
            LazyBuilderRule(text, endpoint=endpoint, methods=methods)
            for text, endpoint, methods in texts
        ]
    )
    for mine, theirs in zip(replayed.iter_rules(), own.iter_rules(), strict=True):
        ours, werkzeugs = parsed(mine), parsed(theirs)
        assert ours[:2] == werkzeugs[:2], mine.rule
        assert {n: c[:2] for n, c in ours[2].items()} == {n: c[:2] for n, c in werkzeugs[2].items()}
        assert all(c[2] is replayed for c in ours[2].values()), "converters bound to their map"
        assert ours[3] == werkzeugs[3], mine.rule


def test_a_cached_rule_with_converter_arguments_matches_as_werkzeug_does():
    text = "/t/<any(users, groups):kind>/<int(min=1):page>/<path:rest>"
    first = Map([LazyBuilderRule(text, endpoint="t")]).bind("okta.test")
    second = Map([LazyBuilderRule(text, endpoint="t")]).bind("okta.test")  # from the cache
    own = Map([Rule(text, endpoint="t")]).bind("okta.test")
    for path in ("/t/users/2/a/b", "/t/groups/1/x"):
        assert first.match(path) == second.match(path) == own.match(path)
    for refused in ("/t/apps/2/a", "/t/users/0/a"):
        with pytest.raises(NotFound):
            second.match(refused)
    values = {"kind": "groups", "page": 3, "rest": "a/b"}
    assert second.build("t", values) == own.build("t", values)
