"""Single Logout across apps: when a user signs out (SP-initiated from one app, or at Okta), Okta
sends a signed LogoutRequest, through hidden iframes, to every other SAML app of the session
whose participateSlo is enabled. Two pysaml2 SPs play the apps."""

import base64
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, samlp
from saml2.saml import NameID
from saml2.sigver import RSACrypto, verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256

from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import (
    ALICE,
    APP_ID,
    ENTITY_ID,
    OKTA_URL,
    SLO_PATH,
    SONAR_URL,
    metadata,
    seed_default_world,
    set_sign_on,
    sign_in,
    sp_client,
    sp_key_files,
)

UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
WIKI_LOGOUT = "http://wiki.test/saml/logout"


@pytest.fixture
def okta(okta_app, devenv_keys):
    seed_default_world(okta_app, devenv_keys)
    return okta_app.test_client()


@dataclass
class App:
    """A SAML app of the org and the pysaml2 SP that stands for it."""

    id: str
    name: str
    entity_id: str
    sp: object

    @property
    def external_key(self) -> str:
        return self.entity_id.rsplit("/", 1)[1]


@pytest.fixture
def sonarqube(okta, tmp_path):
    """The fixture's SonarQube app, with SP-initiated SLO (signed LogoutRequests)."""
    key_file, cert_file, cert = sp_key_files(tmp_path, "sonarqube")
    set_sign_on(
        okta,
        slo={"enabled": True, "issuer": "sonarqube", "logoutUrl": f"{SONAR_URL}/logout"},
        spCertificate={"x5c": [cert]},
    )
    sp = sp_client(metadata(okta), key_file=key_file, cert_file=cert_file)
    return App(APP_ID, "devenvorg_sonarqube_1", ENTITY_ID, sp)


def new_app(okta, label: str, participate: dict | None) -> App:
    """A second SAML app assigned to Alice; `participate` is its participateSlo."""
    slug = label.lower()
    sign_on = {"ssoAcsUrl": f"http://{slug}.test/acs", "audience": slug}
    if participate is not None:
        sign_on["participateSlo"] = participate
    body = {"label": label, "signOnMode": "SAML_2_0", "settings": {"signOn": sign_on}}
    created = okta.post("/api/v1/apps", json=body, headers=SSWS)
    assert created.status_code == 200, created.data
    app = created.get_json()
    assigned = okta.post(
        f"/api/v1/apps/{app['id']}/users", json={"id": ALICE[0], "scope": "USER"}, headers=SSWS
    )
    assert assigned.status_code == 200, assigned.data
    idp = okta.get(f"/api/v1/apps/{app['id']}/sso/saml/metadata", headers=SSWS)
    document = idp.get_data(as_text=True)
    entity_id = re.search(r'entityID="([^"]+)"', document).group(1)
    sp = sp_client(
        document,
        entity_id=slug,
        acs=f"http://{slug}.test/acs",
        slo_url=participate["logoutRequestUrl"] if participate else f"http://{slug}.test/logout",
    )
    return App(app["id"], app["name"], entity_id, sp)


def participate(binding: str = "POST", *, session_index: bool = True) -> dict:
    return {
        "enabled": True,
        "logoutRequestUrl": WIKI_LOGOUT,
        "sessionIndexRequired": session_index,
        "bindingType": binding,
    }


def sso(okta, app: App) -> str:
    """Sign in to the app over SP-initiated SSO (Alice is signed in at Okta); the request ID."""
    request_id, info = app.sp.prepare_for_authenticate(
        entityid=app.entity_id, binding=BINDING_HTTP_REDIRECT, nameid_format=UNSPECIFIED
    )
    response = okta.get(dict(info["headers"])["Location"].removeprefix(OKTA_URL))
    assert response.status_code == 200, response.data
    return request_id


def slo_from(okta, app: App):
    """The app's SP-initiated, signed LogoutRequest (HTTP-Redirect) sent to Okta."""
    _request_id, request = app.sp.create_logout_request(
        f"{OKTA_URL}{SLO_PATH}", app.entity_id, name_id=NameID(text=ALICE[1], format=UNSPECIFIED)
    )
    http = app.sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        f"{OKTA_URL}{SLO_PATH}",
        "/after",
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return okta.get(dict(http["headers"])["Location"].removeprefix(OKTA_URL))


