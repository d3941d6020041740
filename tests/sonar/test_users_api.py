"""api/users/* (reference/sonarqube.md §1, §3.7, §6.5)."""

import hashlib

import pytest

from mock_common.db import connect, migrate
from mock_sonar import clock
from mock_sonar.accounts import groups, memberships, user_admin, users
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.errors import BadRequest
from mock_sonar.storage.migrations import MIGRATIONS
from tests.conftest import ADMIN, basic, bearer

PASSWORD = "Str0ng-Passw0rd!"
FROZEN = "2025-01-15T10:20:30+00:00"


@pytest.fixture
def store(sonar_app):
    """A direct connection to the app's database."""
    connection = connect(sonar_app.config["DATABASE"])
    yield connection
    connection.conn.close()


def create(client, login: str, **fields) -> dict:
    data = {
        "login": login,
        "name": fields.pop("name", login.title()),
        "password": PASSWORD,
        **fields,
    }
    if data.get("local") == "false":
        data.pop("password")
    response = client.post("/api/users/create", headers=ADMIN, data=data)
    assert response.status_code == 200, response.data
    return response.get_json()["user"]


def found(client, login: str, headers=ADMIN, query: str = "") -> dict:
    body = client.get(f"/api/users/search?ps=500{query}", headers=headers).get_json()
    return next(u for u in body["users"] if u["login"] == login)


def errors(*messages: str) -> dict:
    return {"errors": [{"msg": m} for m in messages]}


# --- search ----------------------------------------------------------------------------------


def test_search_shows_administrators_every_field(sonar):
    sonar.post("/_mock/clock", json={"freeze": FROZEN}, headers=ADMIN)
    assert sonar.get("/api/users/search", headers=ADMIN).get_json() == {
        "paging": {"pageIndex": 1, "pageSize": 50, "total": 1},
        "users": [
            {
                "login": "admin",
                "name": "Administrator",
                "active": True,
                "local": True,
                "externalProvider": "sonarqube",
                "groups": ["sonar-administrators", "sonar-users"],
                "tokensCount": 0,
                "externalIdentity": "admin",
                "lastConnectionDate": "2025-01-15T10:20:30+0000",
                "managed": False,
            }
        ],
    }


def test_search_avatar_is_the_md5_of_the_lowercased_email(sonar):
    create(sonar, "jane", email="Jane.Doe@Example.com")
    assert found(sonar, "jane")["avatar"] == hashlib.md5(b"jane.doe@example.com").hexdigest()


def test_search_has_no_avatar_and_no_scm_accounts_when_empty(sonar):
    user = found(sonar, "admin")
    assert "avatar" not in user
    assert "scmAccounts" not in user
    assert "email" not in user


def test_search_lists_scm_accounts_sorted(sonar):
    create(sonar, "jane", scmAccount=["zed", "alpha"])
    assert found(sonar, "jane")["scmAccounts"] == ["alpha", "zed"]


def test_search_is_sorted_by_login(sonar):
    for login in ("zoe", "bob", "mia"):
        create(sonar, login)
    body = sonar.get("/api/users/search", headers=ADMIN).get_json()
    assert [u["login"] for u in body["users"]] == ["admin", "bob", "mia", "zoe"]


def test_search_pages(sonar):
    for login in ("bob", "mia", "zoe"):
        create(sonar, login)
    body = sonar.get("/api/users/search?p=2&ps=2", headers=ADMIN).get_json()
    assert body["paging"] == {"pageIndex": 2, "pageSize": 2, "total": 4}
    assert [u["login"] for u in body["users"]] == ["mia", "zoe"]


def test_search_q_matches_login_name_or_email_case_insensitively(sonar):
    create(sonar, "jane", name="Jane Doe", email="jd@corp.example")
    create(sonar, "bob", name="Bob")
    for query in ("JAN", "doe", "CORP"):
        body = sonar.get(f"/api/users/search?q={query}", headers=ADMIN).get_json()
        assert [u["login"] for u in body["users"]] == ["jane"]


def test_search_by_external_identity(sonar):
    create(sonar, "jane")
    body = sonar.get("/api/users/search?externalIdentity=jane", headers=ADMIN).get_json()
    assert [u["login"] for u in body["users"]] == ["jane"]


