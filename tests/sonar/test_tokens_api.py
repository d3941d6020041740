"""api/user_tokens/* (reference/sonarqube.md §2.2, §6.4)."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mock_common.db import connect
from mock_sonar.accounts import tokens, users
from mock_sonar.errors import BadRequest
from tests.conftest import ADMIN, basic, bearer

PASSWORD = "Str0ng-Passw0rd!"
FROZEN = "2025-01-15T10:20:30+00:00"


@pytest.fixture
def frozen(sonar):
    """The clock stopped at 2025-01-15T10:20:30Z."""
    assert sonar.post("/_mock/clock", json={"freeze": FROZEN}, headers=ADMIN).status_code == 200


@pytest.fixture
def bob(sonar):
    """A plain user's Basic header."""
    sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "bob", "name": "Bob", "password": PASSWORD},
    )
    return basic("bob", PASSWORD)


def generate(client, headers=ADMIN, **data):
    return client.post("/api/user_tokens/generate", headers=headers, data={"name": "t", **data})


def errors(*messages: str) -> dict:
    return {"errors": [{"msg": m} for m in messages]}


def test_generate_returns_the_token_once(sonar, frozen):
    response = generate(sonar, name="scim-okta")
    assert response.status_code == 200
    body = response.get_json()
    assert re.fullmatch(r"squ_[0-9a-f]{40}", body.pop("token"))
    assert body == {
        "login": "admin",
        "name": "scim-okta",
        "createdAt": "2025-01-15T10:20:30+0000",
        "type": "USER_TOKEN",
    }


def test_a_generated_token_authenticates(sonar):
    token = generate(sonar).get_json()["token"]
    assert sonar.get("/api/users/current", headers=bearer(token)).get_json()["login"] == "admin"


def test_tokens_are_stored_hashed(sonar, sonar_app):
    token = generate(sonar).get_json()["token"]
    database = Path(sonar_app.config["DATABASE"])
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            assert token.encode() not in path.read_bytes()
    store = connect(database)
    try:
        assert store["user_tokens"].count_where("token_hash = ?", [tokens.hash_token(token)]) == 1
    finally:
        store.conn.close()


def test_generate_with_an_expiration_date(sonar, frozen):
    body = generate(sonar, expirationDate="2025-02-01").get_json()
    assert body["expirationDate"] == "2025-02-01T00:00:00+0000"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"expirationDate": "01/02/2025"},
            "Supplied date format for parameter expirationDate is wrong. Please supply date in the "
            "ISO 8601 date format (YYYY-MM-DD)",
        ),
        (
            {"expirationDate": "2025-01-15"},
            "The minimum value for parameter expirationDate is 2025-01-16.",
        ),
        ({"name": ""}, "The 'name' parameter is missing"),
        ({"name": "n" * 101}, "'name' length (101) is longer than the maximum authorized (100)"),
        (
            {"type": "BADGE"},
            "Value of parameter 'type' (BADGE) must be one of: "
            "[USER_TOKEN, GLOBAL_ANALYSIS_TOKEN, PROJECT_ANALYSIS_TOKEN]",
        ),
        (
            {"type": "PROJECT_ANALYSIS_TOKEN"},
            "A projectKey is needed when creating Project Analysis Token",
        ),
    ],
)
def test_generate_refuses_bad_input(sonar, frozen, data, message):
    response = generate(sonar, **data)
    assert response.status_code == 400
    assert response.get_json() == errors(message)


def test_a_duplicate_name_is_refused(sonar):
    generate(sonar, name="scim-okta")
    response = generate(sonar, name="scim-okta")
    assert response.status_code == 400
    assert response.get_json() == errors(
        "A user token for login 'admin' and name 'scim-okta' already exists"
    )


@pytest.mark.parametrize(
    ("token_type", "prefix"),
    [("GLOBAL_ANALYSIS_TOKEN", "sqa_"), ("PROJECT_ANALYSIS_TOKEN", "sqp_")],
)
def test_analysis_tokens_have_their_prefix(sonar, token_type, prefix):
    body = generate(sonar, type=token_type, projectKey="my-proj").get_json()
    assert body["token"].startswith(prefix)
    assert body["type"] == token_type


def test_a_project_token_names_its_project(sonar):
    body = generate(sonar, type="PROJECT_ANALYSIS_TOKEN", projectKey="my-proj").get_json()
    assert body["projectKey"] == "my-proj"


@pytest.mark.parametrize(
    ("token_type", "kind"),
    [("GLOBAL_ANALYSIS_TOKEN", "Global"), ("PROJECT_ANALYSIS_TOKEN", "Project")],
)
def test_analysis_tokens_are_only_for_oneself(sonar, bob, token_type, kind):
    response = generate(sonar, type=token_type, projectKey="p", login="bob")
    assert response.status_code == 400
    assert response.get_json() == errors(
        f"A {kind} Analysis Token cannot be generated for another user."
    )


def test_an_admin_generates_a_token_for_another_user(sonar, bob):
    body = generate(sonar, login="bob").get_json()
    assert body["login"] == "bob"
    assert (
        sonar.get("/api/users/current", headers=bearer(body["token"])).get_json()["login"] == "bob"
    )


def test_a_user_generates_their_own_token(sonar, bob):
    assert generate(sonar, headers=bob).get_json()["login"] == "bob"


