"""Hostile input to every /api/v1 and /_mock route: always a 4xx in Okta's error format, never a
500, and nothing written when a request is refused (SPEC §7 "Bad input").

The sweeps run on the default org (fixtures/default.json). The routes that read a JSON body are
listed here, and a test keeps the lists in step with the app's routes.
"""

import json
import re
import shutil

import pytest

from mock_common.db import connect
from mock_common.state import export_state
from mock_okta.config import ORG_ADMIN_LOGIN
from tests.okta.api_helpers import SONARQUBE_APP, SSWS
from tests.okta.console_helpers import (
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
    sign_in,
)

ALICE = "00ualicemartin000001"
BOB = "00ubobnguyen00000002"
QA = "00gsonarqa0000000002"
RULE = "0prengineeringdept01"
APP = "0oasonarqubedevenv01"
ERROR_ID = re.compile(r"^oae[A-Za-z0-9]{22}$")
ERROR_KEYS = {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
MALFORMED = "The request body was not well-formed."

#: Every write route that reads a JSON body, as the app spells it.
BODY_ROUTES = [
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/users/<user_id>"),
    ("PUT", "/api/v1/users/<user_id>"),
    ("POST", "/api/v1/users/<user_id>/credentials/change_password"),
    ("POST", "/api/v1/groups"),
    ("PUT", "/api/v1/groups/<group_id>"),
    ("POST", "/api/v1/groups/rules"),
    ("PUT", "/api/v1/groups/rules/<rule_id>"),
    ("POST", "/api/v1/apps"),
    ("PUT", "/api/v1/apps/<app_id>"),
    ("POST", "/api/v1/apps/<app_id>/users"),
    ("POST", "/api/v1/apps/<app_id>/users/<user_id>"),
    ("PUT", "/api/v1/apps/<app_id>/groups/<group_id>"),
    ("PUT", "/api/v1/apps/<app_id>/features/<name>"),
    ("POST", "/api/v1/apps/<app_id>/group-push/mappings"),
    ("PATCH", "/api/v1/apps/<app_id>/group-push/mappings/<mapping_id>"),
    ("PUT", "/api/v1/api-tokens/<token_id>"),
    ("POST", "/_mock/api-tokens"),
    ("PUT", "/_mock/apps/<app_id>/provisioning"),
    ("POST", "/_mock/apps/<app_id>/group-push/rules"),
    ("POST", "/_mock/provisioning/wait"),
    ("POST", "/_mock/state"),
    ("POST", "/_mock/seed"),
    ("POST", "/_mock/clock"),
]
#: The write routes that take no body (lifecycle operations, deletions, pushes).
BODILESS_ROUTES = [
    ("POST", "/api/v1/users/<user_id>/lifecycle/<action>"),
    ("POST", "/api/v1/users/<user_id>/lifecycle/reset_password"),
    ("POST", "/api/v1/users/<user_id>/lifecycle/expire_password"),
    ("POST", "/api/v1/users/<user_id>/lifecycle/expire_password_with_temp_password"),
    ("POST", "/api/v1/users/<user_id>/lifecycle/unlock"),
    ("DELETE", "/api/v1/users/<user_id>"),
    ("DELETE", "/api/v1/users/<user_id>/sessions"),
    ("DELETE", "/api/v1/groups/<group_id>"),
    ("PUT", "/api/v1/groups/<group_id>/users/<user_id>"),
    ("DELETE", "/api/v1/groups/<group_id>/users/<user_id>"),
    ("DELETE", "/api/v1/groups/rules/<rule_id>"),
    ("POST", "/api/v1/groups/rules/<rule_id>/lifecycle/<action>"),
    ("DELETE", "/api/v1/apps/<app_id>"),
    ("POST", "/api/v1/apps/<app_id>/lifecycle/<action>"),
    ("DELETE", "/api/v1/apps/<app_id>/users/<user_id>"),
    ("DELETE", "/api/v1/apps/<app_id>/groups/<group_id>"),
    ("DELETE", "/api/v1/apps/<app_id>/group-push/mappings/<mapping_id>"),
    ("POST", "/api/v1/apps/<app_id>/credentials/keys/generate"),
    ("POST", "/api/v1/apps/<app_id>/credentials/keys/<kid>/clone"),
    ("DELETE", "/api/v1/api-tokens/current"),
    ("DELETE", "/api/v1/api-tokens/<token_id>"),
    ("POST", "/_mock/apps/<app_id>/provisioning/test"),
    ("POST", "/_mock/tasks/<task_id>/retry"),
    ("POST", "/_mock/tasks/<task_id>/dismiss"),
    ("POST", "/_mock/apps/<app_id>/users/<user_id>/provision"),
    ("DELETE", "/_mock/apps/<app_id>/group-push/rules/<rule_id>"),
    ("POST", "/_mock/apps/<app_id>/group-push/rules/<rule_id>/lifecycle/activate"),
    ("POST", "/_mock/apps/<app_id>/group-push/rules/<rule_id>/lifecycle/deactivate"),
    ("POST", "/_mock/apps/<app_id>/group-push/mappings/<mapping_id>/push"),
    ("POST", "/_mock/apps/<app_id>/group-push/retry"),
    ("POST", "/_mock/reset"),
]
#: Path arguments of the default org (the `ids` fixture adds `token_id` and `kid`).
IDS = {
    "user_id": ALICE,
    "group_id": QA,
    "rule_id": RULE,
    "app_id": APP,
    "name": "USER_PROVISIONING",
    "mapping_id": "0gpnotamapping000001",
    "action": "activate",
    "task_id": "notatask",
}


@pytest.fixture
def org(okta_app, seeded_template):  # noqa: F811  (the imported fixture)
    """The default org and an API client."""
    shutil.copyfile(seeded_template, okta_app.config["DATABASE"])
    return okta_app.test_client()


@pytest.fixture
def ids(org) -> dict[str, str]:
    """Every path argument's value in the default org."""
    token = org.get("/api/v1/api-tokens", headers=SSWS).get_json()[0]["id"]
    key = org.get(f"/api/v1/apps/{APP}/credentials/keys", headers=SSWS).get_json()[0]["kid"]
    return {**IDS, "token_id": token, "kid": key}


def path_of(rule: str, ids: dict[str, str], **overrides: str) -> str:
    """A route with the org's ids (or `overrides`) in its arguments."""
    values = {**ids, **overrides}
    return re.sub(r"<(\w+)>", lambda match: values[match.group(1)], rule)


def send(client, method: str, path: str, body: object = None, *, raw: bytes | None = None):
    """An SSWS request with a JSON body (or raw bytes sent as application/json)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    return client.open(
        path, method=method, data=data, content_type="application/json", headers=SSWS
    )


def assert_okta_error(response, status: int, code: str) -> dict:
    """Okta's error body: its five fields, the code twice, an `oae…` errorId."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["errorCode"] == body["errorLink"] == code
    assert ERROR_ID.match(body["errorId"])
    assert all(set(cause) == {"errorSummary"} for cause in body["errorCauses"])
    return body


def assert_not_a_server_error(response, what: str) -> None:
    """A 2xx or 3xx, or a 4xx with Okta's error body."""
    assert response.status_code < 500, f"{what}: {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert_okta_error(response, response.status_code, response.get_json()["errorCode"])


def causes_of(body: dict) -> list[str]:
    return [cause["errorSummary"] for cause in body["errorCauses"]]


def state_of(okta_app) -> dict:
    """Every table of the org (a token's `last_used` moves with use, not with a change)."""
    db = connect(okta_app.config["DATABASE"])
    try:
        state = export_state(db)
    finally:
        db.conn.close()
    for token in state.get("api_tokens", []):
        token.pop("last_used", None)
    return state


# --- the route lists follow the app ---------------------------------------------------------


def test_every_write_route_is_swept(okta_app):
    routes = {
        (method, rule.rule)
        for rule in okta_app.url_map.iter_rules()
        if rule.rule.startswith(("/api/v1/", "/_mock/"))
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert routes == set(BODY_ROUTES) | set(BODILESS_ROUTES)


# --- bodies that are not a JSON object: E0000003 ------------------------------------------

NOT_AN_OBJECT = {
    "not JSON": b"{not json",
    "an array": b"[]",
    "a string": b'"x"',
    "a number": b"5",
    "null": b"null",
    "two documents": b'{"a": 1}{"b": 2}',
    "1,000 nested arrays": b"[" * 1000 + b"]" * 1000,
    "1,000 nested objects": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "65 nested arrays": b'{"a":' + b"[" * 64 + b"]" * 64 + b"}",
    "invalid UTF-8": b'{"name": "\xff\xfe"}',
    "UTF-16": '{"name": "x"}'.encode("utf-16"),
    "NaN": b'{"a": NaN}',
    "-Infinity": b'{"a": -Infinity}',
    "1e400": b'{"a": 1e400}',
    "a lone surrogate": b'{"name": "\\ud800"}',
    "a 5,000-digit number": b'{"a": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize(("method", "rule"), BODY_ROUTES)
def test_a_body_that_is_not_a_json_object_is_E0000003(org, okta_app, ids, method, rule):
    before = state_of(okta_app)
    for name, raw in NOT_AN_OBJECT.items():
        response = send(org, method, path_of(rule, ids), raw=raw)
        body = assert_okta_error(response, 400, "E0000003")
        assert body["errorSummary"] == MALFORMED, name
        assert body["errorCauses"] == [], name
    assert state_of(okta_app) == before


def test_nesting_up_to_the_bound_is_parsed_and_validated(org):
    nested = json.loads("[" * 62 + "]" * 62)
    response = send(org, "POST", "/api/v1/groups", {"profile": {"name": "x", "deep": nested}})
    body = assert_okta_error(response, 400, "E0000001")
    assert causes_of(body) == ["deep: Property value is not of the expected type"]


@pytest.mark.parametrize(("method", "rule"), BODILESS_ROUTES[:-1])
def test_a_route_without_a_body_ignores_one(org, ids, method, rule):
    response = send(org, method, path_of(rule, ids), raw=b"[" * 1000 + b"]" * 1000)
    assert_not_a_server_error(response, f"{method} {rule}")


# --- wrong JSON types and refused values: E0000001 naming the field ------------------------

USER = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "login": "ada@example.com",
}
RULE_BODY = {
    "type": "group_rule",
    "name": "QA",
    "conditions": {
        "expression": {"value": 'user.department == "QA"', "type": "urn:okta:expression:1.0"}
    },
    "actions": {"assignUserToGroups": {"groupIds": [QA]}},
}
TYPE = "Property value is not of the expected type"


def _with(base: dict, path: str, value: object) -> dict:
    """A copy of `base` with `value` at the dotted `path`."""
    copy = json.loads(json.dumps(base))
    node = copy
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return copy


def _saml(path: str, value: object) -> dict:
    return _with(SONARQUBE_APP, path, value)


def _rule(path: str, value: object) -> dict:
    return _with(RULE_BODY, path, value)


REFUSED = [
    # users
    ("POST", "/api/v1/users", {"profile": {**USER, "firstName": 5}}, f"firstName: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "firstName": True}}, f"firstName: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "login": []}}, f"login: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "login": 10**22}}, f"login: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "login": {"a": 1}}}, f"login: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "extra": {"a": 1}}}, f"extra: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "extra": [1, [2]]}}, f"extra: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": {**USER, "extra": 2**70}}, f"extra: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": 5}, f"profile: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": []}, f"profile: {TYPE}"),
    (
        "POST",
        "/api/v1/users",
        {"profile": {**USER, "firstName": "x" * 51}},
        "firstName: The field is too long",
    ),
    (
        "POST",
        "/api/v1/users",
        {"profile": {**USER, "countryCode": "FRA"}},
        "countryCode: The field is too long",
    ),
    (
        "POST",
        "/api/v1/users",
        {"profile": USER, "credentials": "x"},
        "credentials: Invalid credentials object",
    ),
    (
        "POST",
        "/api/v1/users",
        {"profile": USER, "credentials": []},
        "credentials: Invalid credentials object",
    ),
    (
        "POST",
        "/api/v1/users",
        {"profile": USER, "credentials": {"password": "Passw0rd!xyz"}},
        "credentials: Invalid credentials object",
    ),
    (
        "POST",
        "/api/v1/users",
        {"profile": USER, "credentials": {"password": {"value": 12345678}}},
        "password: Password requirements were not met. Password requirements: at least 8 "
        "characters.",
    ),
    ("POST", "/api/v1/users", {"profile": USER, "groupIds": QA}, f"groupIds: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": USER, "groupIds": [[QA]]}, f"groupIds: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": USER, "groupIds": [10**22]}, f"groupIds: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": USER, "type": 5}, f"type: {TYPE}"),
    ("POST", "/api/v1/users", {"profile": USER, "type": {"id": []}}, f"type: {TYPE}"),
    ("POST", f"/api/v1/users/{ALICE}", {"profile": 5}, f"profile: {TYPE}"),
    ("POST", f"/api/v1/users/{ALICE}", {"profile": "x"}, f"profile: {TYPE}"),
    ("POST", f"/api/v1/users/{ALICE}", {"profile": {"lastName": 1.5}}, f"lastName: {TYPE}"),
    ("PUT", f"/api/v1/users/{ALICE}", {"profile": {**USER, "login": 5}}, f"login: {TYPE}"),
    (
        "POST",
        f"/api/v1/users/{ALICE}/credentials/change_password",
        {"oldPassword": {"value": 5}, "newPassword": {"value": "NewPassw0rd!!"}},
        "oldPassword: The field cannot be left blank",
    ),
    # groups
    ("POST", "/api/v1/groups", {"profile": {"name": 5}}, "name: The field cannot be left blank"),
    (
        "POST",
        "/api/v1/groups",
        {"profile": {"name": "g", "description": []}},
        f"description: {TYPE}",
    ),
    ("POST", "/api/v1/groups", {"profile": {"name": "x" * 256}}, "name: The field is too long"),
    ("PUT", f"/api/v1/groups/{QA}", {"profile": {"name": "g", "tag": {}}}, f"tag: {TYPE}"),
    # group rules
    ("POST", "/api/v1/groups/rules", _rule("conditions.expression.value", []), None),
    ("POST", "/api/v1/groups/rules", _rule("conditions.expression.value", {}), None),
    ("POST", "/api/v1/groups/rules", _rule("name", {}), "name: The field cannot be left blank"),
    ("POST", "/api/v1/groups/rules", _rule("name", "x" * 51), "name: The field is too long"),
    (
        "POST",
        "/api/v1/groups/rules",
        _rule("actions.assignUserToGroups.groupIds", [5]),
        "actions.assignUserToGroups.groupIds: The field must be an array of strings",
    ),
    # apps
    ("POST", "/api/v1/apps", _saml("label", []), "label: The field cannot be left blank"),
    ("POST", "/api/v1/apps", _saml("visibility.hide", 5), f"hide: {TYPE}"),
    ("PUT", f"/api/v1/apps/{APP}", _saml("visibility.hide", "x"), f"hide: {TYPE}"),
    ("POST", "/api/v1/apps", _saml("settings.signOn.slo", 5), f"slo: {TYPE}"),
    ("POST", "/api/v1/apps", _saml("settings.signOn.spCertificate", []), f"spCertificate: {TYPE}"),
    ("POST", "/api/v1/apps", _saml("settings.signOn.acsEndpoints", "x"), f"acsEndpoints: {TYPE}"),
    (
        "POST",
        "/api/v1/apps",
        _saml("settings.signOn.audienceOverride", 5),
        f"audienceOverride: {TYPE}",
    ),
    (
        "POST",
        "/api/v1/apps",
        _saml("credentials", {"userNameTemplate": {"template": ["x"]}}),
        f"userNameTemplate.template: {TYPE}",
    ),
    (
        "POST",
        f"/api/v1/apps/{APP}/users",
        {"id": BOB, "credentials": {"userName": 5}},
        "userName: Does not match required pattern",
    ),
    (
        "POST",
        f"/api/v1/apps/{APP}/users",
        {"id": BOB, "profile": {"role": {"a": 1}}},
        f"role: {TYPE}",
    ),
    ("POST", f"/api/v1/apps/{APP}/users", {"id": ["x"]}, "id: The field cannot be left blank"),
    (
        "PUT",
        f"/api/v1/apps/{APP}/groups/{QA}",
        {"priority": "1"},
        "priority: Does not match required pattern",
    ),
    (
        "PUT",
        f"/api/v1/apps/{APP}/groups/{QA}",
        {"priority": 10**22},
        "priority: Does not match required pattern",
    ),
    # the console's JSON twins and the control plane
    ("PUT", f"/_mock/apps/{APP}/provisioning", {"baseUrl": 5}, "baseUrl: Must be a valid URL"),
    ("PUT", f"/_mock/apps/{APP}/provisioning", {"token": []}, "token: must be a string"),
    (
        "POST",
        "/_mock/provisioning/wait",
        {"timeoutSeconds": "1"},
        "timeoutSeconds: a number from 0 to 600",
    ),
    (
        "POST",
        "/_mock/provisioning/wait",
        {"timeoutSeconds": 10**22},
        "timeoutSeconds: a number from 0 to 600",
    ),
    (
        "POST",
        "/_mock/clock",
        {"advanceSeconds": 10**22},
        "advanceSeconds: moves the clock out of range",
    ),
    ("POST", "/_mock/clock", {"advanceSeconds": True}, "advanceSeconds: must be a number"),
    ("POST", "/_mock/state", {"users": [{"id": "x", "seq": 10**22}]}, None),
    ("POST", "/_mock/seed", {"fixture": []}, "fixture: must be a fixture object"),
    (
        "POST",
        "/_mock/seed",
        {"fixture": {}, "variables": [1]},
        "variables: must be an object of strings",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "cause"), REFUSED)
