"""Okta's user push bodies and answer handling, without a network (reference/okta.md §1.3-§1.5)."""

import json
import re

import pytest

from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.provisioning import attribute_mappings, users_push
from mock_okta.provisioning.client import ScimError, ScimResponse, wire_json
from mock_okta.provisioning.engine import PushContext

USER = {
    "id": "00ujl29u0le5T6Aj10h7",
    "profile": json.dumps(
        {
            "login": "test.user@okta.local",
            "email": "test.user@okta.local",
            "firstName": "Test",
            "lastName": "User",
            "displayName": "Test User",
            "locale": "en_US",
        }
    ),
}
APP_USER = {"user_name": "test.user@okta.local"}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#: Every Okta profile attribute Okta's SCIM 2.0 template maps, with a value.
FULL_PROFILE = {
    "login": "zoe.brandt@example.com",
    "email": "zoe.brandt@example.com",
    "secondEmail": "zoe@home.example",
    "firstName": "Zoë",
    "lastName": "Brandt",
    "middleName": "Anna",
    "honorificPrefix": "Dr.",
    "honorificSuffix": "PhD",
    "title": "Staff Engineer",
    "displayName": "Zoë Brandt",
    "nickName": "Zo",
    "profileUrl": "https://example.com/zoe",
    "primaryPhone": "+33 1 23 45 67 89",
    "mobilePhone": "+33 6 12 34 56 78",
    "streetAddress": "1 rue de la Paix",
    "city": "Paris",
    "state": "IDF",
    "zipCode": "75002",
    "countryCode": "FR",
    "postalAddress": "1 rue de la Paix, 75002 Paris",
    "preferredLanguage": "fr",
    "locale": "fr_FR",
    "timezone": "Europe/Paris",
    "userType": "Employee",
    "employeeNumber": "1042",
    "costCenter": "CC-7",
    "organization": "Example Corp",
    "division": "R&D",
    "department": "Engineering",
    "managerId": "00ubossuser000000001",
    "manager": "Boss User",
}


def user_with(profile: dict) -> dict:
    return {"id": "00uzoebrandt00000001", "profile": json.dumps(profile)}


