"""User tokens: `sq` + type letter + `_` + 40 hex, only the SHA-384 hash stored (§2.2, §6.4)."""

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import users
from mock_sonar.errors import BadRequest, NotFound
from mock_sonar.storage.ids import new_uuid
from mock_sonar.text import check_no_nul


class TokenType(StrEnum):
    """TokenType: what a token may be used for (user_tokens.type)."""

    USER_TOKEN = "USER_TOKEN"
    GLOBAL_ANALYSIS_TOKEN = "GLOBAL_ANALYSIS_TOKEN"
    PROJECT_ANALYSIS_TOKEN = "PROJECT_ANALYSIS_TOKEN"


PREFIXES = {
    TokenType.USER_TOKEN: "squ_",
    TokenType.GLOBAL_ANALYSIS_TOKEN: "sqa_",
    TokenType.PROJECT_ANALYSIS_TOKEN: "sqp_",
}
NAME_MAX = 100

#: The only endpoints analysis tokens may call (UserTokenAuthentication).
SCANNER_ENDPOINTS = (
    "/api/settings/values",
    "/api/plugins/installed",
    "/api/project_branches/list",
    "/api/project_pull_requests/list",
    "/api/qualityprofiles/search",
    "/api/rules/search",
    "/batch/project",
    "/api/metrics/search",
    "/api/new_code_periods/show",
    "/api/ce/submit",
)


def hash_token(value: str) -> str:
    """SHA-384 of the token, as stored by SonarQube."""
    return hashlib.sha384(value.encode()).hexdigest()


@transactional
def generate_token(
    db: Database,
    now: datetime,
    user: dict,
    *,
    name: str,
    token_type: str = TokenType.USER_TOKEN,
    project_key: str | None = None,
    expiration_date: date | None = None,
    value: str | None = None,
) -> tuple[dict, str]:
    """Create a token; returns the stored row and the clear value, shown only once.

    `value` fixes the clear value (fixtures only; the Web API always generates one).
    """
    if not name or not name.strip():
        raise BadRequest("The 'name' parameter is missing")
    if len(name) > NAME_MAX:
        raise BadRequest(
            f"'name' length ({len(name)}) is longer than the maximum authorized ({NAME_MAX})"
        )
    check_no_nul("Token name", name)
    if token_type not in PREFIXES:
        raise BadRequest(
            f"Value of parameter 'type' ({token_type}) must be one of: [{', '.join(PREFIXES)}]"
        )
    if token_type == TokenType.PROJECT_ANALYSIS_TOKEN and not project_key:
        raise BadRequest("A projectKey is needed when creating Project Analysis Token")
    if expiration_date is not None and expiration_date <= now.date():
        # GenerateAction.validateExpirationDateValue
        tomorrow = now.date() + timedelta(days=1)
        raise BadRequest(
            f"The minimum value for parameter expirationDate is {tomorrow.isoformat()}."
        )
    if list(
        db.query("select 1 from user_tokens where user_uuid = ? and name = ?", [user["uuid"], name])
    ):
        raise BadRequest(
            f"A user token for login '{user['login']}' and name '{name}' already exists"
        )
    if value is None:
        value = PREFIXES[token_type] + secrets.token_hex(20)
    elif not re.fullmatch(re.escape(PREFIXES[token_type]) + "[0-9a-f]{40}", value):
        raise BadRequest(f"A {token_type} value is '{PREFIXES[token_type]}' and 40 hex digits")
    elif find_token(db, value) is not None:
        raise BadRequest("A user token with this value already exists")
    row = {
        "uuid": new_uuid(),
        "user_uuid": user["uuid"],
        "name": name,
        "token_hash": hash_token(value),
        "type": token_type,
        "project_key": project_key,
        "created_at": now.isoformat(),
        "expiration_date": expiration_date.isoformat() if expiration_date else None,
        "last_connection_date": None,
    }
    db["user_tokens"].insert(row)
    return row, value


def find_token(db: Database, value: str) -> dict | None:
    """The token row for a clear token value, else None."""
    rows = list(db.query("select * from user_tokens where token_hash = ?", [hash_token(value)]))
    return rows[0] if rows else None


def is_expired(token: dict, now: datetime) -> bool:
    """Whether the token's expiration date has passed."""
    expiration = token.get("expiration_date")
    return bool(expiration) and date.fromisoformat(expiration[:10]) <= now.date()


def record_use(db: Database, now: datetime, token: dict) -> None:
    """Update lastConnectionDate, at most hourly as SonarQube does (a transaction opens only
    when the date is due, so a request with a token takes no write lock for nothing)."""
    last = token.get("last_connection_date")
    if last is None or (now - datetime.fromisoformat(last)).total_seconds() >= 3600:
        _stamp_use(db, now, token["uuid"])


@transactional
def _stamp_use(db: Database, now: datetime, token_uuid: str) -> None:
    db["user_tokens"].update(token_uuid, {"last_connection_date": now.isoformat()})


def user_tokens(db: Database, user_uuid: str) -> list[dict]:
    """The user's tokens, by name."""
    return list(
        db.query("select * from user_tokens where user_uuid = ? order by name", [user_uuid])
    )


@transactional
def revoke_token(db: Database, user: dict, name: str) -> None:
    """Delete a token by name; an unknown name is silently ignored, as in SonarQube."""
    if not name:
        raise BadRequest("The 'name' parameter is missing")
    db.execute("delete from user_tokens where user_uuid = ? and name = ?", [user["uuid"], name])


def count_tokens(db: Database, user_uuid: str) -> int:
    """How many tokens the user has."""
    return next(db.query("select count(*) as n from user_tokens where user_uuid = ?", [user_uuid]))[
        "n"
    ]


@transactional
def delete_user_tokens(db: Database, user_uuid: str) -> None:
    """Every token of the user goes (deactivation)."""
    db.execute("delete from user_tokens where user_uuid = ?", [user_uuid])


def require_owner(db: Database, login: str) -> dict:
    """UserTokenSupport.getUser: the user with this login, active or not, or 404."""
    user = users.get_user_by_login(db, login)
    if user is None:
        raise NotFound(f"User with login '{login}' doesn't exist")
    return user


@transactional
def generate_token_for(
    db: Database,
    now: datetime,
    login: str,
    *,
    name: str,
    token_type: str = TokenType.USER_TOKEN,
    project_key: str | None = None,
    expiration_date: date | None = None,
) -> tuple[dict, dict, str]:
    """api/user_tokens/generate for the user with this login: (owner, stored row, clear value)."""
    owner = require_owner(db, login)
    row, value = generate_token(
        db,
        now,
        owner,
        name=name,
        token_type=token_type,
        project_key=project_key,
        expiration_date=expiration_date,
    )
    return owner, row, value


def tokens_of(db: Database, login: str) -> list[dict]:
    """api/user_tokens/search: the tokens of the user with this login, by name."""
    return user_tokens(db, require_owner(db, login)["uuid"])


@transactional
def revoke_token_for(db: Database, login: str, name: str) -> None:
    """api/user_tokens/revoke: a token of the user with this login; unknown names are ignored."""
    revoke_token(db, require_owner(db, login), name)


@transactional
def seed_token(
    db: Database,
    now: datetime,
    login: str,
    *,
    name: str,
    token_type: str = TokenType.USER_TOKEN,
    value: str | None = None,
) -> str:
    """A token of an active user (fixtures, `mock-sonar create-token`); the clear value."""
    _, value = generate_token(
        db, now, users.require_user(db, login), name=name, token_type=token_type, value=value
    )
    return value
