"""Hostile input never makes a 500 and never stores what SonarQube could not store: deep or
broken JSON, values of the wrong type, huge numbers, NUL characters, invalid UTF-8 and very long
strings get the vendor's 400 (Web API v1, v2, SCIM, control plane), with no half write."""

import json

import pytest

from mock_sonar.views.common import to_json
from tests.conftest import ADMIN
from tests.sonar.conftest import SCIM, create_user, post_json
from tests.sonar.saml_idp_helper import ATTRIBUTES, encode, post_to_acs, start_login
from tests.sonar.ui_helper import open_session

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_UNPARSABLE = "Request is unparsable, syntactically incorrect, or violates schema."
V2_INVALID = {"message": "Invalid request format."}
PASSWORD = "Str0ng-Passw0rd!"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


#: Bodies no JSON reader of SonarQube's accepts.
UNREADABLE = {
    "1,000 levels of arrays": nested(1000),
    "100,000 levels of arrays": nested(100_000),
    "1,000 levels of objects": nested_object(1000),
    "invalid UTF-8": b'{"name":"\xff\xfe"}',
    "a lone surrogate": '{"name":"\\ud800","login":"\\udfff"}',
    "NaN": '{"name":NaN}',
    "truncated": '{"name":',
}


def scim_400(response, scim_type: str, detail: str | None = None) -> dict:
    assert response.status_code == 400, response.data
    assert response.headers["Content-Type"] == "application/scim+json"
    body = response.get_json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == "400"
    assert body["scimType"] == scim_type
    if detail is not None:
        assert body["detail"] == detail
    assert "pydantic" not in body["detail"]
    return body


def scim_send(client, headers, method: str, path: str, body: str | bytes):
    return client.open(
        path,
        method=method,
        data=body,
        headers={**headers, "Content-Type": "application/scim+json; charset=utf-8"},
    )


@pytest.fixture
def targets(sonar, scim):
    """A SCIM user and group to PUT and PATCH."""
    user = create_user(sonar, scim, "jane@example.com")
    group = post_json(sonar, f"{SCIM}/Groups", {"schemas": [GROUP], "displayName": "devs"}, scim)
    return {"user": user["id"], "group": group.get_json()["id"]}


def scim_writes(targets) -> list[tuple[str, str]]:
    return [
        ("POST", f"{SCIM}/Users"),
        ("PUT", f"{SCIM}/Users/{targets['user']}"),
        ("PATCH", f"{SCIM}/Users/{targets['user']}"),
        ("POST", f"{SCIM}/Groups"),
        ("PUT", f"{SCIM}/Groups/{targets['group']}"),
        ("PATCH", f"{SCIM}/Groups/{targets['group']}"),
    ]


# --- SCIM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_scim_refuses_unreadable_json_as_invalid_syntax(sonar, scim, targets, body):
    for method, path in scim_writes(targets):
        response = scim_send(sonar, scim, method, path, body)
        scim_400(response, "invalidSyntax", SCIM_UNPARSABLE)
    assert sonar.get(f"{SCIM}/Users", headers=scim).get_json()["totalResults"] == 1


@pytest.mark.parametrize(
    ("query", "start", "items"),
    [
        ("startIndex=99999999999999999999999", 2147483647, 0),
        ("startIndex=-99999999999999999999999", 1, 2),
        ("startIndex=0", 1, 2),
        ("count=99999999999999999999999", 1, 2),
        ("count=-99999999999999999999999", 1, 0),
        ("count=-1", 1, 0),
        ("startIndex=2&count=99999999999999999999999", 2, 1),
        ("startIndex=" + "9" * 5000, 2147483647, 0),
        ("count=-" + "9" * 5000, 1, 0),
        ("startIndex=0002&count=-0", 2, 0),
    ],
)
def test_scim_paging_takes_any_integer_as_rfc_7644_says(sonar, scim, query, start, items):
    create_user(sonar, scim, "jane@example.com")
    create_user(sonar, scim, "john@example.com")
    for resource in ("Users", "Groups"):
        response = sonar.get(f"{SCIM}/{resource}?{query}", headers=scim)
        assert response.status_code == 200, response.data
        listed = response.get_json()
        assert listed["startIndex"] == start
        if resource == "Users":
            assert listed["totalResults"] == 2
            assert listed["itemsPerPage"] == len(listed["Resources"]) == items


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("startIndex=abc", "startIndex must be an integer"),
        ("startIndex=1.5", "startIndex must be an integer"),
        ("count=1e3", "count must be an integer"),
        ("count=%C2%B2", "count must be an integer"),  # "²" is a digit to str.isdigit()
        ("count=", "count must be an integer"),
    ],
)
def test_scim_paging_refuses_what_is_no_integer(sonar, scim, query, detail):
    scim_400(sonar.get(f"{SCIM}/Users?{query}", headers=scim), "invalidValue", detail)


