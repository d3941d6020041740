"""SAML login through the ACS: user resolution and group sync (reference §5.2-§5.5)."""

import hashlib
import json
import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from cryptography.utils import CryptographyDeprecationWarning
from saml2.s_utils import decode_base64_and_inflate

from mock_common.db import connect
from mock_sonar import clock, fixtures
from mock_sonar.saml import login as saml_login
from tests.conftest import ADMIN, fixture_variables
from tests.sonar.conftest import SCIM, create_user, post_json
from tests.sonar.saml_idp_helper import (
    ACS,
    ATTRIBUTES,
    LOGIN_URL,
    configure_sonar,
    encode,
    post_to_acs,
    start_login,
)
from tests.sonar.saml_idp_helper import sso_login as login_via_saml

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"


def as_admin(client):
    """A client without the browser's cookies, for the admin's Basic-authenticated calls."""
    return client.application.test_client()


def users_by_identity(client, external_identity: str, deactivated: bool = False) -> list[dict]:
    query = "&deactivated=true" if deactivated else ""
    response = as_admin(client).get(f"/api/users/search?ps=500{query}", headers=ADMIN)
    found = response.get_json()["users"]
    return [u for u in found if u.get("externalIdentity") == external_identity]


def current_user(client) -> dict:
    return client.get("/api/users/current").get_json()


def attributes(**changes: list[str]) -> dict[str, list[str]]:
    return {**ATTRIBUTES, **changes}


