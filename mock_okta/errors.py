"""Every error the Okta simulator raises, in two families.

* `OktaError`: the Management API's errors, one class per errorCode, rendered as Okta's error
  body (Core Okta API): {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}.
  Codes and summaries follow Okta's error-code reference.
* `PageError`: the browser pages' errors (sign-in, SSO, dashboard). A browser that reaches an
  SSO or sign-in URL gets Okta's full-page error instead of JSON: the status code, a short
  title and a sentence.
"""

import secrets
import string


def _error_id() -> str:
    """A new errorId, e.g. `oaeJy0bxZ7fRx2kb5yLoFOJVA` (errors import nothing of the app)."""
    alphabet = string.ascii_letters + string.digits
    return "oae" + "".join(secrets.choice(alphabet) for _ in range(22))


class OktaError(Exception):
    """An API error with Okta's code, status and summary."""

    code = "E0000009"
    status = 500
    summary = "Internal Server Error"

    def __init__(self, summary: str | None = None, causes: list[str] | None = None):
        self.error_summary = summary or self.summary
        self.causes = causes or []
        super().__init__(self.error_summary)

    def body(self) -> dict:
        """The JSON body Okta sends."""
        return {
            "errorCode": self.code,
            "errorSummary": self.error_summary,
            "errorLink": self.code,
            "errorId": _error_id(),
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }


class ApiValidationFailed(OktaError):
    """E0000001: a precondition of the endpoint is violated; details in errorCauses."""

    code, status, summary = "E0000001", 400, "Api validation failed"

    def __init__(
        self, field: str | None = None, causes: list[str] | None = None, summary: str | None = None
    ):
        super().__init__(summary or (f"Api validation failed: {field}" if field else None), causes)


class MalformedBody(OktaError):
    """E0000003: the body is not JSON, or not of the expected shape."""

    code, status, summary = "E0000003", 400, "The request body was not well-formed."


class UnsupportedMediaType(MalformedBody):
    """A body that is not JSON where only JSON is taken. Guess: Okta's answer to another
    Content-Type is not documented; the status is HTTP's, the code the malformed-body one."""

    status = 415


class AccessDenied(OktaError):
    """E0000006: the caller may not do this."""

    code, status = "E0000006", 403
    summary = "You do not have permission to perform the requested action"


class ResourceNotFound(OktaError):
    """E0000007: no such resource."""

    code, status = "E0000007", 404

    def __init__(self, resource_id: str, kind: str):
        super().__init__(f"Not found: Resource not found: {resource_id} ({kind})")


class InvalidToken(OktaError):
    """E0000011: the SSWS token is missing, unknown or revoked."""

    code, status, summary = "E0000011", 401, "Invalid token provided"


class CredentialsUpdateFailed(OktaError):
    """E0000014: the current password given to change_password is wrong (Okta error codes)."""

    code, status, summary = "E0000014", 403, "Update of credentials failed"


class AlreadyActive(OktaError):
    """E0000016: activation of a user who is already active."""

    code, status = "E0000016", 403
    summary = "Activation failed because the user is already active"


class MethodNotAllowed(OktaError):
    """E0000022: the endpoint does not support the HTTP method."""

    code, status = "E0000022", 405
    summary = "The endpoint does not support the provided HTTP method"


class GroupPushBadRequest(OktaError):
    """E0000027: Okta's "Group push bad request : {0}" (Okta error codes)."""

    code, status = "E0000027", 400

    def __init__(self, detail: str):
        super().__init__(f"Group push bad request : {detail}")


class MissingParameter(OktaError):
    """E0000028: a required parameter is missing."""

    code, status = "E0000028", 400

    def __init__(self, name: str):
        super().__init__(f"The request is missing a required parameter: {name}")


class InvalidSearchCriteria(OktaError):
    """E0000031: the filter or search expression cannot be used."""

    code, status, summary = "E0000031", 400, "Invalid search criteria."


class InvalidUserStatus(OktaError):
    """E0000038: the operation is not allowed in the user's current status."""

    code, status = "E0000038", 403
    summary = "This operation is not allowed in the user's current status."


class DeactivateAppUserForbidden(OktaError):
    """E0000046: the user keeps the app through a group (observed Okta answer)."""

    code, status, summary = "E0000046", 403, "Deactivate application for user forbidden."

    def __init__(self) -> None:
        super().__init__(
            causes=[
                "The application cannot be unassigned from the user while their group "
                "memberships grant them access"
            ]
        )


class DeleteAppForbidden(OktaError):
    """E0000056: only an INACTIVE app can be deleted (Okta Apps API, Delete Application)."""

    code, status, summary = "E0000056", 403, "Delete application forbidden."

    def __init__(self) -> None:
        super().__init__(causes=["The application must be deactivated before deletion."])


class InactiveUserForbidden(OktaError):
    """E0000117: a deactivated user cannot be assigned (Okta error codes)."""

    code, status = "E0000117", 403
    summary = "Cannot assign apps or update app profiles for an inactive user."


class PasswordPolicyViolation(OktaError):
    """E0000080: a new password the password policy refuses (Okta error codes)."""

    code, status = "E0000080", 400
    summary = (
        "The password does not meet the complexity requirements of the current password policy."
    )


class PayloadTooLarge(OktaError):
    """E0000003 with 413: the body is larger than the simulator accepts."""

    code, status, summary = "E0000003", 413, "The request body was not well-formed."


# --- not HTTP errors: what a domain check reports to its caller ----------------------------


class ExpressionError(ValueError):
    """The expression is not valid; the message says why and where."""


#: The Sign-In Widget's words for every refused sign-in (widget login.properties).
UNABLE_TO_SIGN_IN = "Unable to sign in"


class SignInFailed(Exception):
    """The widget's error for a refused sign-in."""

    def __init__(self, message: str = UNABLE_TO_SIGN_IN):
        self.message = message
        super().__init__(message)


# --- browser pages ---------------------------------------------------------------------------


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


class SignedRequestRefused(BadSamlRequest):
    """400: an app that validates signed requests (Signed Requests) refuses this AuthnRequest.

    Okta shows its "400 Bad Request" SAML error page (`/error/400_SAML`) with the reason, e.g.
    "NameIDPolicy '' is not the configured Name ID Format '…' for the app" (observed:
    flipboxfactory/saml-sp#235; Auth0 KB "Okta SAML Integration with Signed Requests").
    """

    # Guess: the sentence for a missing or invalid signature (only the NameIDPolicy one is
    # observed).
    message = (
        "The SAML request signature could not be validated with the app's signature certificate."
    )

    @classmethod
    def name_id_policy(cls, requested: str, configured: str) -> "SignedRequestRefused":
        """Okta's words when NameIDPolicy's Format is not the app's Name ID format."""
        return cls(
            f"NameIDPolicy '{requested}' is not the configured Name ID Format '{configured}' "
            "for the app"
        )


class SloNotConfigured(PageError):
    """400: Single Logout for an app that has no SP-initiated SLO configured."""

    # Guess: Okta answers an SLO request for an app without SLO like a malformed request.
    status, title = 400, "Bad Request"
    message = "Single Logout is not enabled for this app."