def test_an_unexpected_scim_failure_is_a_scim_error(sonar, scim, monkeypatch):
    from mock_sonar.accounts import scim_mapping

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(scim_mapping, "list_users", broken)
    response = sonar.get(f"{SCIM}/Users", headers=scim)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/scim+json"
    assert response.get_json() == {
        "schemas": [ERROR],
        "status": "500",
        "detail": "An error has occurred. Please contact your administrator",
    }


#: A SCIM body with one attribute of the wrong type, and the detail naming it.
WRONG_TYPES = [
    ({"userName": 5}, "userName must be a string"),
    ({"userName": ["jane@example.com"]}, "userName must be a string"),
    ({"userName": {"value": "x"}}, "userName must be a string"),
    ({"userName": "j@example.com", "active": "maybe"}, "active must be a boolean"),
    ({"userName": "j@example.com", "emails": "j@example.com"}, "emails must be an array"),
    ({"userName": "j@example.com", "emails": [{"value": 5}]}, "emails[0].value must be a string"),
    ({"userName": "j@example.com", "name": "Jane"}, "name must be a complex value (a JSON object)"),
    ({"userName": "j@example.com", "name": {"givenName": [1]}}, "name.givenName must be a string"),
    (
        {"userName": "j@example.com", "emails": [{"value": "j@example.com", "type": 5}]},
        "emails[0].type must be one of 'work', 'home' or 'other'",
    ),
]


@pytest.mark.parametrize(("attributes", "detail"), WRONG_TYPES)
def test_scim_names_the_attribute_of_a_wrong_type(sonar, scim, attributes, detail):
    response = post_json(sonar, f"{SCIM}/Users", {"schemas": [USER], **attributes}, scim)
    body = scim_400(response, "invalidValue", detail)
    assert "Input should be" not in body["detail"]


@pytest.mark.parametrize(
    ("operation", "detail"),
    [
        ({"op": "replace", "value": {"active": "maybe"}}, "active must be a boolean"),
        ({"op": "replace", "path": "active", "value": [1]}, "active must be a boolean"),
        ({"op": "replace", "path": "name.givenName", "value": {"a": 1}}, None),
    ],
)
def test_a_scim_patch_of_the_wrong_type_hides_pydantic(sonar, scim, targets, operation, detail):
    patch = {"schemas": [PATCH_OP], "Operations": [operation]}
    path = f"{SCIM}/Users/{targets['user']}"
    body = scim_400(post_json(sonar, path, patch, scim, method="PATCH"), "invalidValue", detail)
    assert "validation error" not in body["detail"]
    assert "errors.pydantic.dev" not in body["detail"]


def test_a_scim_group_patch_of_the_wrong_type_hides_pydantic(sonar, scim, targets):
    operation = {"op": "add", "path": "members", "value": [{"value": 5}]}
    patch = {"schemas": [PATCH_OP], "Operations": [operation]}
    path = f"{SCIM}/Groups/{targets['group']}"
    scim_400(post_json(sonar, path, patch, scim, method="PATCH"), "invalidValue")


#: SCIM bodies with a NUL somewhere, and the attribute the refusal names.
SCIM_NULS = [
    ("Users", {"schemas": [USER], "userName": "a\x00@example.com"}, "userName"),
    ("Users", {"schemas": [USER], "userName": "n@example.com", "displayName": "N\x00"}, None),
    (
        "Users",
        {"schemas": [USER], "userName": "n@example.com", "name": {"givenName": "\x00"}},
        None,
    ),
    ("Users", {"schemas": [USER], "userName": "n@example.com", "externalId": "x\x00"}, None),
    ("Users", {"schemas": [USER], "userName": "n@example.com", "title": "x\x00"}, None),
    ("Users", {"schemas": [USER], "userName": "n@example.com", "x\x00": "y"}, None),
    ("Groups", {"schemas": [GROUP], "displayName": "g\x00"}, "displayName"),
    ("Groups", {"schemas": [GROUP], "displayName": "g", "externalId": "\x00"}, "externalId"),
]


