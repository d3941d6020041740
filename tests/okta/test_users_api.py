"""Users and their lifecycle through the official okta SDK (reference/okta.md §5.3)."""

import pytest
from okta.models import CreateUserRequest, UpdateUserRequest
from okta.pagination import paginate_pages

from tests.okta.api_helpers import SSWS


def new_user(login: str, *, password: bool = True, **profile) -> CreateUserRequest:
    body = {
        "profile": {
            "firstName": "Isaac",
            "lastName": "Brock",
            "email": login,
            "login": login,
            **profile,
        }
    }
    if password:
        body["credentials"] = {"password": {"value": "tlpWENT2m!"}}
    return CreateUserRequest.from_dict(body)


def create(sdk, login: str, **kwargs) -> object:
    activate = kwargs.pop("activate", None)
    user, _, err = sdk(lambda c: c.create_user(new_user(login, **kwargs), activate=activate))
    assert err is None, err
    return user


@pytest.mark.parametrize(
    ("password", "activate", "status"),
    [(True, None, "ACTIVE"), (False, None, "PROVISIONED"), (True, False, "STAGED")],
)
def test_creation_status_follows_activation_and_password(sdk, password, activate, status):
    user = create(sdk, "isaac.brock@example.com", password=password, activate=activate)
    assert user.status.value == status
    assert user.id.startswith("00u")
    assert len(user.id) == 20
    assert user.profile.login == "isaac.brock@example.com"


def test_get_user_by_id_and_by_login(sdk):
    created = create(sdk, "isaac.brock@example.com", department="Engineering")
    by_id, _, _ = sdk(lambda c: c.get_user(created.id))
    by_login, _, _ = sdk(lambda c: c.get_user("isaac.brock@example.com"))
    assert by_id.id == by_login.id == created.id
    assert by_id.profile.department == "Engineering"


def test_duplicate_login_is_an_api_validation_error(sdk):
    create(sdk, "isaac.brock@example.com")
    _, _, err = sdk(lambda c: c.create_user(new_user("ISAAC.brock@example.com")))
    assert err.status == 400
    assert err.error_code == "E0000001"
    assert err.error_causes[0]["errorSummary"] == (
        "login: An object with this field already exists in the current organization"
    )


