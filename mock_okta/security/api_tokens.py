"""SSWS API tokens: only a SHA-256 hash is stored; the clear value is shown once."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields
from mock_okta.config import ORG_ADMIN_LOGIN
from mock_okta.directory import users
from mock_okta.errors import ApiValidationFailed, ResourceNotFound
from mock_okta.storage.ids import API_TOKEN, new_id


def hash_token(value: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(value.encode()).hexdigest()


@transactional
def create_token(
    db: Database, now: datetime, name: str, *, value: str | None = None, user_id: str | None = None
) -> tuple[dict, str]:
    """A new token (Okta's tokens start with `00` and are 42 characters long)."""
    value = value or "00" + secrets.token_urlsafe(30)[:40]
    row = {
        "id": new_id(API_TOKEN),
        "name": name,
        "token_hash": hash_token(value),
        "user_id": user_id,
        "created": now.isoformat(),
        "last_used": None,
    }
    db["api_tokens"].insert(row)
    return row, value


@transactional
def create_admin_token(db: Database, now: datetime, name: str) -> tuple[dict, str]:
    """A token owned by the org's super admin (`mock-okta create-token`)."""
    admin = users.require_user(db, ORG_ADMIN_LOGIN)
    return create_token(db, now, name, user_id=admin["id"])


def find_token(db: Database, value: str) -> dict | None:
    """The token row for a clear value, else None."""
    rows = list(db.query("select * from api_tokens where token_hash = ?", [hash_token(value)]))
    return rows[0] if rows else None


#: The longest token name accepted.
TOKEN_NAME_MAX = 255
#: Tokens expire after 30 days without use unless their window says otherwise.
DEFAULT_TOKEN_WINDOW = "P30D"
_WINDOW = timedelta(days=30)
#: How stale `last_used` may get before a use is written down again (fewer writes per request).
_USE_RECORDED_EVERY = timedelta(hours=1)


def authenticate(db: Database, now: datetime, value: str) -> dict | None:
    """The token a request presents, if it still works (else None, Okta's E0000011).

    Okta: a token acts as its owner, so it works only while the owner is ACTIVE, and it expires
    after its `tokenWindow` (30 days) without use. Uses move the window (on the simulator's
    clock), written down at most hourly.
    """
    token = find_token(db, value)
    if token is None:
        return None
    owner = users.get_user_by_id(db, token["user_id"]) if token["user_id"] else None
    if owner is None or owner["status"] != users.UserStatus.ACTIVE:
        return None
    last = datetime.fromisoformat(token["last_used"] or token["created"])
    if now - last > _WINDOW:
        return None
    # A clock set back (a frozen past) leaves the later date: the window never shrinks.
    if now > last and (token["last_used"] is None or now - last >= _USE_RECORDED_EVERY):
        _record_use(db, now, token["id"])
    return token


@transactional
def _record_use(db: Database, now: datetime, token_id: str) -> None:
    db["api_tokens"].update(token_id, {"last_used": now.isoformat()})


def require_token(db: Database, token_id: str) -> dict:
    """A token row by id, or E0000007."""
    rows = list(db.query("select * from api_tokens where id = ?", [token_id]))
    if not rows:
        raise ResourceNotFound(token_id, "ApiToken")
    return rows[0]


def list_tokens(db: Database, *, after: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Tokens in creation order (ids are not sequential, so page on created then id)."""
    rows = list(db.query("select * from api_tokens order by created, id"))
    ids = [row["id"] for row in rows]
    start = ids.index(after) + 1 if after in ids else 0
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    return page, (page[-1]["id"] if more and page else None)


@transactional
def revoke_token(db: Database, token_id: str) -> None:
    """Revoke: the token stops working at once."""
    db.execute("delete from api_tokens where id = ?", [require_token(db, token_id)["id"]])


@transactional
def rename_token(db: Database, now: datetime, token_id: str, body: dict) -> dict:
    """PUT /api/v1/api-tokens/{id}: the name (the only property kept here)."""
    token = require_token(db, token_id)
    name = _token_name(body)
    db["api_tokens"].update(token["id"], {"name": name})
    return require_token(db, token["id"])


@transactional
def create_named_token(
    db: Database, now: datetime, body: dict, *, user_id: str
) -> tuple[dict, str]:
    """Security > API > Tokens > Create Token: a token named by `body["name"]`, for the user."""
    return create_token(db, now, _token_name(body), user_id=user_id)


def _token_name(body: dict) -> str:
    """A token's name from a request body, or E0000001: not blank, at most TOKEN_NAME_MAX
    characters, no control characters."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiValidationFailed("name", ["name: The field cannot be left blank"])
    # Guess: the limit is not public; 255 is Okta's usual limit for a string attribute.
    problem = fields.text_cause("name", name, maximum=TOKEN_NAME_MAX)
    if problem:
        raise ApiValidationFailed("name", [problem])
    return name
