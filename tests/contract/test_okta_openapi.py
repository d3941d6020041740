"""Every implemented `/api/v1` response, success and error, against Okta's published OpenAPI.

A tour of the Management API runs on the default world; each JSON response is validated with
openapi-core against the document the app serves at `/_mock/openapi/okta.json`: Okta's own
description (`mock_okta/openapi/`) cut to the implemented operations, its known defects patched
one by one in `mock_okta.openapi.KNOWN_DEFECTS` (see the README there); nothing is skipped.
"""

import json

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.finders import APICallPathFinder

from mock_okta.config import DEFAULT_API_TOKEN
from tests.okta.sso_helpers import APP_ID, seed_default_world

pytestmark = pytest.mark.contract

SSWS = {"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}
ALICE, BOB, KATE = "00ualicemartin000001", "00ubobnguyen00000002", "00ukatenovak00000011"
QA, SALES, RULE = "00gsonarqa0000000002", "00gsales000000000005", "0prengineeringdept01"


@pytest.fixture(scope="module")
def openapi(tour) -> OpenAPI:
    """The document the app serves: Okta's description of the implemented operations, its
    known defects patched (`mock_okta.openapi`)."""
    return OpenAPI.from_dict(tour.document)


class Tour:
    """Calls the Management API and keeps every response for validation."""

    def __init__(self, client):
        self.client, self.responses, self.document = client, [], {}

    def __call__(self, method: str, path: str, json_body: object = None, **query) -> dict:
        response = self.client.open(
            path, method=method, headers=SSWS, json=json_body, query_string=query or None
        )
        self.responses.append(response)
        return response.get_json(silent=True) or {}


@pytest.fixture(scope="module")
def tour(tmp_path_factory, devenv_keys) -> Tour:
    """Every implemented /api/v1 operation, with successes and errors, on the default world."""
    import mock_okta

    database = tmp_path_factory.mktemp("openapi") / "okta.sqlite3"
    app = mock_okta.create_app({"DATABASE": str(database), "BASE_URL": "http://localhost"})
    seed_default_world(app, devenv_keys)
    call = Tour(app.test_client())
    served = call.client.get("/_mock/openapi/okta.json", headers=SSWS)  # before the tour's end
    assert served.status_code == 200  # revokes the token it is fetched with
    call.document = served.get_json()
    _users(call)
    _groups(call)
    _apps(call)
    _tokens_and_logs(call)
    return call


def _users(call: Tour) -> None:
    profile = {
        "login": "zoe@example.com",
        "email": "zoe@example.com",
        "firstName": "Zoë",
        "lastName": "Ångström",
    }
    zoe = call(
        "POST",
        "/api/v1/users",
        {"profile": profile, "credentials": {"password": {"value": "Passw0rd!z"}}},
    )
    call("POST", "/api/v1/users", {"profile": {"login": "bad"}})  # 400
    call("GET", "/api/v1/users", limit=2)
    call("GET", "/api/v1/users", filter='status eq "ACTIVE"')
    call("GET", "/api/v1/users", filter='profile.department eq "x"')  # 400 E0000031
    call("GET", f"/api/v1/users/{ALICE}")
    call("GET", "/api/v1/users/nobody")  # 404
    call("GET", "/api/v1/users/me")
    call("POST", f"/api/v1/users/{zoe['id']}", {"profile": {"title": "CTO"}})
    call("PUT", f"/api/v1/users/{zoe['id']}", {"profile": {**profile, "title": "CEO"}})
    call("GET", f"/api/v1/users/{ALICE}/groups")
    call("GET", f"/api/v1/users/{ALICE}/appLinks")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/suspend")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/unsuspend")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/activate")  # 403 E0000016
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/reset_password", sendEmail="false")
    call(
        "POST",
        f"/api/v1/users/{zoe['id']}/credentials/change_password",
        {"oldPassword": {"value": "Passw0rd!z"}, "newPassword": {"value": "N3w-pass!z"}},
    )
    call(
        "POST",
        f"/api/v1/users/{zoe['id']}/credentials/change_password",
        {"oldPassword": {"value": "wrong"}, "newPassword": {"value": "N3w-pass!y"}},
    )  # 403
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/expire_password")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/expire_password_with_temp_password")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/unlock")  # 403 E0000038
    call("DELETE", f"/api/v1/users/{zoe['id']}/sessions")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/deactivate")
    call("POST", f"/api/v1/users/{zoe['id']}/lifecycle/activate", sendEmail="false")
    call("DELETE", f"/api/v1/users/{zoe['id']}")
    call("DELETE", f"/api/v1/users/{zoe['id']}")