def test_missing_required_profile_attribute(okta):
    response = okta.post(
        "/api/v1/users",
        headers=SSWS,
        json={"profile": {"login": "a@example.com", "email": "a@example.com", "firstName": "A"}},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["errorCode"] == "E0000001"
    assert body["errorCauses"] == [{"errorSummary": "lastName: The field cannot be left blank"}]


def test_malformed_json_is_e0000003(okta):
    response = okta.post(
        "/api/v1/users", headers={**SSWS, "Content-Type": "application/json"}, data="{nope"
    )
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000003"


def test_unknown_user_is_e0000007(sdk):
    _, _, err = sdk(lambda c: c.get_user("00uNOPE0000000000000"))
    assert err.status == 404
    assert err.error_code == "E0000007"
    assert err.error_summary == "Not found: Resource not found: 00uNOPE0000000000000 (User)"


def test_bad_token_is_e0000011(okta):
    response = okta.get("/api/v1/users", headers={"Authorization": "SSWS nope"})
    assert response.status_code == 401
    assert response.get_json()["errorCode"] == "E0000011"
    assert okta.get("/api/v1/users").status_code == 401


def test_responses_carry_okta_headers(okta):
    response = okta.get("/api/v1/users", headers=SSWS)
    assert len(response.headers["X-Okta-Request-Id"]) >= 20
    assert int(response.headers["X-Rate-Limit-Limit"]) > 0
    assert int(response.headers["X-Rate-Limit-Remaining"]) < int(
        response.headers["X-Rate-Limit-Limit"]
    )
    assert int(response.headers["X-Rate-Limit-Reset"]) > 0
    assert response.headers.getlist("Link") == [f'<{"http://okta.test"}/api/v1/users>; rel="self"']


def test_paging_through_users_with_the_sdk(sdk):
    created = {create(sdk, f"user{i}@example.com").id for i in range(5)}

    async def all_pages(client):
        seen, pages = [], 0
        async for data, _number, _more in paginate_pages(client.list_users, limit=2):
            seen += [u.id for u in data]
            pages += 1
        return seen, pages

    seen, pages = sdk(all_pages)
    assert created <= set(seen)
    assert len(seen) == len(set(seen)) == 6  # five users and the org admin
    assert pages == 3


def test_q_filter_and_search(sdk):
    create(sdk, "ada@example.com", firstName="Ada", department="Engineering")
    create(sdk, "bob@example.com", firstName="Bob", department="Sales")
    found, _, _ = sdk(lambda c: c.list_users(q="Ada"))
    assert [u.profile.login for u in found] == ["ada@example.com"]
    found, _, _ = sdk(lambda c: c.list_users(search='profile.department eq "engineering"'))
    assert [u.profile.login for u in found] == ["ada@example.com"]
    found, _, _ = sdk(
        lambda c: c.list_users(filter='status eq "ACTIVE" and profile.firstName eq "Bob"')
    )
    assert [u.profile.login for u in found] == ["bob@example.com"]


@pytest.mark.parametrize(
    "expression",
    [
        'profile.department eq "Engineering"',  # not a filterable attribute: use search
        'status sw "ACT"',
        "status pr",
        'profile.login co "ada"',
        'not (status eq "ACTIVE")',
        'status ne "ACTIVE"',
        'id gt "00u"',
        'created gt "2020-01-01T00:00:00.000Z"',
    ],
)
def test_filter_supports_only_what_okta_documents(okta, expression):
    response = okta.get("/api/v1/users", headers=SSWS, query_string={"filter": expression})
    assert response.status_code == 400
    body = response.get_json()
    assert (body["errorCode"], body["errorSummary"]) == ("E0000031", "Invalid search criteria.")


@pytest.mark.parametrize(
    "expression",
    [
        'lastUpdated gt "2000-01-01T00:00:00.000Z" and profile.firstName eq "Ada"',
        'lastUpdated lt "2100-01-01T00:00:00.000Z" and profile.login eq "ada@example.com"',
        'profile.email eq "ada@example.com" or profile.lastName eq "nobody"',
        'id eq "00unosuchuser00000000" or profile.login eq "ada@example.com"',
    ],
)
def test_documented_filters_work(sdk, okta, expression):
    create(sdk, "ada@example.com", firstName="Ada")
    response = okta.get("/api/v1/users", headers=SSWS, query_string={"filter": expression})
    assert response.status_code == 200, response.get_json()
    assert [u["profile"]["login"] for u in response.get_json()] == ["ada@example.com"]


def test_search_keeps_the_full_syntax(sdk, okta):
    create(sdk, "ada@example.com", firstName="Ada", department="Engineering")
    response = okta.get(
        "/api/v1/users",
        headers=SSWS,
        query_string={"search": 'profile.department sw "Eng" and not (status eq "SUSPENDED")'},
    )
    assert [u["profile"]["login"] for u in response.get_json()] == ["ada@example.com"]


def test_invalid_search_is_e0000031(okta):
    response = okta.get(
        "/api/v1/users", headers=SSWS, query_string={"search": "profile.department eq"}
    )
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000031"


def test_deprovisioned_users_are_listed_only_with_a_filter(sdk):
    user = create(sdk, "gone@example.com")
    sdk(lambda c: c.deactivate_user(user.id))
    listed, _, _ = sdk(lambda c: c.list_users())
    assert user.id not in {u.id for u in listed}
    listed, _, _ = sdk(lambda c: c.list_users(filter='status eq "DEPROVISIONED"'))
    assert [u.id for u in listed] == [user.id]


def test_partial_update_merges_and_replace_replaces(sdk):
    user = create(sdk, "isaac.brock@example.com", title="Director", department="Eng")
    updated, _, err = sdk(
        lambda c: c.update_user(user.id, UpdateUserRequest.from_dict({"profile": {"title": "CTO"}}))
    )
    assert err is None
    assert (updated.profile.title, updated.profile.department) == ("CTO", "Eng")
    replaced, _, err = sdk(
        lambda c: c.replace_user(
            user.id,
            UpdateUserRequest.from_dict(
                {
                    "profile": {
                        "login": "isaac.brock@example.com",
                        "email": "isaac.brock@example.com",
                        "firstName": "Isaac",
                        "lastName": "Brock",
                    }
                }
            ),
        )
    )
    assert err is None
    assert replaced.profile.title is None
    assert replaced.profile.department is None


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["suspend"], "SUSPENDED"),
        (["suspend", "unsuspend"], "ACTIVE"),
        (["deactivate"], "DEPROVISIONED"),
        (["deactivate", "activate"], "ACTIVE"),
    ],
)
def test_lifecycle_transitions(sdk, steps, final):
    user = create(sdk, "isaac.brock@example.com")
    calls = {
        "suspend": lambda c: c.suspend_user(user.id),
        "unsuspend": lambda c: c.unsuspend_user(user.id),
        "deactivate": lambda c: c.deactivate_user(user.id),
        "activate": lambda c: c.activate_user(user.id, send_email=False),
    }
    for step in steps:
        result = sdk(calls[step])
        assert result[-1] is None, result
    current, _, _ = sdk(lambda c: c.get_user(user.id))
    assert current.status.value == final


