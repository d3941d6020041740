"""Search text is matched as typed: `%`, `_` and `/` are escaped (DaoUtils.buildLikeValue), so
they are not SQL wildcards on any endpoint or page that searches users or groups."""

import re
from urllib.parse import quote

import pytest

from tests.conftest import ADMIN
from tests.sonar.ui_helper import PASSWORD, open_session

USERS = {"jane_doe": "Jane Doe", "janexdoe": "Jane X", "ops-lead": "Ops/Lead", "pct": "100% Jane"}
GROUPS = ("team_a", "teamxa", "qa/dev", "50%-club")


@pytest.fixture
def populated(sonar):
    """Users and groups whose names hold the characters LIKE treats specially."""
    for login, name in USERS.items():
        data = {"login": login, "name": name, "password": PASSWORD}
        assert sonar.post("/api/users/create", headers=ADMIN, data=data).status_code == 200
    for name in GROUPS:
        response = sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": name})
        assert response.status_code == 200
    return sonar


def user_logins(client, path: str, query: str) -> set[str]:
    response = client.get(f"{path}{quote(query)}", headers=ADMIN)
    assert response.status_code == 200, response.data
    return {user["login"] for user in response.get_json()["users"]}


def group_names(client, path: str, query: str) -> set[str]:
    response = client.get(f"{path}{quote(query)}", headers=ADMIN)
    assert response.status_code == 200, response.data
    return {group["name"] for group in response.get_json()["groups"]}


USER_SEARCHES = [
    "/api/users/search?q=",
    "/api/v2/users-management/users?q=",
    "/api/user_groups/users?name=sonar-users&q=",
]
GROUP_SEARCHES = ["/api/user_groups/search?q=", "/api/v2/authorizations/groups?q="]
#: The Groups page's member dialog (not of sonar-users: its members are listed read-only).
MEMBERS = "/admin/groups?dialog=members&name=sonar-administrators&selected=all"


@pytest.mark.parametrize("path", USER_SEARCHES)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%%", set()),
        ("__", set()),
        ("e_d", {"jane_doe"}),
        ("0%", {"pct"}),
        ("s/L", {"ops-lead"}),  # the escape character itself is escaped
    ],
)
def test_user_searches_match_the_text_as_typed(populated, path, query, expected):
    assert user_logins(populated, path, query) == expected


@pytest.mark.parametrize("path", GROUP_SEARCHES)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%%", set()),
        ("__", set()),
        ("m_a", {"team_a"}),
        ("0%", {"50%-club"}),
        ("a/d", {"qa/dev"}),
        ("/", {"qa/dev"}),
    ],
)
def test_group_searches_match_the_text_as_typed(populated, path, query, expected):
    assert group_names(populated, path, query) == expected


@pytest.mark.parametrize(
    ("page", "query", "pattern", "expected"),
    [
        ("/admin/users", "__", r'<tr data-login="([^"]+)"', set()),
        ("/admin/users", "e_d", r'<tr data-login="([^"]+)"', {"jane_doe"}),
        ("/admin/groups", "%%", r'<tr data-id="([^"]+)"', set()),
        ("/admin/groups", "m_a", r'<tr data-id="([^"]+)"', {"team_a"}),
        (MEMBERS, "__", r'name="login" value="([^"]+)"', set()),
        (MEMBERS, "e_d", r'name="login" value="([^"]+)"', {"jane_doe"}),
    ],
)
def test_the_pages_search_the_text_as_typed(sonar_app, populated, page, query, pattern, expected):
    browser = open_session(sonar_app, populated, "admin")
    parameter = "mq" if "dialog=members" in page else "q"
    separator = "&" if "?" in page else "?"
    html = browser.text(f"{page}{separator}{parameter}={quote(query)}")
    assert set(re.findall(pattern, html)) == expected
