"""SCIM /Users as Okta (both dialects) and Entra send it, and what SonarQube does with it."""

import re
import threading

import pytest
import requests

from mock_sonar.accounts import groups, memberships, users
from mock_sonar.clock import now as clock_now
from okta_sonar_devenv.live import live_server
from tests.conftest import ADMIN, basic, bearer
from tests.sonar.conftest import (
    SCIM,
    create_user,
    okta_headers,
    post_json,
    sample,
    sonar_user,
)

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def saml_user(db, external_id: str, name: str, *, email: str | None = "jit@example.com") -> dict:
    """A user SAML sign-in made (just in time), before SCIM knew of it."""
    return users.create_external_user(
        db,
        clock_now(db),
        name=name,
        email=email,
        provider="saml",
        external_id=external_id,
        login_seed=name,
    )


def test_okta_connector_test_probe_gets_a_list_response(sonar, scim):
    response = sonar.get(f"{SCIM}/Users?startIndex=1&count=2", headers=scim)
    assert response.status_code == 200
    assert response.content_type == "application/scim+json"
    assert response.get_json() == {
        "schemas": [LIST],
        "totalResults": 0,
        "itemsPerPage": 0,
        "startIndex": 1,
        "Resources": [],
    }


@pytest.mark.parametrize(
    "query",
    [
        "filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
        "filter=userName+eq+%22test.user%40okta.local%22&startIndex=1&count=100",
    ],
)
def test_okta_lookup_of_an_unknown_user_is_an_empty_list(sonar, scim, query):
    body = sonar.get(f"{SCIM}/Users?{query}", headers=scim).get_json()
    assert body["totalResults"] == 0
    assert body["Resources"] == []


def test_okta_create_user_makes_a_managed_saml_user(sonar, scim):
    response = post_json(
        sonar, f"{SCIM}/Users", sample("okta-scim20-reference-create-user.json"), scim
    )
    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"] == f"http://sonar.test{SCIM}/Users/{created['id']}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{20}", created["id"])
    assert created["userName"] == "test.user@okta.local"
    assert created["active"] is True
    assert created["emails"][0]["value"] == "test.user@okta.local"
    assert "password" not in created
    user = sonar_user(sonar, "test.user@okta.local")
    assert re.fullmatch(r"test-user-okta-local\d{1,5}", user["login"])
    assert user["name"] == "Test User"
    assert user["local"] is False
    assert user["externalProvider"] == "saml"
    assert user["managed"] is True
    assert user["groups"] == ["sonar-users"]


def test_creating_the_same_user_twice_is_a_conflict(sonar, scim):
    body = sample("okta-scim20-reference-create-user.json")
    post_json(sonar, f"{SCIM}/Users", body, scim)
    response = post_json(sonar, f"{SCIM}/Users", body, scim)
    assert response.status_code == 409
    assert response.get_json()["scimType"] == "uniqueness"


def test_user_name_filter_is_case_insensitive(sonar, scim):
    created = create_user(sonar, scim, "Jane.Doe@example.com")
    body = sonar.get(
        f'{SCIM}/Users?filter=userName eq "jane.doe@EXAMPLE.com"', headers=scim
    ).get_json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == created["id"]


def test_okta_custom_app_update_is_get_then_put(sonar, scim):
    created = create_user(sonar, scim, "jane@example.com", displayName="Jane Doe")
    current = sonar.get(f"{SCIM}/Users/{created['id']}", headers=scim).get_json()
    current["displayName"] = "Jane Smith"
    current["name"]["familyName"] = "Smith"
    response = post_json(sonar, f"{SCIM}/Users/{created['id']}", current, scim, method="PUT")
    assert response.status_code == 200
    assert response.get_json()["displayName"] == "Jane Smith"
    assert response.get_json()["name"]["familyName"] == "Smith"
    assert sonar_user(sonar, "jane@example.com")["name"] == "Jane Smith"


def test_a_put_that_changes_nothing_leaves_last_modified(sonar, scim):
    created = create_user(sonar, scim, "jane@example.com", displayName="Jane Doe")
    url = f"{SCIM}/Users/{created['id']}"
    current = sonar.get(url, headers=scim).get_json()
    moved = sonar.post("/_mock/clock", json={"advanceSeconds": 3600}, headers=ADMIN)
    assert moved.status_code == 200
    unchanged = post_json(sonar, url, current, scim, method="PUT").get_json()
    assert unchanged["meta"]["lastModified"] == current["meta"]["lastModified"]
    renamed = post_json(sonar, url, {**current, "displayName": "Jane Smith"}, scim, method="PUT")
    assert renamed.get_json()["meta"]["lastModified"] > current["meta"]["lastModified"]