def test_activation_without_email_returns_a_token(okta):
    created = okta.post(
        "/api/v1/users?activate=false",
        headers=SSWS,
        json={
            "profile": {
                "login": "s@example.com",
                "email": "s@example.com",
                "firstName": "S",
                "lastName": "T",
            }
        },
    ).get_json()
    response = okta.post(
        f"/api/v1/users/{created['id']}/lifecycle/activate?sendEmail=false", headers=SSWS
    )
    assert response.status_code == 200
    assert set(response.get_json()) == {"activationToken", "activationUrl"}
    assert (
        okta.get(f"/api/v1/users/{created['id']}", headers=SSWS).get_json()["status"]
        == "PROVISIONED"
    )


@pytest.mark.parametrize(
    ("action", "code", "status"),
    [
        ("activate", "E0000016", 403),
        ("unsuspend", "E0000001", 400),
        ("reactivate", "E0000038", 403),
    ],
)
def test_invalid_transitions_are_refused(okta, action, code, status):
    created = okta.post(
        "/api/v1/users",
        headers=SSWS,
        json={
            "profile": {
                "login": "a@example.com",
                "email": "a@example.com",
                "firstName": "A",
                "lastName": "B",
            },
            "credentials": {"password": {"value": "Passw0rd!x"}},
        },
    )
    user_id = created.get_json()["id"]
    response = okta.post(f"/api/v1/users/{user_id}/lifecycle/{action}", headers=SSWS)
    assert response.status_code == status
    assert response.get_json()["errorCode"] == code


def test_delete_is_two_step(sdk):
    user = create(sdk, "isaac.brock@example.com")
    _, err = sdk(lambda c: c.delete_user(user.id))[-2:]
    assert err is None
    current, _, _ = sdk(lambda c: c.get_user(user.id))
    assert current.status.value == "DEPROVISIONED"
    sdk(lambda c: c.delete_user(user.id))
    _, _, err = sdk(lambda c: c.get_user(user.id))
    assert err.error_code == "E0000007"


def test_lifecycle_is_in_the_system_log(okta):
    created = okta.post(
        "/api/v1/users",
        headers=SSWS,
        json={
            "profile": {
                "login": "a@example.com",
                "email": "a@example.com",
                "firstName": "A",
                "lastName": "B",
            },
            "credentials": {"password": {"value": "Passw0rd!x"}},
        },
    ).get_json()
    okta.post(f"/api/v1/users/{created['id']}/lifecycle/suspend", headers=SSWS)
    from mock_common.db import connect

    db = connect(okta.application.config["DATABASE"])
    types = [
        row["event_type"] for row in db.query("select event_type from system_log order by seq")
    ]
    db.conn.close()
    assert types[-3:] == [
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "user.lifecycle.suspend",
    ]


def test_json_is_compact_and_raw_utf8_as_okta_writes_it(okta):
    body = {
        "profile": {
            "login": "zoe@example.com",
            "email": "zoe@example.com",
            "firstName": "Zoë",
            "lastName": "Ångström",
        }
    }
    response = okta.post("/api/v1/users?activate=false", headers=SSWS, json=body)
    raw = response.get_data()
    assert "Zoë".encode() in raw
    assert "Ångström".encode() in raw
    assert b"\\u" not in raw
    assert b'": ' not in raw
    assert b'", "' not in raw
    assert response.headers["Content-Type"] == "application/json"
    error = okta.get("/api/v1/users/nobody", headers=SSWS).get_data()
    assert error.startswith(b'{"errorCode":"E0000007","errorSummary":')