def _groups(call: Tour) -> None:
    group = call("POST", "/api/v1/groups", {"profile": {"name": "contractors"}})
    call("POST", "/api/v1/groups", {"profile": {"name": "contractors"}})  # 400 duplicate
    call("GET", "/api/v1/groups", q="sonar")
    call("GET", "/api/v1/groups", expand="stats,app")
    call("GET", f"/api/v1/groups/{QA}")
    call(
        "PUT",
        f"/api/v1/groups/{group['id']}",
        {"profile": {"name": "contractors", "description": "External"}},
    )
    call("PUT", f"/api/v1/groups/{group['id']}/users/{BOB}")
    call("GET", f"/api/v1/groups/{group['id']}/users")
    call("DELETE", f"/api/v1/groups/{group['id']}/users/{BOB}")
    call("GET", f"/api/v1/groups/{QA}/apps")
    rule = call(
        "POST",
        "/api/v1/groups/rules",
        {
            "type": "group_rule",
            "name": "contractors",
            "conditions": {
                "expression": {
                    "value": 'user.title == "Contractor"',
                    "type": "urn:okta:expression:1.0",
                }
            },
            "actions": {"assignUserToGroups": {"groupIds": [group["id"]]}},
        },
    )
    call("POST", "/api/v1/groups/rules", {"type": "group_rule", "name": "x"})  # 400
    call("GET", "/api/v1/groups/rules")
    call("GET", f"/api/v1/groups/rules/{rule['id']}", expand="groupIdToGroupNameMap")
    call("PUT", f"/api/v1/groups/rules/{rule['id']}", {**rule, "name": "contractors rule"})
    call("POST", f"/api/v1/groups/rules/{rule['id']}/lifecycle/activate")
    call("POST", f"/api/v1/groups/rules/{rule['id']}/lifecycle/deactivate")
    call("DELETE", f"/api/v1/groups/rules/{rule['id']}")
    call("GET", f"/api/v1/groups/rules/{RULE}")
    call("DELETE", f"/api/v1/groups/{group['id']}")
    call("GET", "/api/v1/groups/00gnosuchgroup000000")  # 404


