"""Errors of the browser pages (sign-in, SSO, dashboard), rendered as Okta's HTML error page.

The Management API answers JSON errors (`errors.py`); a browser that reaches an SSO or sign-in
URL gets Okta's full-page error instead: the status code, a short title and a sentence.
"""


class PageError(Exception):
    """An end-user error page: HTTP status, title and message."""

    status = 400
    title = "Bad Request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None):
        self.message = message or self.message
        super().__init__(self.message)


class AppNotAssigned(PageError):
    """403: the user is not assigned the app (Okta KB "App Sign-on Error 403")."""

    status, title = 403, "App Not Assigned"

    def __init__(self, app_label: str):
        super().__init__(
            f"Sorry, you cannot access {app_label} because you are not assigned this app in "
            "Okta. If you're wondering why this is happening, please contact your administrator."
        )


class PageNotFound(PageError):
    """404: no such app, or an inactive one."""

    # Guess: Okta's wording for a page that does not exist (and for a deactivated app).
    status, title = 404, "Page Not Found"
    message = (
        "The page you are looking for can't be found. Please check the URL and try again, "
        "or contact your administrator."
    )


class BadSamlRequest(PageError):
    """400: a SAMLRequest that cannot be decoded or is not one (Okta: /error/400_SAML)."""

    # Guess: the sentence under Okta's "400 Bad Request" SAML error page.
    status, title = 400, "Bad Request"
    message = "The SAML request is invalid or malformed."


class SloNotConfigured(PageError):
    """400: Single Logout for an app that has no SP-initiated SLO configured."""

    # Guess: Okta answers an SLO request for an app without SLO like a malformed request.
    status, title = 400, "Bad Request"
    message = "Single Logout is not enabled for this app."