def test_a_non_admin_sees_other_users_without_private_fields(sonar):
    create(sonar, "jane", email="jane@example.com")
    create(sonar, "bob")
    assert found(sonar, "jane", headers=basic("bob", PASSWORD)) == {
        "login": "jane",
        "name": "Jane",
        "active": True,
        "local": True,
        "externalProvider": "sonarqube",
        "avatar": hashlib.md5(b"jane@example.com").hexdigest(),
    }


def test_a_non_admin_sees_all_of_their_own_fields(sonar):
    create(sonar, "bob")
    assert found(sonar, "bob", headers=basic("bob", PASSWORD))["tokensCount"] == 0


def test_a_non_admin_cannot_search_by_external_identity(sonar):
    create(sonar, "bob")
    response = sonar.get("/api/users/search?externalIdentity=x", headers=basic("bob", PASSWORD))
    assert response.status_code == 403
    assert response.get_json() == errors(
        "parameter externalIdentity requires Administer System permission."
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=a", "'q' length (1) is shorter than the minimum authorized (2)"),
        ("ps=501", "'ps' value (501) must be less than 500"),
        ("ps=abc", "The 'ps' parameter cannot be parsed as an integer value: abc"),
        ("p=0", "'p' value (0) must be greater than 0"),
        (
            "p=99999999999999999999",
            "The 'p' parameter cannot be parsed as an integer value: 99999999999999999999",
        ),
        (
            "deactivated=maybe",
            "Value of parameter 'deactivated' (maybe) must be one of: [true, false, yes, no]",
        ),
        ("managed=true", "The 'managed' parameter is only available for managed instances."),
        ("managed=false", "The 'managed' parameter is only available for managed instances."),
    ],
)
def test_search_refuses_bad_parameters(sonar, query, message):
    response = sonar.get(f"/api/users/search?{query}", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == errors(message)


def test_search_deactivated_lists_only_deactivated_users(sonar):
    create(sonar, "jane")
    create(sonar, "bob")
    sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "jane"})
    body = sonar.get("/api/users/search?deactivated=true", headers=ADMIN).get_json()
    assert [(u["login"], u["active"]) for u in body["users"]] == [("jane", False)]


def test_an_analysis_token_is_refused_on_search(sonar):
    token = sonar.post(
        "/api/user_tokens/generate",
        headers=ADMIN,
        data={"name": "ci", "type": "GLOBAL_ANALYSIS_TOKEN"},
    ).get_json()["token"]
    response = sonar.get("/api/users/search", headers=bearer(token))
    assert response.status_code == 401
    assert response.data == b""


# --- current ---------------------------------------------------------------------------------


def test_current_describes_the_caller(sonar, store):
    admin = users.require_user(store, "admin")
    assert sonar.get("/api/users/current", headers=ADMIN).get_json() == {
        "isLoggedIn": True,
        "id": admin["uuid"],
        "login": "admin",
        "name": "Administrator",
        "local": True,
        "externalIdentity": "admin",
        "externalProvider": "sonarqube",
        "scmAccounts": [],
        "groups": ["sonar-administrators", "sonar-users"],
        "permissions": {
            "global": [
                "admin",
                "gateadmin",
                "profileadmin",
                "provisioning",
                "scan",
                "applicationcreator",
                "portfoliocreator",
            ]
        },
        "homepage": {"type": "PROJECTS"},
        "usingSonarLintConnectedMode": False,
        "dismissedNotices": {"educationPrinciples": False, "sonarlintAd": False},
    }


def test_current_of_a_plain_user_has_the_default_groups_permissions(sonar):
    create(sonar, "bob", email="bob@example.com")
    body = sonar.get("/api/users/current", headers=basic("bob", PASSWORD)).get_json()
    assert body["permissions"] == {"global": ["provisioning", "scan"]}
    assert body["groups"] == ["sonar-users"]
    assert body["email"] == "bob@example.com"
    assert body["avatar"] == hashlib.md5(b"bob@example.com").hexdigest()


# --- create ----------------------------------------------------------------------------------


