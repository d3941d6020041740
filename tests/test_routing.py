"""URL rules whose builders compile on first use build exactly the URLs werkzeug's own do."""

import pytest
from werkzeug.routing import Map, Rule

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