def _apps(call: Tour) -> None:
    bookmark = call(
        "POST",
        "/api/v1/apps",
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    call("POST", "/api/v1/apps", {"label": "x", "signOnMode": "NOPE"})  # 400
    call("GET", "/api/v1/apps")
    call("GET", f"/api/v1/apps/{APP_ID}")
    sonar = call("GET", f"/api/v1/apps/{APP_ID}")
    call("PUT", f"/api/v1/apps/{APP_ID}", {**sonar, "label": "SonarQube Server"})
    call("POST", f"/api/v1/apps/{APP_ID}/users", {"id": KATE, "scope": "USER"})
    call("GET", f"/api/v1/apps/{APP_ID}/users", expand="user")
    call("GET", f"/api/v1/apps/{APP_ID}/users/{ALICE}")
    call("POST", f"/api/v1/apps/{APP_ID}/users/{KATE}", {"credentials": {"userName": "kate"}})
    call("DELETE", f"/api/v1/apps/{APP_ID}/users/{KATE}")
    call("PUT", f"/api/v1/apps/{APP_ID}/groups/{SALES}", {"priority": 1})
    call("GET", f"/api/v1/apps/{APP_ID}/groups", expand="group")
    call("GET", f"/api/v1/apps/{APP_ID}/groups/{SALES}")
    call("DELETE", f"/api/v1/apps/{APP_ID}/groups/{SALES}")
    call("GET", f"/api/v1/apps/{APP_ID}/features")  # 400: provisioning is off
    call(
        "PUT",
        f"/_mock/apps/{APP_ID}/provisioning",
        {"enabled": True, "actions": ["PUSH_NEW_USERS", "PUSH_GROUPS"]},
    )
    call("GET", f"/api/v1/apps/{APP_ID}/features")
    call("GET", f"/api/v1/apps/{APP_ID}/features/USER_PROVISIONING")
    call(
        "PUT",
        f"/api/v1/apps/{APP_ID}/features/USER_PROVISIONING",
        {"update": {"profile": {"status": "ENABLED"}}},
    )
    mapping = call(
        "POST",
        f"/api/v1/apps/{APP_ID}/group-push/mappings",
        {"sourceGroupId": QA, "targetGroupName": "sonar-qa", "status": "INACTIVE"},
    )
    call("GET", f"/api/v1/apps/{APP_ID}/group-push/mappings")
    call("GET", f"/api/v1/apps/{APP_ID}/group-push/mappings/{mapping['id']}")
    call(
        "PATCH",
        f"/api/v1/apps/{APP_ID}/group-push/mappings/{mapping['id']}",
        {"status": "INACTIVE"},
    )
    call(
        "DELETE",
        f"/api/v1/apps/{APP_ID}/group-push/mappings/{mapping['id']}",
        deleteTargetGroup="false",
    )
    keys = call("GET", f"/api/v1/apps/{APP_ID}/credentials/keys")
    new = call("POST", f"/api/v1/apps/{APP_ID}/credentials/keys/generate", validityYears="2")
    call("POST", f"/api/v1/apps/{APP_ID}/credentials/keys/generate", validityYears="1")  # 400
    call("GET", f"/api/v1/apps/{APP_ID}/credentials/keys/{new['kid']}")
    call(
        "POST",
        f"/api/v1/apps/{APP_ID}/credentials/keys/{keys[0]['kid']}/clone",
        targetAid=bookmark["id"],
    )
    call("GET", f"/api/v1/apps/{APP_ID}/sso/saml/metadata")
    call("POST", f"/api/v1/apps/{bookmark['id']}/lifecycle/deactivate")
    call("POST", f"/api/v1/apps/{bookmark['id']}/lifecycle/activate")
    call("DELETE", f"/api/v1/apps/{bookmark['id']}")  # 403: still ACTIVE
    call("POST", f"/api/v1/apps/{bookmark['id']}/lifecycle/deactivate")
    call("DELETE", f"/api/v1/apps/{bookmark['id']}")


def _tokens_and_logs(call: Tour) -> None:
    created = call("POST", "/_mock/api-tokens", {"name": "ci"})
    tokens = call("GET", "/api/v1/api-tokens")
    call("GET", f"/api/v1/api-tokens/{tokens[0]['id']}")
    call("PUT", f"/api/v1/api-tokens/{created['id']}", {"name": "ci-renamed"})
    call("DELETE", f"/api/v1/api-tokens/{created['id']}")
    call("GET", "/api/v1/logs", since="2000-01-01T00:00:00Z", limit=50)
    call("GET", "/api/v1/logs", since="not-a-date")  # 400
    bad = call.client.get("/api/v1/users", headers={"Authorization": "SSWS nope"})  # 401
    call.responses.append(bad)
    call("DELETE", "/api/v1/api-tokens/current")


class _SentRequest(WerkzeugOpenAPIRequest):
    """The request as sent; its body was read by the app (a response does not depend on it)."""

    @property
    def body(self) -> bytes:
        return b""


def _problems(api: OpenAPI, response) -> list[str]:
    """What in one response does not match Okta's description."""
    request = _SentRequest(response.request)
    documented = _documented_media_types(api, request, response.status_code)
    if response.mimetype in ("application/xml", "text/xml"):
        return _xml_problems(response, documented)
    if documented == []:  # the file documents no body (`content: {}`)
        if not response.get_data():
            return [] if "Content-Type" not in response.headers else ["a Content-Type, no body"]
        return [f"a body where none is documented: {response.get_data()[:80]!r}"]
    if documented is None:
        return [f"status {response.status_code} not documented"]
    try:
        api.validate_response(request, WerkzeugOpenAPIResponse(response))
    except Exception as error:  # openapi-core reports one exception, its causes inside
        causes = getattr(error, "__cause__", None)
        details = getattr(causes, "schema_errors", None) or [causes or error]
        return [_described(detail) for detail in details]
    return []


def _documented_media_types(api: OpenAPI, request, status: int) -> list[str] | None:
    """The media types the file documents for the operation's status (None: not listed)."""
    url = request.host_url.rstrip("/") + request.path
    operation = APICallPathFinder(api.spec).find(request.method, url).operation
    responses = operation / "responses"
    key = next((k for k in (str(status), "default") if k in responses), None)
    if key is None:
        return None
    documented = responses / key  # a `$ref` to components/responses is followed
    return list((documented / "content").read_value()) if "content" in documented else []


def _xml_problems(response, documented: list[str] | None) -> list[str]:
    """An XML answer (SAML metadata): a documented media type and well-formed XML."""
    from xml.etree import ElementTree

    problems = [] if documented and response.mimetype in documented else ["undocumented XML"]
    try:
        ElementTree.fromstring(response.get_data())
    except ElementTree.ParseError as error:
        problems.append(f"not well-formed XML: {error}")
    return problems


def _described(detail: object) -> str:
    """A schema error with where it is in the body (`$.profile.description: ...`)."""
    where = getattr(detail, "json_path", "")
    return f"{where}: {getattr(detail, 'message', detail)}"[:300]


def test_every_response_matches_oktas_description(openapi, tour):
    api = openapi
    report = []
    for response in tour.responses:
        if not response.request.path.startswith("/api/v1/"):
            continue
        for problem in _problems(api, response):
            report.append(
                f"{response.request.method} {response.request.full_path} "
                f"{response.status_code}: {problem}"
            )
    assert report == []


def test_the_tour_covers_every_implemented_operation(tour):
    import mock_okta

    app = mock_okta.create_app({"DATABASE": ":memory:"})
    adapter = app.url_map.bind("localhost")
    toured = {
        (
            response.request.method,
            adapter.match(response.request.path, method=response.request.method)[0],
        )
        for response in tour.responses
        if response.request.path.startswith("/api/v1/")
    }
    implemented = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert implemented - toured == set()


def test_errors_and_successes_are_both_toured(tour):
    statuses = {response.status_code for response in tour.responses}
    assert {200, 201, 204, 400, 401, 403, 404} <= statuses
    assert json.loads(tour.responses[0].get_data())["profile"]["firstName"] == "Zoë"