def test_create_returns_the_user(sonar):
    response = sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={
            "login": "jane",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "password": PASSWORD,
            "scmAccount": ["jd", "jane-gh"],
        },
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "user": {
            "login": "jane",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "scmAccounts": ["jane-gh", "jd"],
            "active": True,
            "local": True,
        }
    }


def test_a_created_user_can_log_in_and_is_in_the_default_group(sonar):
    create(sonar, "jane")
    assert found(sonar, "jane")["groups"] == ["sonar-users"]
    assert sonar.get(
        "/api/authentication/validate", headers=basic("jane", PASSWORD)
    ).get_json() == {"valid": True}


def test_create_a_non_local_user_without_password(sonar):
    assert create(sonar, "ext", local="false") == {
        "login": "ext",
        "name": "Ext",
        "scmAccounts": [],
        "active": True,
        "local": False,
    }


def test_create_reactivates_a_deactivated_user(sonar):
    create(sonar, "jane")
    sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "jane"})
    assert create(sonar, "jane", name="Jane Again")["active"] is True
    assert found(sonar, "jane")["name"] == "Jane Again"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"login": "admin", "name": "A", "password": PASSWORD},
            "An active user with login 'admin' already exists",
        ),
        ({"name": "Jane", "password": PASSWORD}, "The 'login' parameter is missing"),
        ({"login": "jane", "password": PASSWORD}, "The 'name' parameter is missing"),
        (
            {"login": "j", "name": "J", "password": PASSWORD},
            "'login' length (1) is shorter than the minimum authorized (2)",
        ),
        (
            {"login": "j" * 256, "name": "J", "password": PASSWORD},
            "'login' length (256) is longer than the maximum authorized (255)",
        ),
        (
            {"login": "jane", "name": "n" * 201, "password": PASSWORD},
            "'name' length (201) is longer than the maximum authorized (200)",
        ),
        (
            {"login": "jane", "name": "Jane", "email": "e" * 101, "password": PASSWORD},
            "'email' length (101) is longer than the maximum authorized (100)",
        ),
        (
            {"login": "jane", "name": "Jane", "email": "not-an-email", "password": PASSWORD},
            "Email 'not-an-email' is not valid",
        ),
        (
            {"login": "jane", "name": "Jane", "email": "jane@x.y", "password": PASSWORD},
            "Email 'jane@x.y' is not valid",
        ),
        ({"login": "jane", "name": "Jane"}, "Password is mandatory and must not be empty"),
        (
            {"login": "jane", "name": "Jane", "local": "false", "password": PASSWORD},
            "Password should only be set on local user",
        ),
        (
            {"login": "jane", "name": "Jane", "local": "nope", "password": PASSWORD},
            "Value of parameter 'local' (nope) must be one of: [true, false, yes, no]",
        ),
        (
            {"login": "ja ne", "name": "Jane", "password": PASSWORD},
            "Use only letters, numbers, and .-_@ please.",
        ),
        (
            {"login": "jane", "name": "Jane", "password": PASSWORD, "scmAccount": [" jd"]},
            "SCM account cannot start or end with whitespace: ' jd'",
        ),
        (
            {"login": "jane", "name": "Jane", "password": PASSWORD, "scmAccount": ["jd", "jd"]},
            "Duplicate SCM account: 'jd'",
        ),
    ],
)
def test_create_refuses_bad_input(sonar, data, message):
    response = sonar.post("/api/users/create", headers=ADMIN, data=data)
    assert response.status_code == 400
    assert response.get_json() == errors(message)