class FakeClient:
    """Answers GETs with a canned response or error, and records them."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []

    def get(self, path, params=None):
        self.requests.append((path, params))
        if isinstance(self.answer, ScimError):
            raise self.answer
        return self.answer


def context(client) -> PushContext:
    connection = ScimConnection(app_id="0oaunit", base_url="http://scim.test")
    return PushContext(db=None, app={}, connection=connection, client=client, event={})


def test_create_body_is_oktas():
    body = users_push.new_user_body(APP_USER, USER)
    assert re.fullmatch(r"[a-z0-9]{8}", body.pop("password"))
    # The reference's body (§1.3, Okta's 2024 SCIM guide), in its key order.
    assert list(body.items()) == [
        ("schemas", ["urn:ietf:params:scim:schemas:core:2.0:User"]),
        ("userName", "test.user@okta.local"),
        ("name", {"givenName": "Test", "familyName": "User"}),
        ("emails", [{"primary": True, "value": "test.user@okta.local", "type": "work"}]),
        ("displayName", "Test User"),
        ("locale", "en-US"),
        ("externalId", "00ujl29u0le5T6Aj10h7"),
        ("groups", []),
        ("active", True),
    ]


def test_create_body_carries_every_mapped_attribute():
    body = users_push.new_user_body(APP_USER, user_with(FULL_PROFILE))
    body.pop("password")
    assert json.dumps(body, ensure_ascii=False, indent=1) == json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "test.user@okta.local",
            "name": {
                "givenName": "Zoë",
                "familyName": "Brandt",
                "middleName": "Anna",
                "honorificPrefix": "Dr.",
                "honorificSuffix": "PhD",
            },
            "emails": [{"primary": True, "value": "zoe.brandt@example.com", "type": "work"}],
            "title": "Staff Engineer",
            "displayName": "Zoë Brandt",
            "nickName": "Zo",
            "profileUrl": "https://example.com/zoe",
            "phoneNumbers": [
                {"primary": True, "value": "+33 1 23 45 67 89", "type": "work"},
                {"type": "mobile", "value": "+33 6 12 34 56 78"},
            ],
            "addresses": [
                {
                    "primary": True,
                    "streetAddress": "1 rue de la Paix",
                    "locality": "Paris",
                    "region": "IDF",
                    "postalCode": "75002",
                    "country": "FR",
                    "type": "work",
                }
            ],
            "preferredLanguage": "fr",
            "locale": "fr-FR",
            "timezone": "Europe/Paris",
            "userType": "Employee",
            ENTERPRISE: {
                "employeeNumber": "1042",
                "costCenter": "CC-7",
                "organization": "Example Corp",
                "division": "R&D",
                "department": "Engineering",
                "manager": {"value": "00ubossuser000000001", "displayName": "Boss User"},
            },
            "externalId": "00uzoebrandt00000001",
            "groups": [],
            "active": True,
        },
        ensure_ascii=False,
        indent=1,
    )  # same keys, same values, same order


def test_create_body_omits_empty_attributes():
    profile = {**json.loads(USER["profile"]), "title": "", "department": None, "city": "Paris"}
    body = users_push.new_user_body(APP_USER, user_with(profile))
    assert "title" not in body
    assert ENTERPRISE not in body
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    # No street address: no address type, but the city still makes the work address.
    assert body["addresses"] == [{"primary": True, "locality": "Paris"}]


def test_a_missing_display_name_is_not_sent():
    profile = {k: v for k, v in json.loads(USER["profile"]).items() if k != "displayName"}
    assert "displayName" not in users_push.new_user_body(APP_USER, user_with(profile))


def test_every_create_gets_a_new_password():
    passwords = {users_push.new_user_body(APP_USER, USER)["password"] for _ in range(20)}
    assert len(passwords) > 1


def test_merge_keeps_the_server_representation():
    current = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "23a35c27",
        "userName": "old@okta.local",
        "name": {"givenName": "Old", "middleName": "Excited", "familyName": "Name"},
        "emails": [
            {"value": "home@example.com", "type": "home"},
            {"primary": True, "value": "old@okta.local", "type": "work", "display": "x"},
        ],
        "title": "Server title",
        "active": False,
        "groups": [{"value": "g1"}],
        "meta": {"resourceType": "User"},
    }
    body = users_push.merged_user(current, APP_USER, USER)
    # A link: every mapped attribute with a value; the server keeps what Okta has no value for.
    assert body == {
        **current,
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "middleName": "Excited", "familyName": "User"},
        "emails": [
            {"value": "home@example.com", "type": "home"},
            {"primary": True, "value": "test.user@okta.local", "type": "work", "display": "x"},
        ],
        "displayName": "Test User",
        "locale": "en-US",
    }
    assert current["userName"] == "old@okta.local"  # not modified in place


def test_merge_adds_a_work_email_when_the_server_has_none():
    body = users_push.merged_user({"id": "1", "userName": "x"}, APP_USER, USER)
    assert body["emails"] == [{"primary": True, "value": "test.user@okta.local", "type": "work"}]


def test_a_profile_push_applies_only_what_changed():
    current = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "1",
        "userName": "test.user@okta.local",
        "name": {"givenName": "Out of sync", "familyName": "User"},
        "title": "Engineer",
    }
    profile = {**FULL_PROFILE, "login": "test.user@okta.local"}
    body = users_push.merged_user(current, APP_USER, user_with(profile), frozenset({"title"}))
    # "Okta modifies the attributes that were changed" (Okta's SCIM 2.0 reference).
    assert body == {**current, "title": "Staff Engineer"}


def test_a_department_change_adds_the_enterprise_extension():
    current = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1"}
    changed = frozenset({"department", "managerId"})
    body = users_push.merged_user(current, APP_USER, user_with(FULL_PROFILE), changed)
    assert body == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": "1",
        ENTERPRISE: {"department": "Engineering", "manager": {"value": "00ubossuser000000001"}},
    }


def test_a_cleared_attribute_leaves_the_put():
    current = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": "1",
        "title": "Engineer",
        "phoneNumbers": [{"primary": True, "value": "+1 555", "type": "work"}],
        ENTERPRISE: {"department": "Engineering"},
    }
    changed = frozenset({"department", "title", "primaryPhone"})
    body = users_push.merged_user(current, APP_USER, USER, changed)
    assert body == {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1"}


def test_only_mapped_attributes_are_pushed():
    sources = attribute_mappings.pushed_sources()
    for mapped in ("firstName", "title", "department", "managerId", "manager", "mobilePhone"):
        assert mapped in sources
    for unmapped in ("secondEmail", "postalAddress", "favouriteColour"):
        assert unmapped not in sources


def test_the_wire_body_is_compact_utf8():
    assert wire_json({"name": {"givenName": "Zoë"}, "a": [1, True]}) == (
        '{"name":{"givenName":"Zoë"},"a":[1,true]}'
    )


def test_oin_activation_patch_has_no_path():
    assert users_push.active_patch(False) == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }


def test_lookup_sends_the_filter_with_count_100():
    client = FakeClient(ScimResponse(200, {"totalResults": 0, "Resources": []}))
    assert users_push._lookup(context(client), APP_USER) is None
    assert client.requests == [
        ("/Users", {"filter": 'userName eq "test.user@okta.local"', "startIndex": 1, "count": 100})
    ]


@pytest.mark.parametrize(
    "answer",
    [
        ScimError("Not Found. Errors reported by remote server: nope", status=404),
        ScimResponse(200, {"totalresults": 0, "resources": []}),  # old lowercase keys
    ],
)
def test_lookup_not_found(answer):
    assert users_push._lookup(context(FakeClient(answer)), APP_USER) is None


def test_lookup_found_returns_the_first_resource():
    found = {"id": "abc", "userName": "test.user@okta.local", "active": False}
    answer = ScimResponse(200, {"totalResults": 1, "Resources": [found]})
    assert users_push._lookup(context(FakeClient(answer)), APP_USER) == found


def test_lookup_refuses_string_counts():
    answer = ScimResponse(200, {"totalResults": "0", "Resources": []})
    with pytest.raises(ScimError) as error:
        users_push._lookup(context(FakeClient(answer)), APP_USER)
    assert error.value.summary == (
        "Error while searching for user test.user@okta.local: "
        "The remote server did not return a SCIM ListResponse"
    )


def test_a_401_becomes_the_credentials_message():
    error = users_push._reworded(
        "Error while creating user X", ScimError("Unauthorized.", status=401)
    )
    assert (error.summary, error.status) == (users_push.CREDENTIALS_INVALID, 401)


def test_a_429_keeps_its_retry_after():
    error = users_push._reworded(
        "Error while creating user X", ScimError("Too Many Requests.", status=429, retry_after=7)
    )
    assert (error.summary, error.rate_limited, error.retry_after) == (
        "Error while creating user X: Too Many Requests.",
        True,
        7,
    )