@pytest.mark.parametrize(("resource", "body", "attribute"), SCIM_NULS)
def test_scim_stores_no_nul(sonar, scim, resource, body, attribute):
    response = post_json(sonar, f"{SCIM}/{resource}", body, scim)
    refusal = scim_400(response, "invalidValue")
    assert refusal["detail"].endswith("must not contain the NUL character")
    if attribute:
        assert refusal["detail"] == f"{attribute} must not contain the NUL character"
    assert sonar.get(f"{SCIM}/{resource}", headers=scim).get_json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("operation", "attribute"),
    [
        ({"op": "replace", "path": "name.givenName", "value": "J\x00"}, "name.givenName"),
        ({"op": "replace", "value": {"name": {"formatted": "J\x00"}}}, "name.formatted"),
        ({"op": "add", "path": "emails", "value": [{"value": "j\x00@x.org"}]}, "emails[0].value"),
    ],
)
def test_a_scim_patch_stores_no_nul(sonar, scim, targets, operation, attribute):
    patch = {"schemas": [PATCH_OP], "Operations": [operation]}
    path = f"{SCIM}/Users/{targets['user']}"
    response = post_json(sonar, path, patch, scim, method="PATCH")
    scim_400(response, "invalidValue", f"{attribute} must not contain the NUL character")
    assert "\x00" not in json.dumps(sonar.get(path, headers=scim).get_json())


# --- Web API v1 ------------------------------------------------------------------------------


def v1_400(response, message: str) -> None:
    assert response.status_code == 400, response.data
    assert response.get_json() == {"errors": [{"msg": message}]}


@pytest.fixture
def dev(sonar):
    created = sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "dev", "name": "Dev", "password": PASSWORD},
    )
    assert created.status_code == 200
    assert sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": "devs"}).status_code
    return sonar


V1_NULS = [
    ("/api/users/create", {"login": "nul", "name": "N\x00", "password": PASSWORD}, "Name"),
    ("/api/users/create", {"login": "nul", "name": "N", "scmAccount": "s\x00"}, "SCM account"),
    ("/api/users/update", {"login": "dev", "name": "D\x00"}, "Name"),
    ("/api/users/update", {"login": "dev", "scmAccount": "\x00"}, "SCM account"),
    ("/api/user_groups/create", {"name": "g\x00"}, "Group name"),
    ("/api/user_groups/create", {"name": "g", "description": "d\x00"}, "Description"),
    ("/api/user_groups/update", {"currentName": "devs", "name": "d\x00"}, "Group name"),
    ("/api/user_groups/update", {"currentName": "devs", "description": "\x00"}, "Description"),
    (
        "/api/settings/set",
        {"key": "sonar.auth.saml.providerName", "value": "x\x00"},
        "Setting value",
    ),
    ("/api/settings/set", {"key": "sonar.auth.saml.group.names", "values": ["a", "\x00"]}, None),
    ("/api/settings/set", {"key": "my.\x00key", "value": "x"}, "Setting key"),
    ("/api/user_tokens/generate", {"name": "t\x00"}, "Token name"),
]


@pytest.mark.parametrize(("path", "data", "label"), V1_NULS)
def test_the_web_api_stores_no_nul(dev, path, data, label):
    before = dev.get("/_mock/state", headers=ADMIN).get_json()
    response = dev.post(path, headers=ADMIN, data=data)
    v1_400(response, f"{label or 'Setting value'} must not contain the NUL character")
    assert dev.get("/_mock/state", headers=ADMIN).get_json() == before


@pytest.mark.parametrize(
    ("method", "path", "length"),
    [
        *[
            ("POST", path, length)
            for path in (
                "/api/users/search",
                "/api/user_groups/search",
                "/api/user_groups/users?name=devs",
            )
            for length in (50_000, 200_000)
        ],
        # In a URL, as long as one can be: longer ones get 414 before the app reads them.
        ("GET", "/api/v2/users-management/users", 16_000),
        ("GET", "/api/v2/authorizations/groups", 16_000),
    ],
)
def test_a_very_long_search_finds_nothing(dev, method, path, length):
    text = "d" * length  # would match "dev" and "devs" if it were cut short
    if method == "POST":
        response = dev.post(path, headers=ADMIN, data={"q": text})
    else:
        response = dev.get(path, headers=ADMIN, query_string={"q": text})
    assert response.status_code == 200, response.data
    body = response.get_json()
    listed = body.get("users", body.get("groups"))
    assert listed == []


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "9" * 5000, "-" + "9" * 20, "1e3", "0x10"])
@pytest.mark.parametrize("key", ["p", "ps"])
@pytest.mark.parametrize(
    "path", ["/api/users/search", "/api/user_groups/search", "/api/user_groups/users?name=devs"]
)
def test_v1_paging_refuses_what_is_no_java_int(dev, path, key, value):
    response = dev.post(path, headers=ADMIN, data={key: value})
    v1_400(response, f"The '{key}' parameter cannot be parsed as an integer value: {value}")