def test_create_needs_administer_system(sonar):
    create(sonar, "bob")
    response = sonar.post(
        "/api/users/create",
        headers=basic("bob", PASSWORD),
        data={"login": "eve", "name": "Eve", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert response.get_json() == errors("Insufficient privileges")


def test_create_is_post_only(sonar):
    response = sonar.get("/api/users/create", headers=ADMIN)
    assert response.status_code == 405
    assert response.get_json() == errors("HTTP method POST is required")


# --- update ----------------------------------------------------------------------------------


def test_update_changes_name_email_and_scm_accounts(sonar):
    create(sonar, "jane")
    response = sonar.post(
        "/api/users/update",
        headers=ADMIN,
        data={"login": "jane", "name": "Jane Doe", "email": "jane@example.com", "scmAccount": "jd"},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "user": {
            "login": "jane",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "active": True,
            "local": True,
            "externalIdentity": "jane",
            "externalProvider": "sonarqube",
            "groups": ["sonar-users"],
            "scmAccounts": ["jd"],
        }
    }


def test_update_with_an_empty_email_clears_it(sonar):
    create(sonar, "jane", email="jane@example.com")
    body = sonar.post(
        "/api/users/update", headers=ADMIN, data={"login": "jane", "email": ""}
    ).get_json()
    assert "email" not in body["user"]


@pytest.mark.parametrize("field", ["name", "email"])
def test_update_refuses_name_and_email_of_a_non_local_user(sonar, field):
    create(sonar, "ext", local="false")
    response = sonar.post(
        "/api/users/update", headers=ADMIN, data={"login": "ext", field: "x@example.com"}
    )
    assert response.status_code == 400
    assert response.get_json() == errors(f"It is not allowed to update {field} for this user")


def test_update_allows_scm_accounts_of_a_non_local_user(sonar):
    create(sonar, "ext", local="false")
    response = sonar.post(
        "/api/users/update", headers=ADMIN, data={"login": "ext", "scmAccount": "ext-gh"}
    )
    assert response.get_json()["user"]["scmAccounts"] == ["ext-gh"]


def test_update_of_an_unknown_user_is_404(sonar):
    response = sonar.post("/api/users/update", headers=ADMIN, data={"login": "ghost"})
    assert response.status_code == 404
    assert response.get_json() == errors("User 'ghost' doesn't exist")


# --- deactivate ------------------------------------------------------------------------------


def test_deactivate_returns_the_deactivated_user(sonar):
    create(sonar, "jane", scmAccount="jd")
    response = sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "jane"})
    assert response.status_code == 200
    assert response.get_json() == {
        "user": {
            "login": "jane",
            "name": "Jane",
            "active": False,
            "local": True,
            "externalIdentity": "jane",
            "externalProvider": "sonarqube",
            "groups": [],
            "scmAccounts": ["jd"],
        }
    }


def test_deactivate_removes_tokens_memberships_and_sessions(sonar, store):
    create(sonar, "jane")
    sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": "team"})
    sonar.post("/api/user_groups/add_user", headers=ADMIN, data={"name": "team", "login": "jane"})
    token = sonar.post(
        "/api/user_tokens/generate", headers=basic("jane", PASSWORD), data={"name": "mine"}
    ).get_json()["token"]
    browser = sonar.application.test_client()
    browser.post("/api/authentication/login", data={"login": "jane", "password": PASSWORD})
    uuid = users.require_user(store, "jane")["uuid"]
    assert (
        sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "jane"}).status_code
        == 200
    )
    for table in ("user_tokens", "groups_users", "sessions"):
        assert store[table].count_where("user_uuid = ?", [uuid]) == 0
    assert sonar.get("/api/authentication/validate", headers=bearer(token)).get_json() == {
        "valid": False
    }
    assert browser.get("/api/authentication/validate").get_json() == {"valid": False}


def test_deactivate_with_anonymize_rewrites_the_identity(sonar):
    create(sonar, "jane", email="jane@example.com")
    user = sonar.post(
        "/api/users/deactivate", headers=ADMIN, data={"login": "jane", "anonymize": "true"}
    ).get_json()["user"]
    assert user["login"].startswith("sq-removed-")
    assert user["name"] == user["login"] == user["externalIdentity"]
    assert "email" not in user


def test_self_deactivation_is_refused(sonar):
    response = sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "admin"})
    assert response.status_code == 400
    assert response.get_json() == errors("Self-deactivation is not possible")


def test_deactivate_of_an_unknown_user_is_404(sonar):
    response = sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "ghost"})
    assert response.status_code == 404
    assert response.get_json() == errors("User 'ghost' not found")


def test_the_last_administrator_cannot_be_deactivated():
    # Through the Web API the caller is an administrator too, so the rule only bites here.
    db = connect(":memory:")
    migrate(db, MIGRATIONS)
    bootstrap(db, clock.now(db))
    with pytest.raises(BadRequest, match="User is last administrator, and cannot be deactivated"):
        user_admin.deactivate_user(
            db, clock.now(db), users.require_user(db, "admin")["uuid"], actor_uuid="someone else"
        )