def iframe_sources(page: str) -> list[str]:
    return [
        html.unescape(src)
        for src in re.findall(r'<iframe class="slo-frame"[^>]*src="([^"]*)"', page)
    ]


def posted_logout_requests(page: str) -> list[tuple[str, str, str]]:
    """(target iframe, action, SAMLRequest) of the forms posted into hidden iframes."""
    forms = re.findall(
        r'<form class="slo-request" target="([^"]+)" action="([^"]+)" method="POST">\s*'
        r'<input name="SAMLRequest" type="hidden" value="([^"]+)">',
        page,
    )
    return [
        (target, html.unescape(action), html.unescape(value)) for target, action, value in forms
    ]


def continue_link(page: str) -> str:
    return html.unescape(re.search(r'<a id="continue"[^>]* href="([^"]+)"', page).group(1))


def session_end_events(okta) -> list[dict]:
    logs = okta.get('/api/v1/logs?filter=eventType eq "user.session.end"', headers=SSWS)
    return logs.get_json()


# --- SP-initiated SLO from SonarQube ----------------------------------------------------------


def test_a_post_binding_participant_gets_a_signed_logout_request_in_a_hidden_iframe(
    okta, sonarqube
):
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    sso(okta, sonarqube)
    wiki_request_id = sso(okta, wiki)

    response = slo_from(okta, sonarqube)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [(target, action, saml_request)] = posted_logout_requests(page)
    assert action == WIKI_LOGOUT
    assert f'<iframe class="slo-frame" title="Single Logout" name="{target}">' in page
    xml = base64.b64decode(saml_request).decode()
    assert re.search(r'<saml2p:LogoutRequest [^>]*ID="id\d{25}"', xml)
    request = wiki.sp.parse_logout_request(saml_request, BINDING_HTTP_POST)
    assert request.message.signature is not None  # and pysaml2 checked it against the metadata
    assert request.message.issuer.text == wiki.entity_id
    assert request.message.destination == WIKI_LOGOUT
    assert (request.message.name_id.text, request.message.name_id.format) == (ALICE[1], UNSPECIFIED)
    assert [index.text for index in request.message.session_index] == [wiki_request_id]
    assert okta.get("/app/UserHome").status_code == 302