def test_okta_custom_app_deactivation_is_a_put_with_active_false(sonar, scim):
    created = create_user(sonar, scim, "jane@example.com")
    current = sonar.get(f"{SCIM}/Users/{created['id']}", headers=scim).get_json()
    response = post_json(
        sonar, f"{SCIM}/Users/{created['id']}", {**current, "active": False}, scim, method="PUT"
    )
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    assert sonar_user(sonar, "jane@example.com") is None
    assert sonar_user(sonar, "jane@example.com", deactivated=True)["active"] is False


@pytest.mark.parametrize(
    "patch",
    ["okta-scim20-reference-deactivate-user-patch.json", "entra-deactivate-user-patch.json"],
)
def test_patch_deactivation_forms(sonar, scim, patch):
    created = create_user(sonar, scim, "jane@example.com")
    response = post_json(
        sonar, f"{SCIM}/Users/{created['id']}", sample(patch), scim, method="PATCH"
    )
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    assert sonar_user(sonar, "jane@example.com", deactivated=True) is not None


def test_deactivation_removes_tokens_memberships_and_sessions(sonar, scim, db):
    created = create_user(sonar, scim, "jane@example.com")
    login = sonar_user(sonar, "jane@example.com")["login"]
    token = sonar.post(
        "/api/user_tokens/generate", headers=ADMIN, data={"name": "jane-token", "login": login}
    ).get_json()["token"]
    assert sonar.get("/api/authentication/validate", headers=basic(token)).get_json() == {
        "valid": True
    }
    user = users.get_user_by_login(db, login)
    memberships.add_member(db, groups.require_group(db, "sonar-administrators"), user["uuid"])
    post_json(
        sonar,
        f"{SCIM}/Users/{created['id']}",
        sample("okta-scim20-reference-deactivate-user-patch.json"),
        scim,
        method="PATCH",
    )
    assert sonar.get("/api/authentication/validate", headers=basic(token)).get_json() == {
        "valid": False
    }
    assert (
        db.execute(
            "select count(*) from groups_users where user_uuid = ?", [user["uuid"]]
        ).fetchone()[0]
        == 0
    )
    assert (
        db.execute(
            "select count(*) from user_tokens where user_uuid = ?", [user["uuid"]]
        ).fetchone()[0]
        == 0
    )


def test_reactivation_puts_the_user_back_in_sonar_users_only(sonar, scim):
    created = create_user(sonar, scim, "jane@example.com")
    path = f"{SCIM}/Users/{created['id']}"
    post_json(
        sonar,
        path,
        sample("okta-scim20-reference-deactivate-user-patch.json"),
        scim,
        method="PATCH",
    )
    current = sonar.get(path, headers=scim).get_json()
    response = post_json(sonar, path, {**current, "active": True}, scim, method="PUT")
    assert response.get_json()["active"] is True
    assert sonar_user(sonar, "jane@example.com")["groups"] == ["sonar-users"]


def test_create_adopts_an_existing_saml_user(sonar, scim, db):
    jit = saml_user(db, "jit@example.com", "Jit User")
    assert sonar_user(sonar, "jit@example.com")["managed"] is False
    created = create_user(sonar, scim, "jit@example.com", displayName="Jit Adopted")
    adopted = sonar_user(sonar, "jit@example.com")
    assert adopted["login"] == jit["login"]
    assert adopted["managed"] is True
    assert adopted["name"] == "Jit Adopted"
    assert created["userName"] == "jit@example.com"


def test_adoption_matches_the_external_identity_case_sensitively(sonar, scim, db):
    saml_user(db, "Jit@Example.com", "Jit", email=None)
    create_user(sonar, scim, "jit@example.com")
    assert sonar_user(sonar, "Jit@Example.com")["managed"] is False
    assert sonar_user(sonar, "jit@example.com")["managed"] is True