def test_a_wrong_type_or_value_is_E0000001_naming_the_field(
    org, okta_app, method, path, body, cause
):
    before = state_of(okta_app)
    response = send(org, method, path, body)
    result = assert_okta_error(response, 400, "E0000001")
    if cause is not None:
        assert cause in causes_of(result)
        assert result["errorSummary"] == f"Api validation failed: {cause.split(':')[0]}"
    assert state_of(okta_app) == before


@pytest.mark.parametrize("value", [[], {}, 5, True])
def test_a_rule_expression_that_is_not_a_string_is_refused(org, value):
    response = send(
        org, "POST", "/api/v1/groups/rules", _rule("conditions.expression.value", value)
    )
    body = assert_okta_error(response, 400, "E0000001")
    assert causes_of(body) == [f"conditions.expression.value: {TYPE}"]


@pytest.mark.parametrize(
    ("expression", "cause"),
    [
        ("!" * 5000 + 'user.department == "QA"', "The expression is too long"),
        ("(" * 3000 + 'user.department == "QA"' + ")" * 3000, "The expression is too long"),
        ("!" * 60 + 'user.department == "QA"', "The expression is nested too deeply"),
        ("(" * 60 + 'user.department == "QA"' + ")" * 60, "The expression is nested too deeply"),
        ("+".join(["1"] * 400) + " == 1", "The expression is nested too deeply"),
        ('user.department == "Q\x00A"', "Unexpected control character at position 21"),
    ],
)
def test_an_unbounded_rule_expression_is_an_invalid_expression(org, okta_app, expression, cause):
    before = state_of(okta_app)
    response = send(
        org, "POST", "/api/v1/groups/rules", _rule("conditions.expression.value", expression)
    )
    body = assert_okta_error(response, 400, "E0000001")
    # The wording of every invalid expression (group_rules._fields).
    assert body["errorSummary"] == "Api validation failed: validateRule"
    assert causes_of(body)[0].startswith(cause)
    assert state_of(okta_app) == before


