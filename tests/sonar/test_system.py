"""api/system, api/server, api/features, api/authentication and the session filter."""

from tests.conftest import ADMIN, basic, bearer


def test_status_is_anonymous_and_up(sonar):
    response = sonar.get("/api/system/status")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "UP"
    assert body["version"].startswith("2025.")


def test_version_is_plain_text(sonar):
    response = sonar.get("/api/server/version")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert response.text.startswith("2025.")


def test_missing_credentials_get_401_with_empty_body(sonar):
    response = sonar.get("/api/users/search")
    assert response.status_code == 401
    assert response.data == b""


def test_wrong_password_gets_401_with_empty_body(sonar):
    response = sonar.get("/api/users/search", headers=basic("admin", "nope"))
    assert response.status_code == 401
    assert response.data == b""


def test_unknown_bearer_token_gets_401(sonar):
    response = sonar.get("/api/users/search", headers=bearer("squ_" + "0" * 40))
    assert response.status_code == 401
    assert response.data == b""


def test_validate_never_fails(sonar):
    assert sonar.get("/api/authentication/validate").get_json() == {"valid": False}
    assert sonar.get("/api/authentication/validate", headers=basic("admin", "bad")).get_json() == {
        "valid": False
    }
    assert sonar.get("/api/authentication/validate", headers=ADMIN).get_json() == {"valid": True}


def test_token_as_basic_login_and_as_bearer(sonar, admin_token):
    assert sonar.get("/api/authentication/validate", headers=basic(admin_token)).get_json() == {
        "valid": True
    }
    assert sonar.get("/api/authentication/validate", headers=bearer(admin_token)).get_json() == {
        "valid": True
    }


def test_unknown_v1_url(sonar):
    response = sonar.get("/api/foo/bar", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == {"errors": [{"msg": "Unknown url : /api/foo/bar"}]}


def test_features_list_has_scim_on_enterprise(sonar):
    assert "scim" in sonar.get("/api/features/list", headers=ADMIN).get_json()


def test_features_list_has_no_scim_on_developer(tmp_path):
    from mock_sonar import create_app

    app = create_app({"DATABASE": str(tmp_path / "dev.sqlite3"), "EDITION": "developer"})
    client = app.test_client()
    assert "scim" not in client.get("/api/features/list", headers=ADMIN).get_json()
    response = client.get("/api/scim_management/status", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == {"errors": [{"msg": "Unknown url : /api/scim_management/status"}]}


def test_scim_management_toggle(sonar):
    assert sonar.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": False}
    assert sonar.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    assert sonar.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": True}
    info = sonar.get("/api/system/info", headers=ADMIN).get_json()
    assert info["System"]["External Users and Groups Provisioning"] == "SCIM"
    assert sonar.post("/api/scim_management/disable", headers=ADMIN).status_code == 204
    info = sonar.get("/api/system/info", headers=ADMIN).get_json()
    assert "External Users and Groups Provisioning" not in info["System"]


def test_scim_flag_is_not_a_visible_setting(sonar):
    sonar.post("/api/scim_management/enable", headers=ADMIN)
    body = sonar.get("/api/settings/values?keys=sonar.scim.enabled", headers=ADMIN).get_json()
    assert body["settings"] == []


def test_secured_settings_are_never_returned(sonar):
    assert (
        sonar.post(
            "/api/settings/set",
            headers=ADMIN,
            data={"key": "sonar.auth.saml.certificate.secured", "value": "MIIC..."},
        ).status_code
        == 204
    )
    body = sonar.get(
        "/api/settings/values?keys=sonar.auth.saml.certificate.secured,"
        "sonar.auth.saml.providerName",
        headers=ADMIN,
    ).get_json()
    assert body == {
        "settings": [{"key": "sonar.auth.saml.providerName", "value": "SAML", "inherited": True}],
        "setSecuredSettings": ["sonar.auth.saml.certificate.secured"],
    }


def test_login_sets_session_and_xsrf_cookies(sonar):
    response = sonar.post("/api/authentication/login", data={"login": "admin", "password": "admin"})
    assert response.status_code == 200
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["JWT-SESSION"]
    assert "HttpOnly" not in cookies["XSRF-TOKEN"]
    assert sonar.get("/api/authentication/validate").get_json() == {"valid": True}


def test_session_post_needs_the_xsrf_header(sonar):
    sonar.post("/api/authentication/login", data={"login": "admin", "password": "admin"})
    xsrf = sonar.get_cookie("XSRF-TOKEN").value
    assert sonar.post("/api/scim_management/enable").status_code == 401
    response = sonar.post("/api/scim_management/enable", headers={"X-XSRF-TOKEN": xsrf})
    assert response.status_code == 204


def test_bad_login_gets_401(sonar):
    response = sonar.post("/api/authentication/login", data={"login": "admin", "password": "wrong"})
    assert response.status_code == 401


def test_logout_ends_the_session(sonar):
    sonar.post("/api/authentication/login", data={"login": "admin", "password": "admin"})
    assert sonar.post("/api/authentication/logout").status_code == 200
    assert sonar.get("/api/authentication/validate").get_json() == {"valid": False}


def test_simulator_settings_come_from_the_environment(tmp_path, monkeypatch):
    from mock_sonar import create_app

    monkeypatch.setenv("MOCK_SONAR_SCIM_DISABLED_STATUS", "403")
    monkeypatch.setenv("MOCK_SONAR_SCIM_DISCOVERY", "false")
    app = create_app({"DATABASE": str(tmp_path / "env.sqlite3")})
    assert app.config["SCIM_DISABLED_STATUS"] == 403
    assert app.config["SCIM_DISCOVERY"] is False


def test_an_unknown_edition_is_refused(tmp_path):
    import pytest

    from mock_sonar import create_app

    with pytest.raises(ValueError, match="Unknown edition 'gold'"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "EDITION": "gold"})
