"""Who may call /api/scim/v2 (reference/sonarqube.md §3.5)."""

from mock_sonar import create_app
from tests.conftest import ADMIN, basic, bearer
from tests.sonar.conftest import SCIM


def test_no_credentials_is_401_with_an_empty_body(sonar, scim):
    response = sonar.get(f"{SCIM}/Users")
    assert response.status_code == 401
    assert response.data == b""


def test_a_bad_token_is_401_with_an_empty_body(sonar, scim):
    response = sonar.get(f"{SCIM}/Users", headers=bearer("squ_" + "f" * 40))
    assert response.status_code == 401
    assert response.data == b""


def test_an_analysis_token_is_refused(sonar, scim):
    token = sonar.post(
        "/api/user_tokens/generate",
        headers=ADMIN,
        data={"name": "ci", "type": "GLOBAL_ANALYSIS_TOKEN"},
    ).get_json()["token"]
    assert token.startswith("sqa_")
    assert sonar.get(f"{SCIM}/Users", headers=bearer(token)).status_code == 401


def test_a_non_admin_token_is_403(sonar):
    assert (
        sonar.post(
            "/api/users/create",
            headers=ADMIN,
            data={"login": "dev", "name": "Dev", "password": "Dev-Passw0rd!"},
        ).status_code
        == 200
    )
    sonar.post("/api/scim_management/enable", headers=ADMIN)
    response = sonar.get(f"{SCIM}/Users", headers=basic("dev", "Dev-Passw0rd!"))
    assert response.status_code == 403
    assert response.get_json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "403",
        "detail": "Insufficient privileges",
    }


def test_token_as_basic_username_works_as_okta_on_9_9_configures_it(sonar, scim, admin_token):
    assert sonar.get(f"{SCIM}/Users", headers=basic(admin_token)).status_code == 200


def test_scim_switched_off_is_a_scim_404(sonar):
    response = sonar.get(f"{SCIM}/Users", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json()["detail"] == "SCIM is not enabled"


def test_the_disabled_status_is_a_setting(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SCIM_DISABLED_STATUS": 403})
    assert app.test_client().get(f"{SCIM}/Users", headers=ADMIN).status_code == 403


def test_below_enterprise_the_endpoint_does_not_exist(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "EDITION": "developer"})
    response = app.test_client().get(f"{SCIM}/Users", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == {"errors": [{"msg": f"Unknown url : {SCIM}/Users"}]}


def test_unknown_scim_path_is_a_scim_404(sonar, scim):
    response = sonar.get(f"{SCIM}/Nope", headers=scim)
    assert response.status_code == 404
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_discovery_documents(sonar, scim):
    config = sonar.get(f"{SCIM}/ServiceProviderConfig", headers=scim).get_json()
    assert config["patch"] == {"supported": True}
    assert config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False
    types = sonar.get(f"{SCIM}/ResourceTypes", headers=scim).get_json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    schemas = sonar.get(f"{SCIM}/Schemas", headers=scim).get_json()
    assert {s["id"] for s in schemas["Resources"]} == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
    }


def test_discovery_can_be_switched_off(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SCIM_DISCOVERY": False})
    client = app.test_client()
    client.post("/api/scim_management/enable", headers=ADMIN)
    assert client.get(f"{SCIM}/ServiceProviderConfig", headers=ADMIN).status_code == 404
