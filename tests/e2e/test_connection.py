"""The SCIM connection between the two apps: the guide's Steps 1-7."""

from tests.e2e.world import SONARQUBE_APP


def test_connector_test_is_green_with_the_admin_token(world):
    token = world.enable_scim_and_make_token()
    stored = world.configure_provisioning(token)
    assert stored["tokenSet"] is True
    assert "token" not in stored
    result = world.okta.post(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning/test"
    ).json()
    assert result["ok"] is True
    assert result["message"] == "Connector configured successfully"
    assert {c["name"] for c in result["capabilities"] if c["supported"]} == {
        "Create Users",
        "Update User Attributes",
        "Push Groups",
    }
    [probe] = world.wire()
    assert probe["method"] == "GET"
    assert probe["url"] == f"{world.sonar_url}/api/scim/v2/Users?startIndex=1&count=2"
    assert probe["requestHeaders"]["User-Agent"] == "Okta SCIM Client 1.0.0"
    assert probe["requestHeaders"]["Accept"] == "application/scim+json"
    assert probe["requestHeaders"]["Authorization"] == "Bearer ***"
    assert "Content-Type" not in probe["requestHeaders"]
    assert probe["status"] == 200


def test_connector_test_fails_with_a_bad_token(world):
    world.enable_scim_and_make_token()
    world.configure_provisioning("squ_" + "0" * 40)
    result = world.okta.post(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning/test"
    ).json()
    assert result["ok"] is False
    assert result["message"].startswith("Unauthorized.")


def test_connector_test_fails_while_scim_is_off_in_sonarqube(world):
    token = world.sonar.post(
        f"{world.sonar_url}/api/user_tokens/generate", data={"name": "t"}
    ).json()["token"]
    world.configure_provisioning(token)
    result = world.okta.post(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning/test"
    ).json()
    assert result == {
        "ok": False,
        "message": "Not Found. Errors reported by remote server: SCIM is not enabled",
    }


def test_enabling_provisioning_flags_users_assigned_before(world):
    token = world.enable_scim_and_make_token()
    world.configure_provisioning(token)
    from mock_common.db import connect

    db = connect(world.okta_app.config["DATABASE"])
    flagged = db.execute(
        "select count(*) from app_users where app_id = ? and provisioned_before_enabled = 1",
        [SONARQUBE_APP],
    ).fetchone()[0]
    db.conn.close()
    assert flagged == 7


def test_basic_auth_with_the_token_as_username(world):
    """SonarQube 9.9's Okta setup: Authentication Mode Basic Auth, the token as the username."""
    token = world.enable_scim_and_make_token()
    world.okta.put(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning",
        json={
            "enabled": True,
            "baseUrl": f"{world.sonar_url}/api/scim/v2",
            "authMode": "BASIC",
            "username": token,
            "password": "",
            "actions": ["PUSH_NEW_USERS"],
        },
    ).raise_for_status()
    stored = world.okta.get(f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning").json()
    assert stored["authMode"] == "BASIC"
    assert "password" not in stored
    result = world.okta.post(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning/test"
    ).json()
    assert result["ok"] is True
    assert world.wire()[-1]["requestHeaders"]["Authorization"] == "Basic ***"


def test_bad_connection_form_is_refused(world):
    response = world.okta.put(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning",
        json={"enabled": True, "baseUrl": "not a url"},
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000001"
    response = world.okta.put(
        f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning",
        json={"enabled": True, "baseUrl": "http://x", "authMode": "OAUTH"},
    )
    assert response.status_code == 400
    assert world.okta.get(f"{world.okta_url}/_mock/apps/{SONARQUBE_APP}/provisioning").json() == {
        "enabled": False
    }
