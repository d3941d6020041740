"""Every error of mock_sonar (the SCIM server's own are in `scim/errors.py`).

`SonarError` and its subclasses are what the Web API reports, rendered in v1 format
(`/api/<controller>/<action>`: `{"errors":[{"msg":"..."}]}`) or v2 format (`/api/v2/...`:
`{"message":"..."}`), reference/sonarqube.md §2.4; pages show them as HTML. The others never
reach a client as they are: bad credentials are a bare 401 from the session filter, and a
refused browser login ends on /sessions/unauthorized.
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
        """`{"errors":[{"msg":"..."}]}`, one entry per message."""
        return {"errors": [{"msg": m} for m in self.messages]}

    def v2_body(self) -> dict:
        """`{"message":"..."}`, the messages joined."""
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


class AuthenticationRequired(SonarError):
    """401 raised by a handler (checkLoggedIn on an anonymous session): has a body."""

    status = 401

    def __init__(self, message: str = "Authentication is required"):
        super().__init__(message)


class UnsupportedMediaType(SonarError):
    """415: a v2 body whose Content-Type is not the one the endpoint consumes."""

    status = 415


class ManagedInstance(BadRequest):
    """400: users and groups are read-only while an external provisioner (SCIM) is active."""

    def __init__(self, message: str = MANAGED_INSTANCE):
        super().__init__(message)


# --- authentication --------------------------------------------------------------------------


class InvalidCredentials(Exception):
    """Bad or unusable credentials: the session filter answers 401 with an empty body."""


class AuthenticationFailed(Exception):
    """A refused browser authentication (AuthenticationException): it ends on
    /sessions/unauthorized, which shows `public_message` when there is one."""

    def __init__(self, message: str, public_message: str | None = None):
        self.message = message
        self.public_message = public_message
        super().__init__(message)


# --- SAML ------------------------------------------------------------------------------------


class SamlConfigurationError(Exception):
    """SAML settings that cannot be used (IllegalArgumentException / IllegalStateException)."""


class SamlResponseError(AuthenticationFailed):
    """Saml2AuthenticationException: a refused response. SonarQube gives it no public message,
    so the browser sees the unauthorized page's generic text; the description is logged."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code = code


class MalformedXml(Exception):
    """A SAML message that is not safe, well-formed XML (MALFORMED_RESPONSE_DATA)."""


class DecryptionFailed(Exception):
    """An encrypted assertion SonarQube's key cannot open (DECRYPTION_ERROR)."""
