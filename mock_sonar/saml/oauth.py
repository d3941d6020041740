"""What SonarQube's OAuth2/SAML login filters keep in cookies: the CSRF state, the page to
return to, and the error shown on /sessions/unauthorized.

Sources (SonarSource/sonarqube, server/sonar-webserver-auth/.../authentication/):
OAuthCsrfVerifier, OAuth2AuthenticationParametersImpl, AuthenticationError,
AuthenticationRedirection.
"""

import hashlib
import hmac
import json
import posixpath
import re
import secrets
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from mock_sonar import json_input
from mock_sonar.errors import AuthenticationFailed

OAUTH_STATE_COOKIE = "OAUTHSTATE"
AUTH_PARAMS_COOKIE = "AUTH-PARAMS"
AUTHENTICATION_ERROR_COOKIE = "AUTHENTICATION-ERROR"
#: AUTH-PARAMS and AUTHENTICATION-ERROR live five minutes.
FIVE_MINUTES = 5 * 60
UNAUTHORIZED_PATH = "/sessions/unauthorized"

_BASE32 = "0123456789abcdefghijklmnopqrstuv"
#: OAuth2AuthenticationParametersImpl.VALID_RETURN_TO (Java's \w is ASCII only).
_VALID_RETURN_TO = re.compile(r"/[A-Za-z0-9_].*")
#: Characters java.net.URI accepts; anything else makes SonarQube drop return_to.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
#: What Java's String.trim() removes: every character up to the space, control ones included.
_JAVA_TRIMMED = "".join(chr(code) for code in range(0x21))


def random_token() -> str:
    """`new BigInteger(130, new SecureRandom()).toString(32)`, SonarQube's CSRF state and nonce."""
    number, digits = secrets.randbits(130), []
    while number:
        number, digit = divmod(number, 32)
        digits.append(_BASE32[digit])
    return "".join(reversed(digits)) or "0"


def generate_state() -> tuple[str, str]:
    """OAuthCsrfVerifier.generateState: (state, the OAUTHSTATE cookie value = sha256 hex)."""
    state = random_token()
    return state, state_hash(state)


def state_hash(state: str) -> str:
    """The OAUTHSTATE cookie value for a state."""
    return hashlib.sha256(state.encode()).hexdigest()


def verify_state(cookie: str | None, state: str | None) -> None:
    """OAuthCsrfVerifier.verifyState: the cookie must exist and hash the state parameter.

    Neither failure has a public message, so the page shows its generic text.
    """
    if cookie is None:
        raise AuthenticationFailed(f"Cookie '{OAUTH_STATE_COOKIE}' is missing")
    if not state or not state.strip() or not hmac.compare_digest(state_hash(state), cookie):
        raise AuthenticationFailed("CSRF state value is invalid")


def sanitize_return_to(url: str | None) -> str | None:
    """sanitizeRedirectUrl: a local path (`/` then a word character), normalised, else None.

    Every return_to goes through it (the login form too, and the SAML start), so a tab, a
    CR/LF or a second slash never reaches a Location header: `/%09/evil.com` is refused here,
    where a browser would have dropped the tab and gone to `//evil.com`.
    """
    if not url:
        return None
    url = url.strip(_JAVA_TRIMMED)
    # Java's URI refuses what _URI_CHARS refuses, and SonarQube answers 500
    # (IllegalStateException); the page to return to is simply dropped here.
    if not _VALID_RETURN_TO.fullmatch(url) or not _URI_CHARS.fullmatch(url):
        return None
    parts = urlsplit(url)
    # Path.of(path).normalize(): "." and ".." resolved, no trailing slash.
    path = posixpath.normpath(parts.path) if parts.path else parts.path
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def auth_params_cookie(return_to: str | None) -> str | None:
    """The AUTH-PARAMS cookie value ({"return_to": ...} as URL-encoded JSON), None if empty."""
    safe = sanitize_return_to(return_to)
    if safe is None:
        return None
    return encode_message(json.dumps({"return_to": safe}, separators=(",", ":")))


def return_to_from_cookie(cookie: str | None) -> str | None:
    """OAuth2AuthenticationParametersImpl.getReturnTo: the sanitized return_to, if any."""
    if not cookie:
        return None
    try:
        parameters = json_input.parse(unquote(cookie))
    except json_input.InvalidJson:
        return None
    if not isinstance(parameters, dict) or not isinstance(parameters.get("return_to"), str):
        return None
    return sanitize_return_to(parameters["return_to"])


def encode_message(message: str) -> str:
    """AuthenticationRedirection.encodeMessage: URLEncoder.encode, then "+" as "%20"."""
    # java.net.URLEncoder keeps only letters, digits and ".-*_".
    return quote(message, safe="*").replace("~", "%7E")


def decode_message(cookie: str | None) -> str | None:
    """The message the unauthorized page shows (decodeURIComponent of the cookie)."""
    return unquote(cookie) if cookie else None