# --- control characters in what the directory stores ---------------------------------------

CONTROL = "The field cannot contain control characters"
CONTROLLED = [
    ("POST", "/api/v1/users", {"profile": {**USER, "firstName": "Ada\x00"}}, "firstName"),
    ("POST", "/api/v1/users", {"profile": {**USER, "lastName": "Love\nlace"}}, "lastName"),
    ("POST", "/api/v1/users", {"profile": {**USER, "login": "a\x00@example.com"}}, "login"),
    ("POST", "/api/v1/users", {"profile": {**USER, "title": "\x1b[31mRed"}}, "title"),
    ("POST", "/api/v1/users", {"profile": {**USER, "nick": ["ok", "n\x7fo"]}}, "nick"),
    ("POST", f"/api/v1/users/{ALICE}", {"profile": {"firstName": "Al\x00ice"}}, "firstName"),
    ("POST", "/api/v1/groups", {"profile": {"name": "sonar-\x00x"}}, "name"),
    ("POST", "/api/v1/groups", {"profile": {"name": "g", "description": "d\x00"}}, "description"),
    ("PUT", f"/api/v1/groups/{QA}", {"profile": {"name": "sonar\tqa"}}, "name"),
    ("POST", "/api/v1/apps", _saml("label", "Sonar\x00Qube"), "label"),
    ("PUT", f"/api/v1/apps/{APP}", _saml("label", "Sonar\nQube"), "label"),
    (
        "POST",
        "/api/v1/apps",
        _saml("settings.signOn.attributeStatements", [{"type": "EXPRESSION", "name": "lo\x00gin"}]),
        "attributeStatements.name",
    ),
    (
        "POST",
        "/api/v1/apps",
        _saml("settings.signOn.defaultRelayState", "a\x00"),
        "defaultRelayState",
    ),
    ("POST", "/api/v1/groups/rules", _rule("name", "Q\x00A"), "name"),
    (
        "POST",
        f"/api/v1/apps/{APP}/users",
        {"id": BOB, "credentials": {"userName": "bob\x00"}},
        "userName",
    ),
    ("PUT", f"/_mock/apps/{APP}/provisioning", {"token": "squ_\r\nX-Evil: 1"}, "token"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), CONTROLLED)