def test_an_email_used_by_another_user_is_refused_and_nothing_is_written(sonar, admin_token):
    assert (
        sonar.post(
            "/api/users/create",
            headers=ADMIN,
            data={
                "login": "local1",
                "name": "Local",
                "email": "taken@example.com",
                "password": "Passw0rd!Passw0rd",
            },
        ).status_code
        == 200
    )
    sonar.post("/api/scim_management/enable", headers=ADMIN)
    scim = okta_headers(admin_token)
    before = sonar.get("/api/users/search?ps=500", headers=ADMIN).get_json()["paging"]["total"]
    response = post_json(
        sonar,
        f"{SCIM}/Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "new@example.com",
            "emails": [{"value": "taken@example.com", "primary": True}],
        },
        scim,
    )
    assert response.status_code == 409
    assert response.get_json() == {
        "schemas": [ERROR],
        "status": "409",
        "scimType": "uniqueness",
        "detail": "Email 'taken@example.com' is already used",
    }
    after = sonar.get("/api/users/search?ps=500", headers=ADMIN).get_json()["paging"]["total"]
    assert after == before


def test_delete_deactivates_and_forgets_the_scim_id(sonar, scim):
    created = create_user(sonar, scim, "jane@example.com")
    assert sonar.delete(f"{SCIM}/Users/{created['id']}", headers=scim).status_code == 204
    response = sonar.get(f"{SCIM}/Users/{created['id']}", headers=scim)
    assert response.status_code == 404
    kept = sonar_user(sonar, "jane@example.com", deactivated=True)
    assert kept["active"] is False
    assert kept["managed"] is False


def test_unknown_user_id_is_a_scim_404(sonar, scim):
    response = sonar.get(f"{SCIM}/Users/00919288221112222", headers=scim)
    assert response.status_code == 404
    assert response.content_type == "application/scim+json"
    assert response.get_json() == {
        "schemas": [ERROR],
        "status": "404",
        "detail": "User 00919288221112222 not found",
    }


@pytest.mark.parametrize(
    "expression",
    [
        'userName co "jane"',
        'externalId eq "00u1"',
        'userName eq "a" and active eq true',
        'emails.value eq "a@b.c"',
        'userName sw "j"',
    ],
)
def test_only_the_username_eq_filter_is_supported(sonar, scim, expression):
    response = sonar.get(f"{SCIM}/Users", query_string={"filter": expression}, headers=scim)
    assert response.status_code == 400
    assert response.get_json() == {
        "schemas": [ERROR],
        "status": "400",
        "scimType": "invalidFilter",
        "detail": f"Unsupported filter value: {expression}. "
        "Format should be 'userName eq \"username\"'",
    }


def test_paging_is_stable_and_one_based(sonar, scim):
    ids = [create_user(sonar, scim, f"user{i}@example.com")["id"] for i in range(3)]
    body = sonar.get(f"{SCIM}/Users?startIndex=2&count=1", headers=scim).get_json()
    assert body["totalResults"] == 3
    assert body["itemsPerPage"] == 1
    assert body["startIndex"] == 2
    assert body["Resources"][0]["id"] == sorted(ids)[1]
    everything = sonar.get(f"{SCIM}/Users?startIndex=0", headers=scim).get_json()
    assert [r["id"] for r in everything["Resources"]] == sorted(ids)


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ("{not json", "invalidSyntax"),
        ("[1, 2]", "invalidSyntax"),
        (
            '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": 5}',
            "invalidValue",
        ),
        (
            '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "x"}',
            "invalidValue",
        ),
    ],
)
def test_bad_bodies_are_scim_400s(sonar, scim, body, scim_type):
    response = sonar.post(
        f"{SCIM}/Users", data=body, headers={**scim, "Content-Type": "application/scim+json"}
    )
    assert response.status_code == 400
    assert response.get_json()["scimType"] == scim_type
    assert sonar.get(f"{SCIM}/Users", headers=scim).get_json()["totalResults"] == 0


def test_oversize_body_is_a_scim_413(sonar, scim):
    response = sonar.post(
        f"{SCIM}/Users",
        data="x" * (1024 * 1024 + 1),
        headers={**scim, "Content-Type": "application/scim+json"},
    )
    assert response.status_code == 413
    assert response.get_json()["status"] == "413"


