"""Who is calling: JWT-SESSION cookie, Bearer token, or Basic login:password / token-as-login.

Follows RequestAuthenticatorImpl, BasicAuthentication and UserTokenAuthentication (§2.1-2.3).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from mock_sonar.accounts import sessions, tokens, users
from mock_sonar.accounts.tokens import TokenType
from mock_sonar.errors import InvalidCredentials


@dataclass(frozen=True)
class Principal:
    """An authenticated user and how they authenticated."""

    user: dict
    token: dict | None = None
    session: dict | None = None

    @property
    def login(self) -> str:
        """The user's login."""
        return self.user["login"]


def authenticate(
    db: Database,
    now: datetime,
    *,
    path: str,
    method: str,
    authorization: str | None,
    session_cookie: str | None,
    xsrf_header: str | None,
    record_use: bool = True,
) -> Principal | None:
    """The principal behind the request, None when anonymous.

    Raises InvalidCredentials when credentials are present but wrong: the caller answers 401.
    A principal's last connection (and its token's last use) is recorded, at most hourly,
    unless `record_use` is off (the simulator's control plane is not a use of SonarQube).
    Not one transaction: those dates are independent of each other, and a write lock taken
    for every request would serialise the Web API.
    """
    principal = _principal(db, now, path, method, authorization, session_cookie, xsrf_header)
    if principal is not None and record_use:
        users.record_connection(db, now, principal.user)
        if principal.token is not None:
            tokens.record_use(db, now, principal.token)
    return principal


def _principal(
    db: Database,
    now: datetime,
    path: str,
    method: str,
    authorization: str | None,
    session_cookie: str | None,
    xsrf_header: str | None,
) -> Principal | None:
    if session_cookie:
        session = sessions.find_session(db, now, session_cookie)
        if session is not None:
            # JwtCsrfVerifier: state-changing API calls from a browser must echo the XSRF token.
            if (
                method not in ("GET", "HEAD", "OPTIONS")
                and path.startswith(("/api/", "/_mock/"))
                and xsrf_header != session["xsrf_token"]
            ):
                raise InvalidCredentials("Wrong CSFR in request")
            return _active(users.get_user(db, session["user_uuid"]), session=session)
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return _from_token(db, now, credentials.strip(), path)
    if scheme.lower() == "basic":
        login, password = _decode_basic(credentials.strip())
        if not password:
            return _from_token(db, now, login, path)
        user = users.authenticate_password(db, login, password)
        if user is None:
            raise InvalidCredentials("Wrong login/password")
        return Principal(user)
    raise InvalidCredentials("Unsupported authorization scheme")


def _decode_basic(credentials: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCredentials("Invalid basic header") from error
    login, sep, password = decoded.partition(":")
    if not sep:
        raise InvalidCredentials("Invalid basic header")
    return login, password


def _from_token(db: Database, now: datetime, value: str, path: str) -> Principal:
    token = tokens.find_token(db, value)
    if token is None:
        raise InvalidCredentials("User doesn't exist")
    if tokens.is_expired(token, now):
        raise InvalidCredentials(f"The token expired on {token['expiration_date']}")
    if token["type"] != TokenType.USER_TOKEN and not path.startswith(tokens.SCANNER_ENDPOINTS):
        raise InvalidCredentials("Invalid token")
    return _active(users.get_user(db, token["user_uuid"]), token=token)


def _active(user: dict | None, **how: dict) -> Principal:
    if user is None or not user["active"]:
        raise InvalidCredentials("User doesn't exist")
    return Principal(user, **how)