def test_a_control_character_is_refused_where_it_would_be_stored(
    org, okta_app, method, path, body, field
):
    before = state_of(okta_app)
    response = send(org, method, path, body)
    result = assert_okta_error(response, 400, "E0000001")
    assert f"{field}: {CONTROL}" in causes_of(result)
    assert state_of(okta_app) == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/users", {"profile": {**USER, "streetAddress": "1 Main St\nApt 2"}}),
        ("/api/v1/groups", {"profile": {"name": "g", "description": "line 1\r\nline 2\tend"}}),
    ],
)
def test_line_breaks_are_kept_where_a_value_spans_lines(org, path, body):
    assert send(org, "POST", path, body).status_code == 200


def test_the_console_refuses_a_control_character_as_the_api_does(console):
    form = {
        "login": "alice.martin@example.com",
        "firstName": "Al\x00ice",
        "lastName": "Martin",
        "email": "alice.martin@example.com",
    }
    response = console.post(f"/admin/user/profile/view/{ALICE}", form)
    assert response.status_code == 400
    assert f"firstName: {CONTROL}" in response.get_data(as_text=True)


# --- query parameters --------------------------------------------------------------------------

LISTS = [
    "/api/v1/users",
    "/api/v1/groups",
    "/api/v1/groups/rules",
    f"/api/v1/groups/{QA}/users",
    f"/api/v1/groups/{QA}/apps",
    "/api/v1/apps",
    f"/api/v1/apps/{APP}/users",
    f"/api/v1/apps/{APP}/groups",
    "/api/v1/logs",
    "/api/v1/api-tokens",
    f"/_mock/apps/{APP}/scim-requests",
]
BAD_LIMITS = ["0", "-1", "abc", "1.5", "1e400", "99999999999999999999999", " 5", "1_000", "٣"]