def test_a_search_with_a_nul_finds_nothing(dev):
    response = dev.get("/api/users/search?q=d%00", headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["users"] == []


def test_invalid_utf8_in_a_form_is_no_500(dev):
    response = dev.post(
        "/api/user_groups/create",
        headers={**ADMIN, "Content-Type": "application/x-www-form-urlencoded"},
        data=b"name=caf%E9&description=%FF%FE",
    )
    assert response.status_code == 200, response.data
    assert response.get_json()["group"]["name"].startswith("caf")


# --- Web API v2 ------------------------------------------------------------------------------

V2_WRITES = [
    ("POST", "/api/v2/users-management/users", "application/json"),
    ("PATCH", "/api/v2/users-management/users/{user}", "application/merge-patch+json"),
    ("POST", "/api/v2/authorizations/groups", "application/json"),
    ("PATCH", "/api/v2/authorizations/groups/{group}", "application/merge-patch+json"),
    ("POST", "/api/v2/authorizations/group-memberships", "application/json"),
]


@pytest.fixture
def v2_ids(dev):
    user = dev.get("/api/v2/users-management/users?q=dev", headers=ADMIN).get_json()["users"][0]
    group = dev.get("/api/v2/authorizations/groups?q=devs", headers=ADMIN).get_json()["groups"][0]
    return {"user": user["id"], "group": group["id"]}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
@pytest.mark.parametrize(("method", "path", "media_type"), V2_WRITES)
def test_v2_refuses_unreadable_json(dev, v2_ids, method, path, media_type, body):
    response = dev.open(
        path.format(**v2_ids),
        method=method,
        data=body,
        headers={**ADMIN, "Content-Type": media_type},
    )
    assert response.status_code == 400, response.data
    assert response.get_json() == V2_INVALID


@pytest.mark.parametrize(
    "body",
    [
        {"login": ["dev2"], "name": "Dev 2", "password": PASSWORD},
        {"login": "dev2", "name": {"first": "Dev"}, "password": PASSWORD},
        {"login": "dev2", "name": "Dev 2", "password": PASSWORD, "scmAccounts": "one"},
        {"login": "dev2", "name": "Dev 2", "password": PASSWORD, "scmAccounts": [["a"]]},
        {"login": "dev2", "name": "Dev 2", "password": PASSWORD, "local": "maybe"},
        {"login": "dev2", "name": "Dev 2", "password": PASSWORD, "local": [True]},
    ],
)
def test_v2_refuses_values_of_the_wrong_json_type(dev, body):
    response = dev.post("/api/v2/users-management/users", headers=ADMIN, json=body)
    assert response.status_code == 400, response.data
    assert response.get_json() == V2_INVALID


@pytest.mark.parametrize(
    ("method", "path", "body", "label"),
    [
        ("POST", "/api/v2/users-management/users", {"login": "d2", "name": "\x00"}, "Name"),
        ("PATCH", "/api/v2/users-management/users/{user}", {"name": "D\x00"}, "Name"),
        ("PATCH", "/api/v2/users-management/users/{user}", {"email": "d\x00@x.org"}, None),
        ("PATCH", "/api/v2/users-management/users/{user}", {"scmAccounts": ["\x00"]}, None),
        ("POST", "/api/v2/authorizations/groups", {"name": "g\x00"}, "Group name"),
        ("PATCH", "/api/v2/authorizations/groups/{group}", {"name": "g\x00"}, "Group name"),
        ("PATCH", "/api/v2/authorizations/groups/{group}", {"description": "\x00"}, None),
    ],
)
def test_v2_stores_no_nul(dev, v2_ids, method, path, body, label):
    before = dev.get("/_mock/state", headers=ADMIN).get_json()
    media_type = "application/json" if method == "POST" else "application/merge-patch+json"
    response = dev.open(
        path.format(**v2_ids),
        method=method,
        data=json.dumps({**body, "password": PASSWORD} if method == "POST" else body),
        headers={**ADMIN, "Content-Type": media_type},
    )
    assert response.status_code == 400, response.data
    message = response.get_json()["message"]
    assert message.endswith("must not contain the NUL character")
    if label:
        assert message == f"{label} must not contain the NUL character"
    assert dev.get("/_mock/state", headers=ADMIN).get_json() == before


# --- control plane ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
@pytest.mark.parametrize("path", ["/_mock/clock", "/_mock/state", "/_mock/faults"])
def test_the_control_plane_refuses_unreadable_json(sonar, path, body):
    response = sonar.post(path, data=body, headers={**ADMIN, "Content-Type": "application/json"})
    assert response.status_code == 400, response.data
    assert set(response.get_json()) == {"errors"}


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"advanceSeconds": 10**30}, "advanceSeconds"),
        ({"advanceSeconds": 1e300}, "advanceSeconds"),
        ({"advanceSeconds": -(10**30)}, "advanceSeconds"),
        ({"freeze": "9999-12-31T23:59:59+00:00", "advanceSeconds": 60}, "advanceSeconds"),
        # Dates the apps would later add days or token windows to, past Python's year 9999.
        ({"freeze": "9999-12-31T23:59:59+00:00"}, "freeze"),
        ({"freeze": "8999-12-31T00:00:00+00:00", "advanceSeconds": 86400 * 400}, "advanceSeconds"),
        ({"freeze": "1969-12-31T23:59:59+00:00"}, "freeze"),
    ],
)
def test_the_clock_refuses_a_move_out_of_range(sonar, command, field):
    before = sonar.post("/_mock/clock", headers=ADMIN, json={"freeze": "2025-01-15T10:00:00Z"})
    response = sonar.post("/_mock/clock", headers=ADMIN, json=command)
    assert response.status_code == 400, response.data
    assert response.get_json() == {"errors": [{"msg": f"'{field}' moves the clock out of range"}]}
    after = sonar.post("/_mock/clock", headers=ADMIN, json={})
    assert after.get_json() == before.get_json()


