"""Every cookie mock_sonar sets or clears, made as SonarQube's `Cookies.newCookieBuilder` makes
them: `Secure` exactly when the request reached the proxy over HTTPS (`X-Forwarded-Proto:
https`, any case), whichever page or Web API action sets it.

Source: SonarSource/sonarqube `server/sonar-webserver-auth/.../authentication/Cookies.java`,
`JwtHttpHandler`, `JwtCsrfVerifier`.
"""

from flask import Response, request

from mock_sonar.accounts.sessions import SESSION_COOKIE, SESSION_TIMEOUT, XSRF_COOKIE


def is_https() -> bool:
    """Cookies.isHttps: `"https".equalsIgnoreCase(X-Forwarded-Proto)`."""
    return request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_cookie(
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None,
    httponly: bool,
    path: str = "/",
    samesite: str | None = None,
) -> None:
    """A cookie, `Secure` behind HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=is_https(),
        httponly=httponly,
        samesite=samesite,
    )


def delete_cookie(response: Response, name: str, *, path: str = "/", httponly: bool = True) -> None:
    """Expire a cookie: SonarQube sets it again, empty, with max-age 0."""
    response.set_cookie(
        name, "", max_age=0, expires=0, path=path, secure=is_https(), httponly=httponly
    )


def set_session_cookies(response: Response, value: str, xsrf: str) -> None:
    """A browser session: JWT-SESSION is HttpOnly; XSRF-TOKEN is read by the page's script."""
    max_age = int(SESSION_TIMEOUT.total_seconds())
    set_cookie(response, SESSION_COOKIE, value, max_age=max_age, httponly=True, samesite="Lax")
    set_cookie(response, XSRF_COOKIE, xsrf, max_age=max_age, httponly=False, samesite="Lax")


def clear_session_cookies(response: Response) -> None:
    """The logout: both session cookies expired."""
    delete_cookie(response, SESSION_COOKIE)
    delete_cookie(response, XSRF_COOKIE, httponly=False)