@pytest.mark.parametrize("path", LISTS)
def test_limit_must_be_a_positive_integer(org, path):
    for limit in BAD_LIMITS:
        response = org.get(path, query_string={"limit": limit}, headers=SSWS)
        body = assert_okta_error(response, 400, "E0000001")
        assert body["errorSummary"] == "Api validation failed: limit", limit
    assert org.get(path, query_string={"limit": "2"}, headers=SSWS).status_code == 200


@pytest.mark.parametrize("path", LISTS)
def test_cursors_expansions_and_unknown_parameters_are_harmless(org, path):
    for query in (
        {"after": "nope"},
        {"after": "'; drop table users; --"},
        {"after": "\x00" + "x" * 5000},
        {"expand": "nothing,at,all"},
        {"expand": "user/" + "x" * 500},
        {"unknownParameter": "1"},
        {"q": "%_\x00'"},
    ):
        response = org.get(path, query_string=query, headers=SSWS)
        assert response.status_code == 200, (query, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/users", "filter"),
        ("/api/v1/users", "search"),
        ("/api/v1/groups", "filter"),
        ("/api/v1/groups", "search"),
        ("/api/v1/logs", "filter"),
    ],
)
@pytest.mark.parametrize(
    "expression",
    [
        "(" * 3000 + 'id eq "x"' + ")" * 3000,
        " or ".join(['id eq "x"'] * 300),
        " and ".join(['id eq "x"'] * 60),
        'id eq "x" and (',
        "x" * 15000,  # longer ones never reach the app: 414 (tests/test_request_target_limit.py)
    ],
)
def test_an_unbounded_filter_is_invalid_search_criteria(org, path, parameter, expression):
    response = org.get(path, query_string={parameter: expression}, headers=SSWS)
    assert_okta_error(response, 400, "E0000031")