def test_then_the_browser_takes_the_logout_response_to_the_initiator(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    sso(okta, sonarqube)
    sso(okta, wiki)

    page = slo_from(okta, sonarqube).get_data(as_text=True)

    location = urlsplit(continue_link(page))
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{SONAR_URL}/logout"
    query = parse_qs(location.query)
    assert query["RelayState"] == ["/after"]
    logout = sonarqube.sp.parse_logout_request_response(
        query["SAMLResponse"][0], BINDING_HTTP_REDIRECT
    )
    assert logout.response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"


def test_a_redirect_binding_participant_loads_the_signed_query_in_an_iframe(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("REDIRECT", session_index=False))
    sign_in(okta)
    sso(okta, sonarqube)
    sso(okta, wiki)

    page = slo_from(okta, sonarqube).get_data(as_text=True)

    assert posted_logout_requests(page) == []
    [source] = iframe_sources(page)
    url = urlsplit(source)
    assert f"{url.scheme}://{url.netloc}{url.path}" == WIKI_LOGOUT
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert query["SigAlg"] == SIG_RSA_SHA256
    certificate = wiki.sp.metadata.certs(wiki.entity_id, "idpsso", "signing")[0][1]
    assert verify_redirect_signature(query, RSACrypto(None), certificate)
    request = wiki.sp.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
    assert request.message.session_index == []


def test_the_initiator_and_apps_that_do_not_take_part_get_nothing(okta, sonarqube):
    set_sign_on(
        okta,
        participateSlo={
            "enabled": True,
            "logoutRequestUrl": f"{SONAR_URL}/saml/logout",
            "sessionIndexRequired": True,
            "bindingType": "POST",
        },
    )
    bystander = new_app(okta, "Intranet", None)
    new_app(okta, "Wiki", participate("POST"))  # takes part, but Alice never signed in to it
    sign_in(okta)
    sso(okta, sonarqube)
    sso(okta, bystander)

    response = slo_from(okta, sonarqube)

    assert response.status_code == 302  # straight to SonarQube's LogoutResponse, as before
    assert response.headers["Location"].startswith(f"{SONAR_URL}/logout?SAMLResponse=")


def test_the_session_end_counts_the_saml_logout_requests(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    sso(okta, sonarqube)
    sso(okta, wiki)

    slo_from(okta, sonarqube)

    [event] = session_end_events(okta)
    assert event["debugContext"]["debugData"] == {
        "TotalSamlLogoutRequests": 1,
        "TotalOidcLogoutRequests": 0,
    }


# --- signing out of Okta ----------------------------------------------------------------------


def test_signing_out_of_okta_logs_out_of_the_participating_apps(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    first = sso(okta, wiki)
    second = sso(okta, wiki)

    response = okta.get("/login/signout")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [(_target, action, saml_request)] = posted_logout_requests(page)
    assert action == WIKI_LOGOUT
    request = wiki.sp.parse_logout_request(saml_request, BINDING_HTTP_POST)
    assert [index.text for index in request.message.session_index] == [first, second]
    assert continue_link(page) == "/login/login.htm"
    assert "sid=;" in response.headers["Set-Cookie"]
    assert okta.get("/app/UserHome").status_code == 302


def test_signing_out_of_okta_without_participating_apps_redirects_at_once(okta, sonarqube):
    sign_in(okta)
    sso(okta, sonarqube)
    response = okta.get("/login/signout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/login.htm")


# --- the apps' LogoutResponses ----------------------------------------------------------------


def test_the_app_answers_at_the_slo_callback_url(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    sso(okta, wiki)
    page = okta.get("/login/signout").get_data(as_text=True)
    [(_target, _action, saml_request)] = posted_logout_requests(page)
    request = wiki.sp.parse_logout_request(saml_request, BINDING_HTTP_POST)
    callback = f"/app/{wiki.name}/{wiki.external_key}/slo/saml/callback"
    answer = samlp.LogoutResponse(
        id="_answer",
        version="2.0",
        issue_instant="2030-01-01T00:00:00Z",
        in_response_to=request.message.id,
        destination=f"{OKTA_URL}{callback}",
        issuer=saml.Issuer(text="wiki"),
        status=samlp.Status(status_code=samlp.StatusCode(value=samlp.STATUS_SUCCESS)),
    )

    response = okta.post(
        callback, data={"SAMLResponse": base64.b64encode(str(answer).encode()).decode()}
    )

    assert response.status_code == 200


def test_the_slo_callback_refuses_what_is_not_a_logout_response(okta, sonarqube):
    wiki = new_app(okta, "Wiki", participate("POST"))
    callback = f"/app/{wiki.name}/{wiki.external_key}/slo/saml/callback"
    garbage = base64.b64encode(b"<samlp:AuthnRequest").decode()
    assert okta.post(callback, data={"SAMLResponse": garbage}).status_code == 400
    assert okta.get(callback).status_code == 400


# --- the Apps API -----------------------------------------------------------------------------


def test_participate_slo_is_checked(okta):
    body = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    body["settings"]["signOn"]["participateSlo"] = {
        "enabled": True,
        "logoutRequestUrl": "not a url",
        "bindingType": "SOAP",
    }
    response = okta.put(f"/api/v1/apps/{APP_ID}", json=body, headers=SSWS)
    assert response.status_code == 400
    assert response.get_json()["errorCauses"] == [
        {"errorSummary": "participateSlo.bindingType: Does not match required pattern"},
        {"errorSummary": "participateSlo.logoutRequestUrl: Does not match required pattern"},
    ]


def test_participate_slo_is_kept_as_given(okta):
    app = set_sign_on(okta, participateSlo=participate("REDIRECT"))
    assert app["settings"]["signOn"]["participateSlo"] == participate("REDIRECT")


def test_the_front_channel_page_goes_on_by_itself(okta, sonarqube):
    """The page submits the iframe forms and continues once they loaded (or after a while)."""
    wiki = new_app(okta, "Wiki", participate("POST"))
    sign_in(okta)
    sso(okta, wiki)
    page = okta.get("/login/signout").get_data(as_text=True)
    assert "form.submit()" in page
    assert 'window.location.replace("/login/login.htm")' in page
    assert "setTimeout(next, 5000)" in page