def unauthorized_reason(response) -> str | None:
    """The AUTHENTICATION-ERROR cookie the ACS set, decoded as the page decodes it."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("AUTHENTICATION-ERROR="):
            return unquote(header.split(";")[0].split("=", 1)[1])
    return None


def test_login_starts_with_a_csrf_state_and_the_authn_request(saml_sonar):
    response = saml_sonar.get("/sessions/init/saml?return_to=/projects")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == LOGIN_URL
    query = parse_qs(location.query)
    assert set(query) == {"SAMLRequest", "RelayState"}
    state = query["RelayState"][0]
    cookie = saml_sonar.get_cookie("OAUTHSTATE")
    assert cookie.value == hashlib.sha256(state.encode()).hexdigest()
    assert cookie.http_only
    request = decode_base64_and_inflate(query["SAMLRequest"][0]).decode()
    assert f'AssertionConsumerServiceURL="{ACS}"' in request
    assert f'Destination="{LOGIN_URL}"' in request
    assert re.search(r'ID="ARQ[0-9a-f-]{35}"', request)
    assert ">sonarqube</" in request
    assert "NameIDPolicy" not in request
    assert json.loads(unquote(saml_sonar.get_cookie("AUTH-PARAMS").value)) == {
        "return_to": "/projects"
    }


def test_authn_request_is_signed_when_sign_requests_is_on(saml_sonar, idp, saml_keys):
    configure_sonar(
        saml_sonar,
        idp,
        **{
            "sonar.auth.saml.signature.enabled": "true",
            "sonar.auth.saml.sp.privateKey.secured": saml_keys["sp"].key_pem,
            "sonar.auth.saml.sp.certificate.secured": saml_keys["sp"].cert_pem,
        },
    )
    location = saml_sonar.get("/sessions/init/saml").headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"][0]


def test_signing_without_a_key_pair_is_refused(saml_sonar, idp):
    configure_sonar(saml_sonar, idp, **{"sonar.auth.saml.signature.enabled": "true"})
    response = saml_sonar.get("/sessions/init/saml")
    assert response.headers["Location"] == "/sessions/unauthorized"


def test_a_certificate_without_its_pem_lines_is_trusted(saml_sonar, idp):
    bare = "".join(idp.signing.cert_pem.splitlines()[1:-1])
    configure_sonar(saml_sonar, idp, **{"sonar.auth.saml.certificate.secured": bare})
    assert login_via_saml(saml_sonar, idp).headers["Location"] == "/"


def test_jit_login_creates_the_user(saml_sonar, idp):
    response = login_via_saml(saml_sonar, idp)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert saml_sonar.get_cookie("JWT-SESSION") is not None
    [user] = users_by_identity(saml_sonar, "jdoe@example.com")
    assert re.fullmatch(r"john-doe\d{1,5}", user["login"])
    assert user["name"] == "John Doe"
    assert user["email"] == "jdoe@example.com"
    assert user["externalProvider"] == "saml"
    assert user["local"] is False
    assert user["groups"] == ["sonar-developers", "sonar-users"]
    assert current_user(saml_sonar)["login"] == user["login"]
    assert "lastConnectionDate" in user
    groups = as_admin(saml_sonar).get("/api/user_groups/search", headers=ADMIN).get_json()["groups"]
    assert "not-in-sonarqube" not in {g["name"] for g in groups}


def test_second_login_updates_details_and_resyncs_groups_but_keeps_sonar_users(saml_sonar, idp):
    login_via_saml(saml_sonar, idp)
    [user] = users_by_identity(saml_sonar, "jdoe@example.com")
    admin = as_admin(saml_sonar)
    for name in ("team-x", "team-y"):
        admin.post("/api/user_groups/create", headers=ADMIN, data={"name": name})
    admin.post(
        "/api/user_groups/add_user", headers=ADMIN, data={"name": "team-x", "login": user["login"]}
    )
    login_via_saml(
        saml_sonar,
        idp,
        attributes=attributes(
            name=["John Q. Doe"], email=["john.doe@example.com"], groups=["team-y"]
        ),
    )
    [again] = users_by_identity(saml_sonar, "jdoe@example.com")
    assert again["login"] == user["login"]
    assert (again["name"], again["email"]) == ("John Q. Doe", "john.doe@example.com")
    assert again["groups"] == ["sonar-users", "team-y"]


def test_no_group_values_leave_memberships_alone(saml_sonar, idp):
    login_via_saml(saml_sonar, idp)
    without_groups = {k: v for k, v in ATTRIBUTES.items() if k != "groups"}
    login_via_saml(saml_sonar, idp, attributes=without_groups)
    [user] = users_by_identity(saml_sonar, "jdoe@example.com")
    assert user["groups"] == ["sonar-developers", "sonar-users"]


def test_a_deactivated_user_is_reactivated_in_jit_mode(saml_sonar, idp):
    login_via_saml(saml_sonar, idp)
    [user] = users_by_identity(saml_sonar, "jdoe@example.com")
    deactivated = as_admin(saml_sonar).post(
        "/api/users/deactivate", headers=ADMIN, data={"login": user["login"]}
    )
    assert deactivated.status_code == 200
    response = login_via_saml(saml_sonar, idp, attributes=attributes(groups=[]))
    assert response.headers["Location"] == "/"
    [again] = users_by_identity(saml_sonar, "jdoe@example.com")
    assert again["login"] == user["login"]
    assert again["active"] is True
    assert again["groups"] == ["sonar-users"]


def test_case_sensitive_login_match_makes_another_user(saml_sonar, idp):
    login_via_saml(saml_sonar, idp, attributes=attributes(login=["JDoe@Example.com"]))
    login_via_saml(saml_sonar, idp, attributes=attributes(email=["other@example.com"]))
    assert len(users_by_identity(saml_sonar, "JDoe@Example.com")) == 1
    assert len(users_by_identity(saml_sonar, "jdoe@example.com")) == 1


def test_an_email_already_used_is_refused(saml_sonar, idp):
    saml_sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={
            "login": "jdoe",
            "name": "Local John",
            "email": "JDOE@example.com",
            "password": "Str0ng-Passw0rd!",
        },
    )
    response = login_via_saml(saml_sonar, idp)
    assert response.headers["Location"] == "/sessions/unauthorized"
    assert unauthorized_reason(response) == saml_login.EMAIL_ALREADY_USED
    assert users_by_identity(saml_sonar, "jdoe@example.com") == []
    page = saml_sonar.get("/sessions/unauthorized").get_data(as_text=True)
    assert "Reason: This account is already associated with another authentication method." in (
        page
    )


def test_a_missing_login_attribute_is_refused_without_a_reason(saml_sonar, idp, caplog):
    without_login = {k: v for k, v in ATTRIBUTES.items() if k != "login"}
    response = login_via_saml(saml_sonar, idp, attributes=without_login)
    assert response.headers["Location"] == "/sessions/unauthorized"
    assert unauthorized_reason(response) is None
    assert "SAML authentication failed: login is missing" in caplog.text
    assert saml_sonar.get_cookie("JWT-SESSION") is None


@pytest.mark.parametrize(
    ("return_to", "location"),
    [
        ("/projects?id=42", "/projects?id=42"),
        ("/admin/../account", "/account"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/", "/"),
    ],
)
def test_return_to_is_honoured_only_for_local_paths(saml_sonar, idp, return_to, location):
    response = login_via_saml(saml_sonar, idp, return_to=return_to)
    assert response.headers["Location"] == location


def test_logout_ends_the_session(saml_sonar, idp):
    login_via_saml(saml_sonar, idp)
    session = saml_sonar.get_cookie("JWT-SESSION").value
    response = saml_sonar.get("/sessions/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert saml_sonar.get_cookie("JWT-SESSION") is None
    saml_sonar.set_cookie("JWT-SESSION", session)
    assert saml_sonar.get("/api/authentication/validate").get_json() == {"valid": False}


def test_cookies_are_secure_behind_an_https_proxy(saml_sonar):
    response = saml_sonar.get("/sessions/init/saml", headers={"X-Forwarded-Proto": "https"})
    [state] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("OAUTHSTATE=")]
    assert "Secure" in state


def test_an_encrypted_assertion_is_decrypted_with_the_sp_key(saml_sonar, idp, saml_keys):
    configure_sonar(
        saml_sonar,
        idp,
        **{
            "sonar.auth.saml.sp.privateKey.secured": saml_keys["sp"].key_pem,
            "sonar.auth.saml.sp.certificate.secured": saml_keys["sp"].cert_pem,
        },
    )
    response = login_via_saml(saml_sonar, idp, encrypt_for=saml_keys["sp"])
    assert response.headers["Location"] == "/"
    assert len(users_by_identity(saml_sonar, "jdoe@example.com")) == 1


def test_an_encrypted_assertion_without_the_sp_key_is_refused(saml_sonar, idp, saml_keys, caplog):
    response = login_via_saml(saml_sonar, idp, encrypt_for=saml_keys["sp"])
    assert response.headers["Location"] == "/sessions/unauthorized"
    assert "DecryptionException: Failed to decrypt EncryptedData" in caplog.text


# --- SCIM mode (instance managed): reference §5.4, §5.5 ----------------------------------


def test_scim_mode_refuses_a_user_who_is_not_provisioned(saml_sonar, idp, scim):
    response = login_via_saml(saml_sonar, idp)
    assert response.headers["Location"] == "/sessions/unauthorized"
    assert unauthorized_reason(response) == (
        "You have no account on SonarQube. Please make sure with your administrator that your "
        "account is provisioned."
    )
    assert saml_sonar.get_cookie("JWT-SESSION") is None
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "AUTHENTICATION-ERROR" in c]
    assert "Max-Age=300" in cookie
    assert "Path=/" in cookie
    assert "HttpOnly" not in cookie
    assert users_by_identity(saml_sonar, "jdoe@example.com") == []
    page = saml_sonar.get("/sessions/unauthorized").get_data(as_text=True)
    assert "Reason: You have no account on SonarQube." in page


def test_scim_mode_logs_a_provisioned_user_in_without_touching_groups(saml_sonar, idp, scim):
    create_user(saml_sonar, scim, "jdoe@example.com")
    response = login_via_saml(saml_sonar, idp)
    assert response.headers["Location"] == "/"
    [user] = users_by_identity(saml_sonar, "jdoe@example.com")
    assert user["managed"] is True
    assert user["name"] == "John Doe"
    assert user["groups"] == ["sonar-users"]


def test_scim_mode_refuses_a_deactivated_user(saml_sonar, idp, scim):
    created = create_user(saml_sonar, scim, "jdoe@example.com")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    path = f"{SCIM}/Users/{created['id']}"
    assert post_json(saml_sonar, path, patch, scim, method="PATCH").status_code == 200
    response = login_via_saml(saml_sonar, idp)
    assert unauthorized_reason(response) == saml_login.NOT_PROVISIONED
    [user] = users_by_identity(saml_sonar, "jdoe@example.com", deactivated=True)
    assert user["active"] is False


def test_scim_mode_matches_the_login_case_sensitively(saml_sonar, idp, scim):
    create_user(saml_sonar, scim, "jdoe@example.com")
    response = login_via_saml(
        saml_sonar,
        idp,
        attributes=attributes(login=["JDoe@example.com"], email=["x@example.com"]),
    )
    assert unauthorized_reason(response) == saml_login.NOT_PROVISIONED


# --- The default fixture: a pysaml2 IdP signing with the Okta app's key ---------------------


def test_a_pysaml2_idp_signing_with_the_configured_certificate_is_accepted(tmp_path, devenv_keys):
    from saml2 import BINDING_HTTP_POST
    from saml2.config import IdPConfig
    from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID

    from mock_sonar import create_app

    with warnings.catch_warnings():
        # pysaml2 7.5.5 names a cryptography cipher mode that cryptography deprecates.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        from saml2.server import Server

    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "BASE_URL": "http://sonar.test"})
    db = connect(app.config["DATABASE"])
    variables = fixture_variables(devenv_keys)
    fixtures.seed(db, clock.now(db), json.loads(FIXTURE.read_text()), variables)
    db.conn.close()
    client = app.test_client()
    relay_state = start_login(client)
    acs = "http://localhost:9000/oauth2/callback/saml"
    sp_metadata = _sp_metadata(acs)
    key_file = Path(devenv_keys) / "okta-sonarqube-idp.pem"
    idp_config = IdPConfig()
    idp_config.load(
        {
            "entityid": "http://www.okta.com/exksonarqube0devenv7",
            "key_file": str(key_file),
            "cert_file": str(key_file),
            "metadata": {"inline": [sp_metadata]},
            "service": {"idp": {"endpoints": {"single_sign_on_service": []}}},
        }
    )
    server = Server(config=idp_config)
    response = server.create_authn_response(
        {"login": ["alice.martin@example.com"], "name": ["Alice Martin"]},
        in_response_to=None,
        destination=acs,
        sp_entity_id="sonarqube",
        name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text="alice.martin@example.com"),
        sign_response=True,
        sign_assertion=True,
        binding=BINDING_HTTP_POST,
    )
    posted = post_to_acs(client, encode(str(response)), relay_state)
    assert posted.headers["Location"] == "/"
    assert current_user(client)["login"] == "alice-martin-example-com20417"


def _sp_metadata(acs: str) -> str:
    from saml2 import BINDING_HTTP_POST
    from saml2.config import SPConfig
    from saml2.metadata import create_metadata_string

    config = SPConfig()
    config.load(
        {
            "entityid": "sonarqube",
            "service": {
                "sp": {"endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]}}
            },
        }
    )
    return create_metadata_string(None, config=config).decode()


def test_identity_providers_list_saml_only_when_enabled(saml_sonar, idp):
    providers = saml_sonar.get("/api/users/identity_providers").get_json()
    assert providers == {
        "identityProviders": [
            {
                "key": "saml",
                "name": "Okta",
                "iconPath": "/images/saml.png",
                "backgroundColor": "#444444",
            }
        ]
    }
    configure_sonar(saml_sonar, idp, **{"sonar.auth.saml.certificate.secured": ""})
    assert saml_sonar.get("/api/users/identity_providers").get_json() == {"identityProviders": []}


def test_a_malformed_error_cookie_does_not_break_the_page(saml_sonar):
    saml_sonar.set_cookie("AUTHENTICATION-ERROR", "%E0%A4%A")
    assert saml_sonar.get("/sessions/unauthorized").status_code == 200