# --- odd path ids -------------------------------------------------------------------------------

ODD_IDS = ["%00", "x" * 3000, "'%20or%201=1", "%E2%80%AE", "..%2F..%2Fetc", "%ff%fe"]


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_odd_id_in_a_path_is_not_found(org, okta_app, ids, odd):
    rules = [
        rule
        for rule in okta_app.url_map.iter_rules()
        if rule.rule.startswith(("/api/v1/", "/_mock/")) and rule.arguments
    ]
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for argument in sorted(rule.arguments):
                path = path_of(rule.rule, ids, **{argument: odd})
                response = send(org, method, path, {} if method != "GET" else None)
                assert_not_a_server_error(response, f"{method} {path[:120]}")


# --- every field of the main bodies, replaced by hostile values --------------------------------

HOSTILE = [5, -1, 1.5, True, None, [], {}, "", "\x00", "x" * 5000, 2**70, [[1]], {"a": {"b": 1}}]
TEMPLATES = {
    "create user": (
        "POST",
        "/api/v1/users",
        {
            "profile": {**USER, "department": "QA"},
            "credentials": {"password": {"value": "Passw0rd!xyz"}},
            "groupIds": [QA],
            "type": {"id": "oty1"},
        },
    ),
    "update user": ("POST", f"/api/v1/users/{ALICE}", {"profile": {"nickName": "Al"}}),
    "create group": ("POST", "/api/v1/groups", {"profile": {"name": "new", "description": "d"}}),
    "create rule": (
        "POST",
        "/api/v1/groups/rules",
        {
            **RULE_BODY,
            "conditions": {
                **RULE_BODY["conditions"],
                "people": {"users": {"exclude": [BOB]}, "groups": {"exclude": []}},
            },
        },
    ),
    "create app": ("POST", "/api/v1/apps", SONARQUBE_APP),
    "assign user": (
        "POST",
        f"/api/v1/apps/{APP}/users",
        {"id": BOB, "scope": "USER", "credentials": {"userName": "bob"}, "profile": {"a": "b"}},
    ),
    "assign group": ("PUT", f"/api/v1/apps/{APP}/groups/{QA}", {"priority": 1, "profile": {}}),
    "features": (
        "PUT",
        f"/api/v1/apps/{APP}/features/USER_PROVISIONING",
        {"capabilities": {"create": {"lifecycleCreate": {"status": "ENABLED"}}}},
    ),
    "push mapping": (
        "POST",
        f"/api/v1/apps/{APP}/group-push/mappings",
        {"sourceGroupId": QA, "targetGroupName": "qa", "status": "ACTIVE"},
    ),
    "provisioning": (
        "PUT",
        f"/_mock/apps/{APP}/provisioning",
        {
            "enabled": True,
            "baseUrl": "http://127.0.0.1:9/api/scim/v2",
            "uniqueIdentifierField": "userName",
            "actions": ["PUSH_NEW_USERS", "PUSH_GROUPS"],
            "authMode": "HTTP_HEADER",
            "token": "squ_x",
        },
    ),
    "push rule": (
        "POST",
        f"/_mock/apps/{APP}/group-push/rules",
        {"name": "r", "groupName": {"startsWith": "sonar-"}, "pushImmediately": False},
    ),
}