def test_entra_create_and_update(sonar, scim):
    response = post_json(sonar, f"{SCIM}/Users", sample("entra-create-user.json"), scim)
    assert response.status_code == 201
    created = response.get_json()
    user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com"
    assert sonar_user(sonar, user_name)["name"] == "givenName familyName"
    response = post_json(
        sonar,
        f"{SCIM}/Users/{created['id']}",
        sample("entra-update-user-patch.json"),
        scim,
        method="PATCH",
    )
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["displayName"] == "Entra Renamed"
    assert updated["name"]["familyName"] == "Renamed"
    user = sonar_user(sonar, user_name)
    assert user["name"] == "Entra Renamed"
    assert user["email"] == "renamed@contoso.com"


def test_the_last_administrator_cannot_be_deactivated_over_scim(sonar, scim, db):
    created = create_user(sonar, scim, "boss@example.com")
    login = sonar_user(sonar, "boss@example.com")["login"]
    boss = users.get_user_by_login(db, login)
    memberships.add_member(db, groups.require_group(db, "sonar-administrators"), boss["uuid"])
    token = sonar.post(
        "/api/user_tokens/generate", headers=ADMIN, data={"name": "boss", "login": login}
    ).get_json()["token"]
    assert (
        sonar.post(
            "/api/users/deactivate", headers=bearer(token), data={"login": "admin"}
        ).status_code
        == 200
    )
    response = post_json(
        sonar,
        f"{SCIM}/Users/{created['id']}",
        sample("okta-scim20-reference-deactivate-user-patch.json"),
        {"Authorization": f"Bearer {token}"},
        method="PATCH",
    )
    assert response.status_code == 400
    assert response.get_json()["detail"] == "User is last administrator, and cannot be deactivated"
    still = sonar.get(f"{SCIM}/Users/{created['id']}", headers=bearer(token)).get_json()
    assert still["active"] is True


def test_racing_creates_give_one_user_and_one_conflict(sonar_app, sonar, scim):
    """Okta can send two creates for one user at once (reference/okta.md §1.1, OBS7)."""
    body = sample("okta-scim20-reference-create-user.json")
    statuses = []
    with live_server(sonar_app) as url:
        barrier = threading.Barrier(2)

        def create():
            barrier.wait()
            response = requests.post(f"{url}{SCIM}/Users", json=body, headers=scim, timeout=30)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [201, 409]
    listed = sonar.get(f'{SCIM}/Users?filter=userName eq "test.user@okta.local"', headers=scim)
    assert listed.get_json()["totalResults"] == 1


USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user_body(user_name: str, **attributes) -> dict:
    return {"schemas": [USER_SCHEMA], "userName": user_name, "active": True, **attributes}


def assert_scim_400(response, scim_type: str, detail: str) -> None:
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/scim+json"
    assert response.get_json() == {
        "schemas": [ERROR],
        "status": "400",
        "scimType": scim_type,
        "detail": detail,
    }


@pytest.mark.parametrize("email", ["x@y.z", "jane", "jane@example", "jane doe@example.com"])
def test_create_refuses_an_email_the_web_api_refuses(sonar, scim, email):
    body = user_body("jane@example.com", emails=[{"value": email, "primary": True}])
    response = post_json(sonar, f"{SCIM}/Users", body, scim)
    assert_scim_400(response, "invalidValue", f"Email '{email}' is not valid")
    assert sonar_user(sonar, "jane@example.com") is None


def test_create_refuses_a_nul_in_an_email_without_echoing_it(sonar, scim):
    body = user_body("jane@example.com", emails=[{"value": "jane@exa\x00mple.com"}])
    response = post_json(sonar, f"{SCIM}/Users", body, scim)
    detail = "emails[0].value must not contain the NUL character"
    assert_scim_400(response, "invalidValue", detail)
    assert sonar_user(sonar, "jane@example.com") is None


def test_put_and_patch_refuse_an_invalid_email(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    path = f"{SCIM}/Users/{jane['id']}"
    put = user_body("jane@example.com", emails=[{"value": "jane@x.y", "primary": True}])
    assert_scim_400(
        post_json(sonar, path, put, scim, method="PUT"),
        "invalidValue",
        "Email 'jane@x.y' is not valid",
    )
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "jane@x.y"}
        ],
    }
    assert_scim_400(
        post_json(sonar, path, patch, scim, method="PATCH"),
        "invalidValue",
        "Email 'jane@x.y' is not valid",
    )
    assert sonar_user(sonar, "jane@example.com")["email"] == "jane@example.com"