def test_another_administrator_can_be_deactivated(sonar, store):
    create(sonar, "boss")
    memberships.add_member(
        store,
        groups.require_group(store, "sonar-administrators"),
        users.require_user(store, "boss")["uuid"],
    )
    assert (
        sonar.post("/api/users/deactivate", headers=ADMIN, data={"login": "boss"}).status_code
        == 200
    )


# --- change_password -------------------------------------------------------------------------


def test_change_own_password(sonar):
    create(sonar, "jane")
    response = sonar.post(
        "/api/users/change_password",
        headers=basic("jane", PASSWORD),
        data={"login": "jane", "previousPassword": PASSWORD, "password": "N3w-Passw0rd!!"},
    )
    assert response.status_code == 204
    assert sonar.get(
        "/api/authentication/validate", headers=basic("jane", "N3w-Passw0rd!!")
    ).get_json() == {"valid": True}


@pytest.mark.parametrize(
    ("previous", "password", "result"),
    [
        ("Wr0ng-Passw0rd!", "N3w-Passw0rd!!", "old_password_incorrect"),
        (PASSWORD, PASSWORD, "new_password_same_as_old"),
        (None, "N3w-Passw0rd!!", "The 'previousPassword' parameter is missing"),
        (PASSWORD, "Sh0rt!", "Password must be at least 12 characters long"),
        (PASSWORD, "n3w-passw0rd!!", "Password must contain at least one uppercase character"),
        (PASSWORD, "N3W-PASSW0RD!!", "Password must contain at least one lowercase character"),
        (PASSWORD, "New-Password!!", "Password must contain at least one digit"),
        (PASSWORD, "N3wPassw0rd123", "Password must contain at least one special character"),
    ],
)
def test_change_own_password_refusals_are_a_result(sonar, previous, password, result):
    create(sonar, "jane")
    data = {"login": "jane", "password": password}
    if previous is not None:
        data["previousPassword"] = previous
    response = sonar.post("/api/users/change_password", headers=basic("jane", PASSWORD), data=data)
    assert response.status_code == 400
    assert response.get_json() == {"result": result}


def test_an_admin_changes_another_password_without_the_previous_one(sonar):
    create(sonar, "jane")
    response = sonar.post(
        "/api/users/change_password",
        headers=ADMIN,
        data={"login": "jane", "password": "N3w-Passw0rd!!"},
    )
    assert response.status_code == 204
    assert sonar.get(
        "/api/authentication/validate", headers=basic("jane", "N3w-Passw0rd!!")
    ).get_json() == {"valid": True}


def test_a_non_admin_cannot_change_another_password(sonar):
    create(sonar, "jane")
    create(sonar, "bob")
    response = sonar.post(
        "/api/users/change_password",
        headers=basic("bob", PASSWORD),
        data={"login": "jane", "password": "N3w-Passw0rd!!"},
    )
    assert response.status_code == 403
    assert response.get_json() == errors("Insufficient privileges")


def test_the_password_of_a_non_local_user_cannot_be_changed(sonar):
    create(sonar, "ext", local="false")
    response = sonar.post(
        "/api/users/change_password",
        headers=ADMIN,
        data={"login": "ext", "password": "N3w-Passw0rd!!"},
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "result": "Password cannot be changed when external authentication is used"
    }


def test_change_password_clears_the_forced_reset(sonar, store):
    assert users.require_user(store, "admin")["reset_password"] == 1
    sonar.post(
        "/api/users/change_password",
        headers=ADMIN,
        data={"login": "admin", "previousPassword": "admin", "password": "N3w-Passw0rd!!"},
    )
    assert users.require_user(store, "admin")["reset_password"] == 0


def test_change_password_ends_other_sessions_and_renews_the_callers(sonar):
    create(sonar, "jane")
    other = sonar.application.test_client()
    other.post("/api/authentication/login", data={"login": "jane", "password": PASSWORD})
    sonar.post("/api/authentication/login", data={"login": "jane", "password": PASSWORD})
    xsrf = sonar.get_cookie("XSRF-TOKEN").value
    response = sonar.post(
        "/api/users/change_password",
        headers={"X-XSRF-TOKEN": xsrf},
        data={"login": "jane", "previousPassword": PASSWORD, "password": "N3w-Passw0rd!!"},
    )
    assert response.status_code == 204
    assert other.get("/api/authentication/validate").get_json() == {"valid": False}
    assert sonar.get("/api/authentication/validate").get_json() == {"valid": True}