def test_a_non_admin_cannot_generate_for_another_user(sonar, bob):
    response = generate(sonar, headers=bob, login="admin")
    assert response.status_code == 403
    assert response.get_json() == errors("Insufficient privileges")


def test_generate_for_an_unknown_user_is_404(sonar):
    response = generate(sonar, login="ghost")
    assert response.status_code == 404
    assert response.get_json() == errors("User with login 'ghost' doesn't exist")


def test_search_lists_the_tokens(sonar, frozen):
    generate(
        sonar,
        name="ci",
        type="PROJECT_ANALYSIS_TOKEN",
        projectKey="my-proj",
        expirationDate="2025-04-10",
    )
    token = generate(sonar, name="scim-okta").get_json()["token"]
    sonar.get("/api/authentication/validate", headers=bearer(token))
    assert sonar.get("/api/user_tokens/search", headers=ADMIN).get_json() == {
        "login": "admin",
        "userTokens": [
            {
                "name": "ci",
                "createdAt": "2025-01-15T10:20:30+0000",
                "type": "PROJECT_ANALYSIS_TOKEN",
                "project": {"key": "my-proj", "name": "my-proj"},
                "isExpired": False,
                "expirationDate": "2025-04-10T00:00:00+0000",
            },
            {
                "name": "scim-okta",
                "createdAt": "2025-01-15T10:20:30+0000",
                "lastConnectionDate": "2025-01-15T10:20:30+0000",
                "type": "USER_TOKEN",
                "isExpired": False,
            },
        ],
    }


def test_search_shows_an_expired_token(sonar, frozen):
    generate(sonar, name="short", expirationDate="2025-01-16")
    sonar.post("/_mock/clock", json={"advanceSeconds": 2 * 86400}, headers=ADMIN)
    body = sonar.get("/api/user_tokens/search", headers=ADMIN).get_json()
    assert body["userTokens"][0]["isExpired"] is True


def test_an_admin_searches_another_users_tokens(sonar, bob):
    generate(sonar, headers=bob, name="mine")
    body = sonar.get("/api/user_tokens/search?login=bob", headers=ADMIN).get_json()
    assert body["login"] == "bob"
    assert [t["name"] for t in body["userTokens"]] == ["mine"]


def test_a_non_admin_cannot_search_another_users_tokens(sonar, bob):
    response = sonar.get("/api/user_tokens/search?login=admin", headers=bob)
    assert response.status_code == 403
    assert response.get_json() == errors("Insufficient privileges")


def test_revoke_removes_the_token(sonar):
    token = generate(sonar, name="gone").get_json()["token"]
    response = sonar.post("/api/user_tokens/revoke", headers=ADMIN, data={"name": "gone"})
    assert response.status_code == 204
    assert sonar.get("/api/users/search", headers=bearer(token)).status_code == 401


def test_revoke_of_an_unknown_name_is_204(sonar):
    assert (
        sonar.post("/api/user_tokens/revoke", headers=ADMIN, data={"name": "never"}).status_code
        == 204
    )


def test_revoke_needs_a_name(sonar):
    response = sonar.post("/api/user_tokens/revoke", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == errors("The 'name' parameter is missing")


def test_an_admin_revokes_another_users_token(sonar, bob):
    token = generate(sonar, headers=bob, name="mine").get_json()["token"]
    assert (
        sonar.post(
            "/api/user_tokens/revoke", headers=ADMIN, data={"name": "mine", "login": "bob"}
        ).status_code
        == 204
    )
    assert sonar.get("/api/users/current", headers=bearer(token)).status_code == 401


# --- fixed values (fixtures only) ----------------------------------------------------------


FIXED = "squ_" + "5ca1ab1e" * 5


def _generate_fixed(sonar_app, value: str, **options) -> tuple[dict, str]:
    db = connect(sonar_app.config["DATABASE"])
    try:
        admin = users.require_user(db, "admin")
        return tokens.generate_token(
            db, datetime.now(UTC), admin, name=options.pop("name", "fixed"), value=value, **options
        )
    finally:
        db.conn.close()


def test_a_fixed_value_is_stored_hashed_and_authenticates(sonar, sonar_app):
    row, value = _generate_fixed(sonar_app, FIXED)
    assert (value, row["token_hash"]) == (FIXED, tokens.hash_token(FIXED))
    response = sonar.get("/api/users/current", headers=bearer(FIXED))
    assert response.get_json()["login"] == "admin"


@pytest.mark.parametrize(
    ("value", "options"),
    [
        ("squ_" + "5CA1AB1E" * 5, {}),
        ("squ_" + "5ca1ab1e" * 4, {}),
        ("sqa_" + "5ca1ab1e" * 5, {}),
        (FIXED, {"token_type": tokens.TokenType.GLOBAL_ANALYSIS_TOKEN}),
    ],
)
def test_a_fixed_value_must_look_like_a_token_of_its_type(sonar_app, value, options):
    with pytest.raises(BadRequest, match="40 hex digits"):
        _generate_fixed(sonar_app, value, **options)


def test_a_fixed_value_is_unique(sonar_app):
    _generate_fixed(sonar_app, FIXED)
    with pytest.raises(BadRequest, match="already exists"):
        _generate_fixed(sonar_app, FIXED, name="again")
