"""Password operations, sessions and /users/me, through the official SDK where it has a call."""

import pytest
from okta.models import ChangePasswordRequest, PasswordCredential

from mock_common.db import connect
from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import ALICE, PASSWORD, seed_default_world, sign_in

ALICE_ID = ALICE[0]


@pytest.fixture
def world(okta_app, devenv_keys):
    """The default world (Alice ACTIVE with the fixture password)."""
    seed_default_world(okta_app, devenv_keys)
    return okta_app


@pytest.fixture
def okta(world):
    return world.test_client()


def status_of(okta, user_id: str = ALICE_ID) -> str:
    return okta.get(f"/api/v1/users/{user_id}", headers=SSWS).get_json()["status"]


def post(okta, path: str, **kwargs):
    return okta.post(f"/api/v1/users/{ALICE_ID}/{path}", headers=SSWS, **kwargs)


def change_password(okta, old: str, new: str):
    body = {"oldPassword": {"value": old}, "newPassword": {"value": new}}
    return post(okta, "credentials/change_password", json=body)


def test_reset_password_without_email_returns_an_absolute_link(okta):
    response = post(okta, "lifecycle/reset_password?sendEmail=false")
    assert response.status_code == 200
    url = response.get_json()["resetPasswordUrl"]
    assert url.startswith("http://okta.test/reset_password/")
    assert list(response.get_json()) == ["resetPasswordUrl"]
    assert status_of(okta) == "RECOVERY"
    assert sign_in(okta).status_code == 401  # until the reset is done


def test_reset_password_by_email_answers_an_empty_object(okta):
    response = post(okta, "lifecycle/reset_password?sendEmail=true")
    assert (response.status_code, response.get_json()) == (200, {})


def test_reset_password_through_the_sdk(sdk, world):
    token, _, err = sdk(lambda c: c.reset_password(ALICE_ID, send_email=False))
    assert err is None, err
    assert token.reset_password_url.startswith(world.config["BASE_URL"] + "/reset_password/")


def test_reset_password_of_a_staged_user_is_refused(okta):
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
        f"/api/v1/users/{created['id']}/lifecycle/reset_password?sendEmail=false", headers=SSWS
    )
    assert (response.status_code, response.get_json()["errorCode"]) == (403, "E0000038")


def test_expire_password_returns_the_user(sdk, world):
    user, _, err = sdk(lambda c: c.expire_password(ALICE_ID))
    assert err is None, err
    assert user.status.value == "PASSWORD_EXPIRED"


def test_expire_password_with_a_temporary_password(okta):
    response = post(okta, "lifecycle/expire_password_with_temp_password")
    assert response.status_code == 200
    temp = response.get_json()["tempPassword"]
    assert len(temp) == 8
    assert temp.isalnum()
    assert status_of(okta) == "PASSWORD_EXPIRED"
    assert change_password(okta, PASSWORD, "An0ther!pass").get_json()["errorCode"] == "E0000014"
    assert change_password(okta, temp, "An0ther!pass").status_code == 200
    assert status_of(okta) == "ACTIVE"
    assert sign_in(okta, password="An0ther!pass").status_code == 302


def test_change_password_through_the_sdk(sdk, okta):
    request = ChangePasswordRequest(
        old_password=PasswordCredential(value=PASSWORD),
        new_password=PasswordCredential(value="N3w-password!"),
    )
    credentials, _, err = sdk(lambda c: c.change_password(ALICE_ID, request))
    assert err is None, err
    assert credentials.provider.type.value == "OKTA"
    assert sign_in(okta).status_code == 401
    assert sign_in(okta, password="N3w-password!").status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "status", "code", "cause"),
    [
        (
            "wrong-password",
            "N3w-password!",
            403,
            "E0000014",
            "oldPassword: The credentials provided were incorrect.",
        ),
        (
            PASSWORD,
            "short",
            400,
            "E0000080",
            "password: Password requirements were not met. Password requirements: at least 8 "
            "characters.",
        ),
        (PASSWORD, "", 400, "E0000001", "newPassword: The field cannot be left blank"),
    ],
)
def test_change_password_refusals(okta, old, new, status, code, cause):
    response = change_password(okta, old, new)
    assert response.status_code == status
    assert response.get_json()["errorCode"] == code
    assert response.get_json()["errorCauses"] == [{"errorSummary": cause}]
    assert sign_in(okta).status_code == 302  # the password did not change


def test_recovery_ends_with_a_changed_password(okta):
    post(okta, "lifecycle/reset_password?sendEmail=false")
    assert change_password(okta, PASSWORD, "Rec0vered!pw").status_code == 200
    assert status_of(okta) == "ACTIVE"


def test_unlock_a_locked_out_user(okta, world):
    db = connect(world.config["DATABASE"])
    db.execute("update users set status = 'LOCKED_OUT' where id = ?", [ALICE_ID])
    db.conn.commit()
    db.conn.close()
    links = okta.get(f"/api/v1/users/{ALICE_ID}", headers=SSWS).get_json()["_links"]
    assert links["unlock"]["href"].endswith("/lifecycle/unlock")
    response = post(okta, "lifecycle/unlock")
    assert (response.status_code, response.get_json()) == (200, {})
    assert status_of(okta) == "ACTIVE"
    assert sign_in(okta).status_code == 302


def test_unlock_of_a_suspended_user_is_refused(okta):
    post(okta, "lifecycle/suspend")
    response = post(okta, "lifecycle/unlock")
    assert (response.status_code, response.get_json()["errorCode"]) == (403, "E0000038")


def test_revoking_the_sessions_makes_the_next_sign_on_ask_again(okta, sdk):
    sign_in(okta)
    assert okta.get("/app/UserHome").status_code == 200
    _, _, err = sdk(lambda c: c.revoke_user_sessions(ALICE_ID))
    assert err is None, err
    home = okta.get("/app/UserHome")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/login/login.htm")


def test_users_me_is_the_token_owner(sdk):
    me, _, err = sdk(lambda c: c.get_user("me"))
    assert err is None, err
    assert me.profile.login == "admin@example.com"


@pytest.mark.parametrize("status_step", ["provisioned", "suspend"])
def test_activate_only_from_staged_or_deprovisioned(okta, status_step):
    body = {
        "profile": {
            "login": "p@example.com",
            "email": "p@example.com",
            "firstName": "P",
            "lastName": "Q",
        }
    }
    if status_step == "suspend":
        body["credentials"] = {"password": {"value": "Passw0rd!x"}}
    user_id = okta.post("/api/v1/users", headers=SSWS, json=body).get_json()["id"]
    if status_step == "suspend":
        okta.post(f"/api/v1/users/{user_id}/lifecycle/suspend", headers=SSWS)
    response = okta.post(f"/api/v1/users/{user_id}/lifecycle/activate", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (403, "E0000016")