# --- update_login, update_identity_provider, identity_providers -------------------------------


def test_update_login_renames_a_local_user_and_their_identity(sonar):
    create(sonar, "jane")
    assert (
        sonar.post(
            "/api/users/update_login", headers=ADMIN, data={"login": "jane", "newLogin": "jane.doe"}
        ).status_code
        == 204
    )
    assert found(sonar, "jane.doe")["externalIdentity"] == "jane.doe"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"login": "jane", "newLogin": "admin"}, 400, "A user with login 'admin' already exists"),
        (
            {"login": "jane", "newLogin": "j"},
            400,
            "'newLogin' length (1) is shorter than the minimum authorized (2)",
        ),
        ({"login": "jane"}, 400, "The 'newLogin' parameter is missing"),
        ({"login": "ghost", "newLogin": "spirit"}, 404, "User 'ghost' doesn't exist"),
    ],
)
def test_update_login_refusals(sonar, data, status, message):
    create(sonar, "jane")
    response = sonar.post("/api/users/update_login", headers=ADMIN, data=data)
    assert response.status_code == status
    assert response.get_json() == errors(message)


def configure_saml(client, **overrides: str) -> None:
    values = {
        "sonar.auth.saml.enabled": "true",
        "sonar.auth.saml.providerId": "http://idp",
        "sonar.auth.saml.loginUrl": "http://idp/sso",
        "sonar.auth.saml.certificate.secured": "MIIC...",
        "sonar.auth.saml.user.login": "login",
        "sonar.auth.saml.user.name": "name",
        "sonar.auth.saml.providerName": "Okta",
        **overrides,
    }
    for key, value in values.items():
        if value:
            client.post("/api/settings/set", headers=ADMIN, data={"key": key, "value": value})


def test_update_identity_provider_needs_an_enabled_provider(sonar):
    create(sonar, "jane")
    response = sonar.post(
        "/api/users/update_identity_provider",
        headers=ADMIN,
        data={"login": "jane", "newExternalProvider": "saml"},
    )
    assert response.status_code == 400
    assert response.get_json() == errors(
        "Value of parameter 'newExternalProvider' (saml) must be one of: [] or "
        "[LDAP, LDAP_{serverKey}]"
    )


def test_update_identity_provider_moves_the_user_to_saml(sonar):
    configure_saml(sonar)
    create(sonar, "jane")
    assert (
        sonar.post(
            "/api/users/update_identity_provider",
            headers=ADMIN,
            data={
                "login": "jane",
                "newExternalProvider": "saml",
                "newExternalIdentity": "jane@example.com",
            },
        ).status_code
        == 204
    )
    user = found(sonar, "jane")
    assert (user["local"], user["externalProvider"], user["externalIdentity"]) == (
        False,
        "saml",
        "jane@example.com",
    )


def test_identity_providers_is_empty_by_default(sonar):
    response = sonar.get("/api/users/identity_providers")
    assert response.status_code == 200
    assert response.get_json() == {"identityProviders": []}


def test_identity_providers_lists_a_fully_configured_saml(sonar):
    configure_saml(sonar)
    assert sonar.get("/api/users/identity_providers").get_json() == {
        "identityProviders": [
            {
                "key": "saml",
                "name": "Okta",
                "iconPath": "/images/saml.png",
                "backgroundColor": "#444444",
            }
        ]
    }


@pytest.mark.parametrize(
    "missing",
    [
        "sonar.auth.saml.providerId",
        "sonar.auth.saml.loginUrl",
        "sonar.auth.saml.certificate.secured",
        "sonar.auth.saml.user.login",
        "sonar.auth.saml.user.name",
        "sonar.auth.saml.enabled",
    ],
)
def test_identity_providers_hides_an_incomplete_saml(sonar, missing):
    configure_saml(sonar, **{missing: ""})
    assert sonar.get("/api/users/identity_providers").get_json() == {"identityProviders": []}
