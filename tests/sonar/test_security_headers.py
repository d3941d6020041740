"""The headers SonarQube's web server adds for the browser (SecurityServletFilter, CspFilter),
and cookies that are `Secure` behind HTTPS whichever path sets them (Cookies.newCookieBuilder)."""

import pytest

from mock_sonar.views.security_headers import CONTENT_SECURITY_POLICY
from tests.conftest import ADMIN, basic
from tests.sonar.conftest import SCIM
from tests.sonar.ui_helper import csrf_token, open_session

HTTPS = {"X-Forwarded-Proto": "https"}
PASSWORD = "Str0ng-Passw0rd!"

EVERY_KIND = [
    ("/sessions/new", {}),
    ("/projects", {}),  # a redirect to the login page
    ("/no/such/page", {}),
    ("/static/sonar.css", {}),
    ("/api/system/status", {}),
    ("/api/users/search", ADMIN),
    ("/api/users/search", {}),  # 401 with no body
    ("/api/v2/users-management/users", ADMIN),
    ("/api/no_such/action", ADMIN),
    (f"{SCIM}/Users", ADMIN),
    ("/_mock/state", ADMIN),
]


@pytest.mark.parametrize(("path", "headers"), EVERY_KIND)
def test_every_response_carries_the_security_headers(sonar, path, headers):
    with sonar.get(path, headers=headers) as response:  # a static file is streamed
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-XSS-Protection"] == "0"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(("path", "headers"), EVERY_KIND)
def test_strict_transport_security_only_behind_https(sonar, path, headers):
    with sonar.get(path, headers={**headers, **HTTPS}) as response:
        hsts = response.headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains;"


def test_the_transport_header_must_say_https_exactly(sonar):
    response = sonar.get("/sessions/new", headers={"X-Forwarded-Proto": "HTTPS"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", ["/sessions/new", "/sessions/unauthorized", "/no/such/page"])
def test_pages_carry_the_content_security_policy(sonar, path):
    response = sonar.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self' 'sha256-" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]


@pytest.fixture
def admin_page(sonar_app, sonar):
    """The HTML of a page as the signed-in admin sees it."""
    return open_session(sonar_app, sonar, "admin").text


def test_pages_have_no_inline_script(admin_page):
    """The policy allows no inline script: every script of the pages is a file of /static."""
    for path in ("/sessions/new", "/admin/users", "/admin/groups", "/admin/settings", "/account"):
        page = admin_page(path)
        assert "<script>" not in page
        assert "<script " not in page.replace('<script src="/static/', "")
        assert " onclick=" not in page
        assert " onload=" not in page


@pytest.mark.parametrize(
    ("path", "headers"), [("/api/system/status", {}), (f"{SCIM}/Users", ADMIN)]
)
def test_the_web_api_has_no_content_security_policy(sonar, path, headers):
    assert "Content-Security-Policy" not in sonar.get(path, headers=headers).headers


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("path", ["/api/system/status", "/sessions/new", f"{SCIM}/Users"])
def test_other_methods_are_refused_with_no_body(sonar, method, path):
    response = sonar.open(path, method=method, headers=ADMIN)
    assert response.status_code == 405
    assert response.data == b""
    assert "Content-Type" not in response.headers
    assert "Allow" not in response.headers


# --- Secure cookies --------------------------------------------------------------------------


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def is_secure(header: str) -> bool:
    return "; Secure" in header


@pytest.fixture
def dev(sonar):
    user = {"login": "dev", "name": "Dev", "password": PASSWORD}
    assert sonar.post("/api/users/create", headers=ADMIN, data=user).status_code == 200
    return sonar


def api_login(client, headers):
    return client.post(
        "/api/authentication/login", data={"login": "dev", "password": PASSWORD}, headers=headers
    )


def form_login(client, headers):
    page = client.get("/sessions/new", headers=headers).get_data(as_text=True)
    form = {"login": "dev", "password": PASSWORD, "csrf_token": csrf_token(page)}
    return client.post("/sessions/new", data=form, headers=headers)


def api_logout(client, headers):
    api_login(client, headers)
    return client.post("/api/authentication/logout", headers=headers)


def page_logout(client, headers):
    api_login(client, headers)
    return client.get("/sessions/logout", headers=headers)


def change_own_password(client, headers):
    api_login(client, headers)
    xsrf = client.get_cookie("XSRF-TOKEN").value
    data = {"login": "dev", "previousPassword": PASSWORD, "password": "N3w-Str0ng-Passw0rd!"}
    return client.post(
        "/api/users/change_password", data=data, headers={**headers, "X-XSRF-TOKEN": xsrf}
    )


SESSION_PATHS = {
    "api/authentication/login": (api_login, {"JWT-SESSION", "XSRF-TOKEN"}),
    "login form": (form_login, {"JWT-SESSION", "XSRF-TOKEN"}),
    "login page": (lambda c, h: c.get("/sessions/new", headers=h), {"LOGIN-CSRF"}),
    "api/authentication/logout": (api_logout, {"JWT-SESSION", "XSRF-TOKEN"}),
    "/sessions/logout": (page_logout, {"JWT-SESSION", "XSRF-TOKEN"}),
    "api/users/change_password": (change_own_password, {"JWT-SESSION", "XSRF-TOKEN"}),
}


@pytest.mark.parametrize("name", SESSION_PATHS)
def test_cookies_are_secure_behind_https(dev, name):
    action, expected = SESSION_PATHS[name]
    cookies = set_cookies(action(dev, HTTPS))
    assert expected <= set(cookies), cookies
    assert all(is_secure(cookies[cookie]) for cookie in expected), cookies


@pytest.mark.parametrize("name", SESSION_PATHS)
def test_cookies_are_not_secure_over_plain_http(dev, name):
    action, expected = SESSION_PATHS[name]
    cookies = set_cookies(action(dev, {}))
    assert expected <= set(cookies), cookies
    assert not any(is_secure(cookies[cookie]) for cookie in expected), cookies


def test_the_session_cookies_keep_their_flags(dev):
    cookies = set_cookies(api_login(dev, {"X-Forwarded-Proto": "Https"}))
    session, xsrf = cookies["JWT-SESSION"], cookies["XSRF-TOKEN"]
    assert is_secure(session)  # Cookies.isHttps ignores case
    assert is_secure(xsrf)
    assert "HttpOnly" in session
    assert "HttpOnly" not in xsrf
    for flag in ("SameSite=Lax", "Path=/", "Max-Age=259200"):
        assert flag in session


def test_a_basic_caller_gets_no_cookie(dev):
    response = dev.get("/api/users/current", headers={**basic("dev", PASSWORD), **HTTPS})
    assert response.headers.getlist("Set-Cookie") == []