@pytest.mark.parametrize(
    "fault",
    [
        {"count": 10**30, "status": 503},
        {"count": True, "status": 503},
        {"status": 10**30},
        {"status": 503, "headers": {"Retry-After": "1\r\nSet-Cookie: x=y"}},
        {"status": 503, "headers": {"X-\nBad": "1"}},
        {"status": 503, "contentType": "text/plain\r\nX: y"},
        {"status": 503, "body": {"not": "text"}},
        {"status": 503, "method": ["POST"]},
    ],
)
def test_a_fault_that_could_not_be_served_is_refused(sonar, fault):
    response = sonar.post("/_mock/faults", headers=ADMIN, json=fault)
    assert response.status_code == 400, response.data


# --- pages and output ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users?q=%00",
        "/admin/users?q=a%00b&managed=%00",
        "/admin/groups?q=%00",
        "/admin/users?dialog=update&login=%00",
        "/admin/users?q=" + "x" * 100_000,
        "/admin/groups?q=" + "x" * 100_000,
        "/sessions/new?return_to=%00",
    ],
)
def test_no_page_writes_a_nul(sonar_app, sonar, path):
    browser = open_session(sonar_app, sonar, "admin")
    response = browser.get(path)
    assert response.status_code < 500
    assert b"\x00" not in response.data


def test_a_page_refusing_a_nul_does_not_echo_it(sonar_app, sonar):
    browser = open_session(sonar_app, sonar, "admin")
    response = browser.post("/admin/groups/create", {"name": "g\x00", "description": ""})
    assert response.status_code < 500
    assert b"\x00" not in response.data
    groups = sonar.get("/api/user_groups/search", headers=ADMIN).get_json()["groups"]
    assert "g\x00" not in [group["name"] for group in groups]


def test_json_output_survives_a_lone_surrogate():
    assert json.loads(to_json({"name": "a\ud800"})) == {"name": "a\ud800"}


def test_a_deep_auth_params_cookie_is_ignored(saml_sonar, idp):
    relay_state = start_login(saml_sonar, "/projects")
    saml_sonar.set_cookie("AUTH-PARAMS", nested(2000))  # deeper than Python's stack
    response = post_to_acs(saml_sonar, encode(idp.response(attributes=ATTRIBUTES)), relay_state)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