def _mutations(template: object):
    """Copies of the template with one node (at any depth) replaced by each hostile value."""
    if isinstance(template, dict):
        for key, value in template.items():
            for hostile in HOSTILE:
                yield {**template, key: hostile}
            for changed in _mutations(value):
                yield {**template, key: changed}
    elif isinstance(template, list):
        for index, value in enumerate(template):
            for hostile in HOSTILE:
                yield [*template[:index], hostile, *template[index + 1 :]]
            for changed in _mutations(value):
                yield [*template[:index], changed, *template[index + 1 :]]


def _console_client(okta_app):
    client = okta_app.test_client()
    sign_in(okta_app, client, ORG_ADMIN_LOGIN)
    return client


READS = [
    "/api/v1/users?search=status%20pr",
    "/api/v1/groups?expand=stats,app",
    "/api/v1/groups/rules?expand=groupIdToGroupNameMap",
    "/api/v1/apps",
    f"/api/v1/apps/{APP}/users?expand=user",
    f"/api/v1/apps/{APP}/groups?expand=group",
    f"/api/v1/apps/{APP}/sso/saml/metadata",
    f"/api/v1/users/{ALICE}/appLinks",
    "/api/v1/logs",
    "/_mock/state",
]
PAGES = ["/admin/users", "/admin/groups", "/admin/groups/rules", "/admin/dashboard"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_field_of_a_body_can_cause_a_server_error(org, okta_app, name):
    method, path, template = TEMPLATES[name]
    before = state_of(okta_app)
    for body in _mutations(template):
        response = send(org, method, path, body)
        assert_not_a_server_error(response, json.dumps(body)[:300])
        after = state_of(okta_app)
        if response.status_code >= 400:
            assert after == before, json.dumps(body)[:300]
        before = after
    # What was accepted reads back everywhere: the API and the console's pages.
    for read in READS:
        assert_not_a_server_error(org.get(read, headers=SSWS), read)
    browser = _console_client(okta_app)
    for page in PAGES:
        assert browser.get(page).status_code == 200, page


def test_a_refused_user_is_not_half_created(org, okta_app):
    before = state_of(okta_app)
    response = send(org, "POST", "/api/v1/users", {"profile": USER, "groupIds": [QA, "00gnope"]})
    assert_okta_error(response, 404, "E0000007")
    assert state_of(okta_app) == before


def test_the_org_takes_valid_requests_after_hostile_ones(org):
    send(org, "POST", "/api/v1/users", raw=b"[" * 1000 + b"]" * 1000)
    send(org, "POST", "/api/v1/users", {"profile": {**USER, "firstName": 5}})
    assert send(org, "POST", "/api/v1/users", {"profile": USER}).status_code == 200
