"""The pages around logging in (reference §7): login, unauthorized, logout, home, HTML errors."""

import re
from html import unescape
from urllib.parse import unquote

import pytest

from tests.conftest import ADMIN
from tests.sonar.ui_helper import csrf_token

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture
def dev(sonar):
    """A local user `dev`."""
    user = {"login": "dev", "name": "Dev Eloper", "password": PASSWORD}
    created = sonar.post("/api/users/create", headers=ADMIN, data=user)
    assert created.status_code == 200
    return sonar


def log_in(client, login: str, password: str, return_to: str = "/projects"):
    page = client.get(f"/sessions/new?return_to={return_to}").get_data(as_text=True)
    return client.post(
        "/sessions/new",
        data={
            "login": login,
            "password": password,
            "csrf_token": csrf_token(page),
            "return_to": unescape(re.search(r'name="return_to" value="([^"]*)"', page).group(1)),
        },
    )


def test_the_login_page_without_saml_shows_the_form_only(sonar):
    response = sonar.get("/sessions/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<h1 class="login-title">Log in to SonarQube</h1>' in page
    assert "Log in with" not in page
    assert '<label for="login-input">Login' in page
    assert '<label for="password-input">Password' in page
    assert '<button class="button button-primary" type="submit">Log in</button>' in page
    assert '<a class="global-nav-logo" href="/">SonarQube</a>' in page


def test_the_login_page_with_saml_shows_the_button_and_hides_the_form(saml_sonar):
    page = saml_sonar.get("/sessions/new?return_to=/projects").get_data(as_text=True)
    assert 'href="/sessions/init/saml?return_to=%2Fprojects"' in page
    assert "<span>Log in with Okta</span>" in page
    assert '<summary class="button" role="button">Log in with credentials</summary>' in page
    assert '<details class="more-options">' in page


def test_an_absolute_return_to_is_not_offered(saml_sonar):
    page = saml_sonar.get("/sessions/new?return_to=https://evil.example/").get_data(as_text=True)
    assert 'href="/sessions/init/saml?return_to=%2F"' in page
    assert 'name="return_to" value="/"' in page


#: return_to values a browser would turn into another site, or that cannot be a header.
HOSTILE_RETURN_TO = [
    "/%09/evil.example",  # the browser drops the tab: //evil.example
    "/%0a/evil.example",
    "/%5C%5Cevil.example",
    "/projects%0d%0aSet-Cookie:%20x=y",
    "/pro%00jects",
    "%20//evil.example",
]


@pytest.mark.parametrize("return_to", HOSTILE_RETURN_TO)
def test_the_login_form_goes_home_for_a_hostile_return_to(dev, return_to):
    response = log_in(dev, "dev", PASSWORD, return_to=return_to)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("return_to", HOSTILE_RETURN_TO)
def test_a_hostile_return_to_posted_with_the_form_is_dropped(dev, return_to):
    page = dev.get("/sessions/new").get_data(as_text=True)
    form = {"login": "dev", "password": PASSWORD, "csrf_token": csrf_token(page)}
    response = dev.post("/sessions/new", data={**form, "return_to": unquote(return_to)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("return_to", HOSTILE_RETURN_TO)
def test_the_login_page_offers_no_hostile_return_to(saml_sonar, return_to):
    page = saml_sonar.get(f"/sessions/new?return_to={return_to}").get_data(as_text=True)
    assert 'href="/sessions/init/saml?return_to=%2F"' in page
    assert 'name="return_to" value="/"' in page
    assert "\x00" not in page


@pytest.mark.parametrize("return_to", HOSTILE_RETURN_TO)
def test_the_saml_start_keeps_no_hostile_return_to(saml_sonar, return_to):
    response = saml_sonar.get(f"/sessions/init/saml?return_to={return_to}")
    assert response.status_code == 302
    assert saml_sonar.get_cookie("AUTH-PARAMS") is None


def test_the_local_form_normalises_its_return_to(dev):
    response = log_in(dev, "dev", PASSWORD, return_to="/admin/../account?x=1")
    assert response.headers["Location"] == "/account?x=1"


def test_the_local_form_logs_in_and_returns(dev):
    response = log_in(dev, "dev", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects"
    assert dev.get_cookie("JWT-SESSION") is not None
    assert dev.get("/api/users/current").get_json()["login"] == "dev"


def test_a_bad_password_shows_authentication_failed(dev):
    response = log_in(dev, "dev", "wrong")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert '<div class="flag-message flag-error" role="alert">Authentication failed</div>' in page
    assert 'value="dev"' in page
    assert dev.get_cookie("JWT-SESSION") is None


def test_a_saml_user_has_no_password(saml_sonar, idp):
    from tests.sonar.saml_idp_helper import sso_login

    sso_login(saml_sonar, idp)
    saml_sonar.get("/sessions/logout")
    assert log_in(saml_sonar, "jdoe@example.com", "anything").status_code == 401


@pytest.mark.parametrize(
    "tamper",
    [
        lambda client, data: data.pop("csrf_token"),
        lambda client, data: data.update(csrf_token="forged"),
        lambda client, data: client.delete_cookie("LOGIN-CSRF", path="/sessions"),
    ],
    ids=["no-token", "forged-token", "no-cookie"],
)
def test_the_form_is_csrf_protected(dev, tamper):
    page = dev.get("/sessions/new").get_data(as_text=True)
    data = {"login": "dev", "password": PASSWORD, "csrf_token": csrf_token(page)}
    tamper(dev, data)
    response = dev.post("/sessions/new", data=data)
    assert response.status_code == 400
    assert "Authentication failed" in response.get_data(as_text=True)
    assert dev.get_cookie("JWT-SESSION") is None


def test_unauthorized_shows_the_generic_message(sonar):
    page = sonar.get("/sessions/unauthorized").get_data(as_text=True)
    assert "You're not authorized to access this page. Please contact the administrator." in page
    assert "Reason:" not in page
    assert '<a href="/">Home</a>' in page


def test_unauthorized_shows_the_reason_from_the_cookie(sonar):
    sonar.set_cookie("AUTHENTICATION-ERROR", "You%20have%20no%20account%20%3Cb%3E")
    page = sonar.get("/sessions/unauthorized").get_data(as_text=True)
    assert "Reason: You have no account &lt;b&gt;" in page


def test_home_sends_anonymous_visitors_to_the_login_page(sonar):
    response = sonar.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sessions/new?return_to=%2F"


def test_home_sends_the_signed_in_user_to_projects_with_a_logout_link(dev):
    log_in(dev, "dev", PASSWORD, return_to="/")
    assert dev.get("/").headers["Location"] == "/projects"
    page = dev.get("/projects").get_data(as_text=True)
    assert "Dev Eloper" in page
    assert '<a id="logout" href="/sessions/logout">Log out</a>' in page


def test_logout_goes_home_without_a_session(dev):
    log_in(dev, "dev", PASSWORD)
    response = dev.get("/sessions/logout")
    assert response.headers["Location"] == "/"
    assert dev.get_cookie("JWT-SESSION") is None
    assert dev.get("/").headers["Location"] == "/sessions/new?return_to=%2F"


def test_unknown_pages_are_an_html_404(sonar):
    response = sonar.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "The page you were looking for does not exist." in page
    assert "You may have mistyped the address or the page may have moved." in page


def test_a_wrong_method_on_a_page_is_html(sonar):
    response = sonar.put("/sessions/new")
    assert response.status_code == 405
    assert response.mimetype == "text/html"


def test_an_unexpected_failure_on_a_page_is_an_html_500(sonar, monkeypatch):
    from mock_sonar.views.ui import login as pages

    def broken(db):
        raise RuntimeError("boom")

    monkeypatch.setattr(pages.saml_settings, "load", broken)
    response = sonar.get("/sessions/new")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "An unexpected error occurred." in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)


def test_the_web_api_keeps_its_json_errors(sonar):
    response = sonar.get("/api/no/such", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == {"errors": [{"msg": "Unknown url : /api/no/such"}]}


def test_the_stylesheet_is_served_locally(sonar):
    with sonar.get("/static/sonar.css") as response:
        assert response.status_code == 200
        assert "global-nav" in response.get_data(as_text=True)
