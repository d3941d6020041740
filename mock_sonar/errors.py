"""SonarQube's error family, rendered in the Web API's v1 or v2 format.

v1 (`/api/<controller>/<action>`): `{"errors":[{"msg":"..."}]}`; v2 (`/api/v2/...`):
`{"message":"..."}` (reference/sonarqube.md §2.4). 401 from the session filter has an empty body.
"""

MANAGED_INSTANCE = "Operation not allowed when the instance is externally managed."
INSUFFICIENT_PRIVILEGES = "Insufficient privileges"


class SonarError(Exception):
    """An error the Web API reports to the client with a status and messages."""

    status = 400

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__("; ".join(messages))

    def v1_body(self) -> dict:
        return {"errors": [{"msg": m} for m in self.messages]}

    def v2_body(self) -> dict:
        return {"message": " ".join(self.messages)}


class BadRequest(SonarError):
    """400: invalid parameters or a refused operation."""


class NotFound(SonarError):
    """404: unknown user, group, token or URL."""

    status = 404


class Forbidden(SonarError):
    """403: authenticated but not allowed."""

    status = 403

    def __init__(self, message: str = INSUFFICIENT_PRIVILEGES):
        super().__init__(message)


class Conflict(SonarError):
    """409: a v2 resource that already exists."""

    status = 409


class AuthenticationRequired(SonarError):
    """401 raised by a handler (checkLoggedIn on an anonymous session): has a body."""

    status = 401

    def __init__(self, message: str = "Authentication is required"):
        super().__init__(message)


class MethodNotAllowed(SonarError):
    """405: a v1 action called with the wrong HTTP method."""

    status = 405


class InvalidCredentials(Exception):
    """Bad or unusable credentials: the session filter answers 401 with an empty body."""


class ManagedInstance(BadRequest):
    """400: users and groups are read-only while an external provisioner (SCIM) is active."""

    def __init__(self, message: str = MANAGED_INSTANCE):
        super().__init__(message)


class AuthenticationFailed(Exception):
    """A refused browser authentication (AuthenticationException): it ends on
    /sessions/unauthorized, which shows `public_message` when there is one."""

    def __init__(self, message: str, public_message: str | None = None):
        self.message = message
        self.public_message = public_message
        super().__init__(message)
