"""Okta's error family: one class per errorCode, rendered as Okta's error body.

Body (Core Okta API): {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}.
Codes and summaries follow Okta's error-code reference.
"""

from .ids import ERROR, new_id


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
            "errorId": new_id(ERROR, 25),
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }


class ApiValidationFailed(OktaError):
    """E0000001: a precondition of the endpoint is violated; details in errorCauses."""

    code, status, summary = "E0000001", 400, "Api validation failed"

    def __init__(
        self, field: str | None = None, causes: list[str] | None = None, summary: str | None = None
    ):
        super().__init__(summary or (f"Api validation failed: {field}" if field else None), causes)


class IllegalArgument(OktaError):
    """E0000002: an argument is not valid."""

    code, status = "E0000002", 400

    def __init__(self, detail: str):
        super().__init__(f"The request was not valid: {detail}")


class MalformedBody(OktaError):
    """E0000003: the body is not JSON, or not of the expected shape."""

    code, status, summary = "E0000003", 400, "The request body was not well-formed."


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


class AlreadyActive(OktaError):
    """E0000016: activation of a user who is already active."""

    code, status = "E0000016", 403
    summary = "Activation failed because the user is already active"


class MethodNotAllowed(OktaError):
    """E0000022: the endpoint does not support the HTTP method."""

    code, status = "E0000022", 405
    summary = "The endpoint does not support the provided HTTP method"


class MissingParameter(OktaError):
    """E0000028: a required parameter is missing."""

    code, status = "E0000028", 400

    def __init__(self, name: str):
        super().__init__(f"The request is missing a required parameter: {name}")


class InvalidUserStatus(OktaError):
    """E0000038: the operation is not allowed in the user's current status."""

    code, status = "E0000038", 403
    summary = "This operation is not allowed in the user's current status."


class RateLimited(OktaError):
    """E0000047: too many requests."""

    code, status = "E0000047", 429
    summary = "API call exceeded rate limit due to too many requests."


class PayloadTooLarge(OktaError):
    """E0000003 with 413: the body is larger than the simulator accepts."""

    code, status, summary = "E0000003", 413, "The request body was not well-formed."
