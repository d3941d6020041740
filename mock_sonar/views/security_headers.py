"""The response headers SonarQube's web server adds for the browser's protection.

Sources (SonarSource/sonarqube, server/sonar-webserver/.../platform/web/, 2025):
`SecurityServletFilter` (every request, and every error page through `SecureErrorReportValve`)
and `CspFilter` (the web app's pages).
"""

from flask import Response, request

from mock_common.control import is_control_path

#: SecurityServletFilter.ALLOWED_HTTP_METHODS (SONAR-6881 turned OPTIONS and TRACE off).
ALLOWED_METHODS = frozenset({"DELETE", "GET", "HEAD", "POST", "PUT", "PATCH"})
#: The hash of index.html's one inline script (`window.__assetsPath`, for the root context).
_ASSETS_PATH_SCRIPT_HASH = "'sha256-D1jaqcDDM2TM2STrzE42NNqyKR9PlptcHDe6tyaBcuM='"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "base-uri 'none'",
        "connect-src 'self' http: https:",
        "font-src 'self' data:",
        "img-src * data: blob:",
        "object-src 'none'",
        f"script-src 'self' {_ASSETS_PATH_SCRIPT_HASH}",
        "style-src 'self' 'unsafe-inline'",
        "worker-src 'none'",
    ]
)


def refuse_other_methods() -> Response | None:
    """405 with no body for OPTIONS, TRACE and any other method SonarQube does not serve."""
    if request.method not in ALLOWED_METHODS:
        refused = Response(status=405)
        del refused.headers["Content-Type"]  # the filter sets the status only
        return refused
    return None


def add_security_headers(response: Response) -> Response:
    """SecurityServletFilter.addSecurityHeaders, then CspFilter's policy on the pages."""
    if not request.path.startswith("/integration/"):
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    # An exact, case-sensitive match here (the cookies' check ignores case).
    if request.headers.get("X-Forwarded-Proto") == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains;"
    response.headers["X-XSS-Protection"] = "0"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if _is_web_app_path(request.path):
        # A page with its own policy keeps it (SamlValidationCspHeaders sets it after CspFilter).
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def _is_web_app_path(path: str) -> bool:
    # Guess: where CspFilter is mapped is not public; every path outside the Web API (and the
    # simulator's control plane) gets the policy, as the web app's pages all do.
    return not path.startswith(("/api/", "/batch/")) and not is_control_path(path)