@pytest.mark.parametrize(
    ("attribute", "value", "detail"),
    [
        ("userName", "   ", "userName must not be blank"),
        ("userName", "\t\n", "userName must not be blank"),
        ("userName", "jane\x00@example.com", "userName must not contain the NUL character"),
        ("userName", "jane\x1b@example.com", "userName must not contain control characters"),
        ("displayName", " ", "displayName must not be blank"),
        ("displayName", "Jane\nDoe", "displayName must not contain control characters"),
        ("displayName", "Jane\x7fDoe", "displayName must not contain control characters"),
    ],
)
def test_blank_names_and_control_characters_are_refused(sonar, scim, attribute, value, detail):
    body = {**user_body("jane@example.com", displayName="Jane Doe"), attribute: value}
    response = post_json(sonar, f"{SCIM}/Users", body, scim)
    assert_scim_400(response, "invalidValue", detail)
    assert sonar.get(f"{SCIM}/Users", headers=scim).get_json()["totalResults"] == 0


def test_a_rename_to_a_control_character_is_refused(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Jane\x00"}],
    }
    response = post_json(sonar, f"{SCIM}/Users/{jane['id']}", patch, scim, method="PATCH")
    assert_scim_400(response, "invalidValue", "displayName must not contain the NUL character")
    assert sonar_user(sonar, "jane@example.com")["name"] == "jane@example.com"


@pytest.mark.parametrize(
    "path", ["nickname2", "name.middle", "urn:example:params:scim:schemas:custom:User:badge"]
)
@pytest.mark.parametrize("op", ["add", "replace", "remove"])
def test_a_patch_path_naming_no_attribute_is_invalid_path(sonar, scim, op, path):
    """RFC 7644 §3.5.2: not a 200 that silently changes nothing."""
    jane = create_user(sonar, scim, "jane@example.com")
    operation = {"op": op, "path": path} | ({} if op == "remove" else {"value": "x"})
    patch = {"schemas": [PATCH_OP], "Operations": [operation]}
    response = post_json(sonar, f"{SCIM}/Users/{jane['id']}", patch, scim, method="PATCH")
    assert_scim_400(response, "invalidPath", f"'{path}' is not an attribute of the schema")


def test_okta_s_enterprise_extension_with_a_manager_is_accepted(sonar, scim):
    # Okta's To App mapping sends manager as {"value": managerId, "displayName": manager},
    # without the `$ref` RFC 7643 lists; SonarQube keeps none of the extension.
    extension = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = user_body(
        "jane@example.com",
        schemas=["urn:ietf:params:scim:schemas:core:2.0:User", extension],
        **{extension: {"department": "R&D", "manager": {"value": "00ub0ss", "displayName": "B"}}},
    )
    created = post_json(sonar, f"{SCIM}/Users", body, scim)
    assert created.status_code == 201, created.get_data(as_text=True)
    path = f"{SCIM}/Users/{created.get_json()['id']}"
    assert post_json(sonar, path, body, scim, method="PUT").status_code == 200


def test_every_write_answers_the_user_as_a_get_then_reads_it(sonar, scim, db):
    # The answer is built from what the write left, not read again: it must still be exactly
    # what a GET returns (an adopted SAML user, a rename, a deactivation, a reactivation).
    saml_user(db, "jit@example.com", "Jit User")

    def read(user_id: str) -> dict:
        response = sonar.get(f"{SCIM}/Users/{user_id}", headers=scim)
        assert response.status_code == 200
        return response.get_json()

    for user_name in ("new@example.com", "jit@example.com"):
        created = create_user(sonar, scim, user_name, displayName="Named", active=False)
        assert created == read(created["id"])
        put = {**created, "displayName": "Renamed", "active": True}
        for key in ("id", "meta", "groups"):
            put.pop(key)
        replaced = post_json(sonar, f"{SCIM}/Users/{created['id']}", put, scim, method="PUT")
        assert replaced.status_code == 200
        assert replaced.get_json() == read(created["id"])
        assert replaced.get_json()["active"] is True
        for active in (False, True):
            patch = {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": active}}],
            }
            patched = post_json(sonar, f"{SCIM}/Users/{created['id']}", patch, scim, "PATCH")
            assert patched.status_code == 200
            assert patched.get_json() == read(created["id"])
            assert patched.get_json()["active"] is active
        entra = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Patched"}],
        }
        patched = post_json(sonar, f"{SCIM}/Users/{created['id']}", entra, scim, "PATCH")
        assert patched.get_json() == read(created["id"])
        assert patched.get_json()["displayName"] == "Patched"
