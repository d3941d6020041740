"""Okta users: profiles, credentials and the lifecycle (reference/okta.md §5.3).

This module owns the `users` table: it validates profiles, hashes passwords and moves users
between statuses with Okta's refusals. What a change sets off elsewhere follows Okta and is
`mock_okta.reactions`' work: deactivation removes every app assignment (and so deprovisions the
user downstream); deactivation, suspension and deletion end the user's browser sessions;
suspend, unsuspend and the final delete change nothing downstream.
"""

import json
import re
import secrets
import string
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields, system_log
from mock_okta.directory.passwords import check_password, hash_password
from mock_okta.errors import (
    AlreadyActive,
    ApiValidationFailed,
    CredentialsUpdateFailed,
    InvalidUserStatus,
    PasswordPolicyViolation,
    ResourceNotFound,
)
from mock_okta.storage.filters import AttributeMap, like_with_range, to_sql
from mock_okta.storage.ids import USER, new_id
from mock_okta.storage.pagination import next_seq, page


class User(TypedDict):
    """A row of `users` as the directory passes it around (`profile` is JSON text)."""

    id: str
    seq: int
    status: str
    transitioning_to_status: str | None
    created: str
    activated: str | None
    status_changed: str | None
    last_login: str | None
    last_updated: str
    password_changed: str | None
    login: str
    profile: str
    password_hash: str | None
    provider: str
    type_id: str | None
    failed_sign_ins: int


class UserStatus(StrEnum):
    """A user's status (Users API); equal to the strings stored and sent."""

    STAGED = "STAGED"
    PROVISIONED = "PROVISIONED"
    ACTIVE = "ACTIVE"
    RECOVERY = "RECOVERY"
    PASSWORD_EXPIRED = "PASSWORD_EXPIRED"
    LOCKED_OUT = "LOCKED_OUT"
    SUSPENDED = "SUSPENDED"
    DEPROVISIONED = "DEPROVISIONED"


#: The base profile's required attributes (Okta's default user schema).
REQUIRED = ("login", "email", "firstName", "lastName")
#: Okta's base user profile schema (Schemas API, "User profile base properties").
BASE_ATTRIBUTES = frozenset(
    {
        "login",
        "email",
        "secondEmail",
        "firstName",
        "lastName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
        "title",
        "displayName",
        "nickName",
        "profileUrl",
        "primaryPhone",
        "mobilePhone",
        "streetAddress",
        "city",
        "state",
        "zipCode",
        "countryCode",
        "postalAddress",
        "preferredLanguage",
        "locale",
        "timezone",
        "userType",
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
        "managerId",
        "manager",
    }
)
#: maxLength of the base attributes, where Okta's UserProfile schema gives one.
MAX_LENGTHS = {
    "login": 100,
    "email": 100,
    "secondEmail": 100,
    "firstName": 50,
    "lastName": 50,
    "mobilePhone": 100,
    "primaryPhone": 100,
    "city": 128,
    "state": 128,
    "countryCode": 2,
    "zipCode": 50,
    "streetAddress": 1024,
    "postalAddress": 4096,
}
#: The attributes whose value may span lines. Guess: Okta does not say which take line breaks.
MULTILINE_ATTRIBUTES = frozenset({"streetAddress", "postalAddress"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_FILTER_ATTRIBUTES = AttributeMap(
    {
        "id": "id",
        "status": "status",
        "created": "created",
        "lastUpdated": "last_updated",
        "activated": "activated",
        "statusChanged": "status_changed",
        "type.id": "type_id",
    }
)


#: What `filter` supports on users (Users API, "Filter"): these attributes with `eq`, and the
#: date comparisons on lastUpdated; anything else belongs in `search`.
_FILTERABLE = {
    **dict.fromkeys(
        ("status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"),
        frozenset({"eq"}),
    ),
    "lastUpdated": frozenset({"eq", "gt", "ge", "lt", "le"}),
}


def get_user(db: Database, user_id: str) -> User | None:
    """A user by id, or by login (the Users API accepts either)."""
    rows = list(
        db.query("select * from users where id = ? or login = ? collate nocase", [user_id, user_id])
    )
    return rows[0] if rows else None


def require_user(db: Database, user_id: str) -> User:
    """The user by id or login, or E0000007."""
    user = get_user(db, user_id)
    if user is None:
        raise ResourceNotFound(user_id, "User")
    return user


def find_by_login(db: Database, login: str) -> User | None:
    """The user whose login is `login` (case-insensitive, as Okta usernames are)."""
    rows = list(db.query("select * from users where login = ? collate nocase", [login.strip()]))
    return rows[0] if rows else None


def get_user_by_id(db: Database, user_id: str) -> User | None:
    """A user by id only, or None."""
    rows = list(db.query("select * from users where id = ?", [user_id]))
    return rows[0] if rows else None


def require_user_by_id(db: Database, user_id: str) -> User:
    """The user by id only (group memberships name users by id), or E0000007."""
    user = get_user_by_id(db, user_id)
    if user is None:
        raise ResourceNotFound(user_id, "User")
    return user


def profile_schema(db: Database) -> frozenset[str]:
    """The attributes a user profile has in this org: the base schema and the custom ones.

    Guess: the simulator has no Schemas API; an attribute any profile holds counts as a custom
    attribute of the org's schema (as an admin would have added it before using it).
    """
    rows = db.query("select distinct key from users, json_each(users.profile)")
    return BASE_ATTRIBUTES | {row["key"] for row in rows}


def count_users(db: Database) -> int:
    """How many users are not deactivated (the Dashboard's People)."""
    sql = "select count(*) as n from users where status != ?"
    return next(db.query(sql, [UserStatus.DEPROVISIONED]))["n"]


def rule_candidate_ids(db: Database, exempt: tuple[str, ...]) -> list[str]:
    """Ids of the users whose status is not among `exempt`, in creation order."""
    marks = ",".join("?" * len(exempt))
    rows = db.query(f"select id from users where status not in ({marks}) order by seq", exempt)
    return [row["id"] for row in rows]


def profile_of(user: User) -> dict:
    """The user's profile as a dict."""
    return json.loads(user["profile"])


def _validate_profile(db: Database, profile: object, user_id: str | None = None) -> dict:
    """Okta's base-schema checks; returns the profile without its null attributes."""
    if not isinstance(profile, dict):
        raise ApiValidationFailed("profile", [fields.cause("profile", fields.TYPE)])
    causes = []
    for name in REQUIRED:
        value = profile.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            causes.append(fields.cause(name, fields.BLANK))
    for name, value in profile.items():
        if value is not None:
            problem = _attribute_cause(name, value)
            causes += [problem] if problem else []
    email, login = profile.get("email"), profile.get("login")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        causes.append("email: Does not match required pattern")
    if isinstance(login, str) and login and not _EMAIL.match(login):
        causes.append("login: Username must be in the form of an email address")
    if not causes and _login_taken(db, login, user_id):
        causes.append("login: An object with this field already exists in the current organization")
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return {k: v for k, v in profile.items() if v is not None}


def _attribute_cause(name: str, value: object) -> str | None:
    """Base attributes are strings of at most their maxLength; custom ones may be strings,
    numbers, Booleans or arrays of those. No value holds a control character (line breaks
    only in the address attributes)."""
    multiline = name in MULTILINE_ATTRIBUTES
    if name in BASE_ATTRIBUTES:
        return fields.text_cause(name, value, maximum=MAX_LENGTHS.get(name), multiline=multiline)
    return fields.scalar_cause(name, value, multiline=multiline)


def _login_taken(db: Database, login: str, user_id: str | None) -> bool:
    rows = db.query("select id from users where login = ? collate nocase", [login])
    return any(row["id"] != user_id for row in rows)


def _password_value(credentials: object) -> str | None:
    if credentials is None:
        return None
    password = credentials.get("password") if isinstance(credentials, dict) else None
    if not isinstance(credentials, dict) or not isinstance(password, dict | None):
        raise ApiValidationFailed("credentials", ["credentials: Invalid credentials object"])
    value = (password or {}).get("value")
    if value is not None and (not isinstance(value, str) or len(value) < 8):
        raise ApiValidationFailed(
            "password",
            [
                "password: Password requirements were not met. Password requirements: "
                "at least 8 characters."
            ],
        )
    return value


@transactional
def create_user(
    db: Database,
    now: datetime,
    body: dict,
    *,
    activate: bool = True,
    actor: dict | None = None,
    user_id: str | None = None,
) -> dict:
    """POST /api/v1/users: STAGED, or ACTIVE with a password, PROVISIONED without.

    `user_id` gives fixtures stable ids; the API always generates one.
    """
    profile = _validate_profile(db, _or_empty(body.get("profile")))
    password = _password_value(body.get("credentials"))
    _check_group_ids(body.get("groupIds"))
    type_id = _type_id(body.get("type"))
    status = (
        UserStatus.STAGED
        if not activate
        else (UserStatus.ACTIVE if password else UserStatus.PROVISIONED)
    )
    stamp = now.isoformat()
    user_id = user_id or new_id(USER)
    db["users"].insert(
        {
            "id": user_id,
            "seq": next_seq(db, "users"),
            "status": status,
            "created": stamp,
            "activated": stamp if activate else None,
            "status_changed": stamp if activate else None,
            "last_updated": stamp,
            "password_changed": stamp if password else None,
            "login": profile["login"],
            "profile": json.dumps(profile),
            "password_hash": hash_password(password) if password else None,
            "provider": "OKTA",
            "type_id": type_id,
        }
    )
    user = require_user(db, user_id)
    system_log.record(
        db,
        now,
        "user.lifecycle.create",
        "Create Okta user",
        actor=actor,
        targets=[system_log.user_target(user)],
    )
    if activate:
        system_log.record(
            db,
            now,
            "user.lifecycle.activate",
            "Activate Okta user",
            actor=actor,
            targets=[system_log.user_target(user)],
        )
    return user


def _or_empty(value: object) -> object:
    return {} if value is None else value


def _check_group_ids(group_ids: object) -> None:
    """`groupIds`: an array of at most 20 group ids."""
    if group_ids is None:
        return
    problem = fields.strings_cause("groupIds", group_ids)
    if problem:
        raise ApiValidationFailed("groupIds", [problem])
    if len(group_ids) > 20:
        raise ApiValidationFailed("groupIds", ["groupIds: At most 20 groups may be given"])


def _type_id(user_type: object) -> str | None:
    """`type.id`, the user type (the org's default when absent)."""
    if user_type is None:
        return None
    type_id = user_type.get("id") if isinstance(user_type, dict) else None
    if not isinstance(user_type, dict) or not isinstance(type_id, str | None):
        raise ApiValidationFailed("type", [fields.cause("type", fields.TYPE)])
    problem = type_id and fields.text_cause("type.id", type_id)
    if problem:
        raise ApiValidationFailed("type", [problem])
    return type_id


def group_ids_of(body: dict) -> list[str]:
    """The `groupIds` a create body puts the new user in (validated by `create_user`)."""
    return list(body.get("groupIds") or [])


@transactional
def update_user(
    db: Database, now: datetime, user: User, body: dict, *, partial: bool, actor: dict | None = None
) -> tuple[dict, list[str]]:
    """POST (partial: merge) or PUT (replace) the profile and optionally the password.

    Returns the user and the names of the profile attributes that changed.
    """
    given = body.get("profile")
    if given is None and not partial:
        raise ApiValidationFailed("profile", ["profile: The field cannot be left blank"])
    if not isinstance(given, dict | None):
        raise ApiValidationFailed("profile", [fields.cause("profile", fields.TYPE)])
    old = profile_of(user)
    new = {**old, **(given or {})} if partial else (given or {})
    new = _validate_profile(db, new, user["id"])
    password = _password_value(body.get("credentials"))
    changes = {"profile": json.dumps(new), "login": new["login"], "last_updated": now.isoformat()}
    if password:
        changes.update(password_hash=hash_password(password), password_changed=now.isoformat())
    db["users"].update(user["id"], changes)
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if changed:
        system_log.record(
            db,
            now,
            "user.account.update_profile",
            "Update user profile for Okta",
            actor=actor,
            targets=[system_log.user_target(require_user(db, user["id"]))],
            debug_data={"changedAttributes": changed},
        )
    return require_user(db, user["id"]), changed


def _transition(
    db: Database,
    now: datetime,
    user: User,
    status: str,
    action: str,
    actor: dict | None,
    *,
    event: tuple[str, str] | None = None,
    **extra: str,
) -> dict:
    """Move the user to `status` and record System Log `user.lifecycle.<action>` (or `event`:
    its type and display message)."""
    stamp = now.isoformat()
    db["users"].update(
        user["id"], {"status": status, "status_changed": stamp, "last_updated": stamp, **extra}
    )
    user = require_user(db, user["id"])
    event_type, message = event or (f"user.lifecycle.{action}", f"{action.capitalize()} Okta user")
    system_log.record(
        db, now, event_type, message, actor=actor, targets=[system_log.user_target(user)]
    )
    return user


@transactional
def activate_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> dict:
    """STAGED/DEPROVISIONED -> ACTIVE (with a password) or PROVISIONED.

    Okta: "Perform this operation only on users with a STAGED or DEPROVISIONED status"; a
    LOCKED_OUT user is answered E0000016 (terraform-provider-okta#225). Guess: so are the other
    statuses (a PROVISIONED user finishes activation through the link, or is reactivated).
    """
    if user["status"] not in (UserStatus.STAGED, UserStatus.DEPROVISIONED):
        raise AlreadyActive()
    status = UserStatus.ACTIVE if user["password_hash"] else UserStatus.PROVISIONED
    return _transition(db, now, user, status, "activate", actor, activated=now.isoformat())


def activation_token(org_url: str) -> dict:
    """The body of activate/reactivate with sendEmail=false (UserActivationToken)."""
    token = secrets.token_urlsafe(15)
    return {"activationToken": token, "activationUrl": f"{org_url}/welcome/{token}"}


# --- passwords (UserCred) ---------------------------------------------------------------------

#: Where reset_password, expire_password and unlock apply. Guess: Okta documents the outcome
#: of each, not the statuses it refuses; the others are E0000038.
_RESETTABLE = (
    UserStatus.ACTIVE,
    UserStatus.RECOVERY,
    UserStatus.PASSWORD_EXPIRED,
    UserStatus.LOCKED_OUT,
)
_EXPIRABLE = (UserStatus.ACTIVE, UserStatus.PASSWORD_EXPIRED, UserStatus.RECOVERY)
#: change_password: "users in STAGED, ACTIVE, PASSWORD_EXPIRED, or RECOVERY status that have
#: a valid password credential" (Okta API, changePassword).
_CHANGEABLE = (
    UserStatus.STAGED,
    UserStatus.ACTIVE,
    UserStatus.PASSWORD_EXPIRED,
    UserStatus.RECOVERY,
)
_TEMP_PASSWORD_ALPHABET = string.ascii_letters + string.digits
#: System Log event types of Okta's event catalog. Guess: the display messages.
_RESET_EVENT = ("user.account.reset_password", "Reset Okta password")
_EXPIRE_EVENT = ("user.account.expire_password", "Expire user password")
_UNLOCK_EVENT = ("user.account.unlock", "Unlock user account")


@transactional
def reset_password(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> str:
    """lifecycle/reset_password: RECOVERY until the user sets a new password; returns the
    one-time token of the reset link."""
    if user["status"] not in _RESETTABLE:
        raise InvalidUserStatus()
    _transition(db, now, user, UserStatus.RECOVERY, "reset_password", actor, event=_RESET_EVENT)
    return secrets.token_urlsafe(15)


@transactional
def expire_password(
    db: Database,
    now: datetime,
    user: User,
    *,
    temporary: bool = False,
    actor: dict | None = None,
) -> tuple[User, str | None]:
    """lifecycle/expire_password (PASSWORD_EXPIRED: a new password at the next sign-in), and
    with `temporary` the password is first replaced by a temporary one, which is returned."""
    if user["status"] not in _EXPIRABLE:
        raise InvalidUserStatus()
    temp = None
    if temporary:
        # Okta's example tempPassword is eight letters and digits ("F46gy7X4").
        temp = "".join(secrets.choice(_TEMP_PASSWORD_ALPHABET) for _ in range(8))
        db["users"].update(
            user["id"],
            {"password_hash": hash_password(temp), "password_changed": now.isoformat()},
        )
    expired = _transition(
        db, now, user, UserStatus.PASSWORD_EXPIRED, "expire_password", actor, event=_EXPIRE_EVENT
    )
    return expired, temp


@transactional
def unlock_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> User:
    """lifecycle/unlock: LOCKED_OUT -> ACTIVE (an ACTIVE user stays as is)."""
    if user["status"] == UserStatus.ACTIVE:
        return user
    if user["status"] != UserStatus.LOCKED_OUT:
        raise InvalidUserStatus()
    db["users"].update(user["id"], {"failed_sign_ins": 0})
    return _transition(db, now, user, UserStatus.ACTIVE, "unlock", actor, event=_UNLOCK_EVENT)


#: Okta's default password policy: "Lock out user after 10 unsuccessful attempts".
MAX_FAILED_SIGN_INS = 10
_LOCK_EVENT = ("user.account.lock", "Max sign in attempts exceeded")


@transactional
def record_failed_sign_in(db: Database, now: datetime, user: User) -> User:
    """A wrong password: the tenth in a row locks an ACTIVE user out (LOCKED_OUT)."""
    failed = user["failed_sign_ins"] + 1
    db["users"].update(user["id"], {"failed_sign_ins": failed})
    if failed >= MAX_FAILED_SIGN_INS and user["status"] == UserStatus.ACTIVE:
        return _transition(db, now, user, UserStatus.LOCKED_OUT, "lock", None, event=_LOCK_EVENT)
    return require_user_by_id(db, user["id"])


@transactional
def record_sign_in(db: Database, now: datetime, user: User) -> None:
    """A sign-in: `lastLogin`, and the count of failures starts again."""
    db["users"].update(user["id"], {"failed_sign_ins": 0, "last_login": now.isoformat()})


@transactional
def change_password(
    db: Database, now: datetime, user: User, body: object, *, actor: dict | None = None
) -> User:
    """credentials/change_password: the current password, then the new one.

    RECOVERY and PASSWORD_EXPIRED users are ACTIVE again afterwards (Okta API, changePassword).
    """
    old, new = _password_pair(body)
    if user["status"] not in _CHANGEABLE or not user["password_hash"]:
        raise InvalidUserStatus()
    if not check_password(user["password_hash"], old):
        raise CredentialsUpdateFailed(
            causes=["oldPassword: The credentials provided were incorrect."]
        )
    if len(new) < 8:
        raise PasswordPolicyViolation(
            causes=[
                "password: Password requirements were not met. Password requirements: "
                "at least 8 characters."
            ]
        )
    if new == old:
        # Guess at the wording: Okta's history check refuses the current password.
        raise PasswordPolicyViolation(causes=["password: Password cannot be your current password"])
    stamp = now.isoformat()
    db["users"].update(
        user["id"],
        {"password_hash": hash_password(new), "password_changed": stamp, "last_updated": stamp},
    )
    system_log.record(
        db,
        now,
        "user.account.update_password",
        "User update password for Okta",
        actor=actor,
        targets=[system_log.user_target(user)],
    )
    if user["status"] in (UserStatus.RECOVERY, UserStatus.PASSWORD_EXPIRED):
        return _transition(db, now, user, UserStatus.ACTIVE, "activate", actor)
    return require_user_by_id(db, user["id"])


def _password_pair(body: object) -> tuple[str, str]:
    """(old, new) from `{"oldPassword": {"value"}, "newPassword": {"value"}}`, else E0000001."""
    values = []
    for field in ("oldPassword", "newPassword"):
        given = body.get(field) if isinstance(body, dict) else None
        value = given.get("value") if isinstance(given, dict) else None
        if not isinstance(value, str) or not value:
            raise ApiValidationFailed(field, [f"{field}: The field cannot be left blank"])
        values.append(value)
    return values[0], values[1]


@transactional
def deactivate_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> dict:
    """Any status but DEPROVISIONED -> DEPROVISIONED."""
    if user["status"] == UserStatus.DEPROVISIONED:
        raise InvalidUserStatus()
    return _transition(db, now, user, UserStatus.DEPROVISIONED, "deactivate", actor)


@transactional
def reactivate_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> dict:
    """PROVISIONED or RECOVERY: restart activation (not an undo of a deactivation)."""
    if user["status"] not in (UserStatus.PROVISIONED, UserStatus.RECOVERY):
        raise InvalidUserStatus()
    return _transition(db, now, user, UserStatus.PROVISIONED, "reactivate", actor)


@transactional
def suspend_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> dict:
    """ACTIVE -> SUSPENDED. Okta sends nothing downstream; assignments are kept (ref. §1.7)."""
    if user["status"] != UserStatus.ACTIVE:
        raise ApiValidationFailed(
            summary="Api validation failed: status",
            causes=["status: Cannot suspend a user that is not active"],
        )
    return _transition(db, now, user, UserStatus.SUSPENDED, "suspend", actor)


@transactional
def unsuspend_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> dict:
    """SUSPENDED -> ACTIVE. Nothing is sent downstream."""
    if user["status"] != UserStatus.SUSPENDED:
        raise ApiValidationFailed(
            summary="Api validation failed: status",
            causes=["status: Cannot unsuspend a user that is not suspended"],
        )
    return _transition(db, now, user, UserStatus.ACTIVE, "unsuspend", actor)


@transactional
def delete_user(db: Database, now: datetime, user: User, *, actor: dict | None = None) -> None:
    """The final DELETE of a DEPROVISIONED user; it changes nothing downstream.

    The user's memberships, app users and sessions go with the row (foreign keys cascade).
    """
    if user["status"] != UserStatus.DEPROVISIONED:
        raise InvalidUserStatus()
    target = system_log.user_target(user)
    system_log.record(
        db,
        now,
        "user.lifecycle.delete.initiated",
        "Delete Okta user",
        actor=actor,
        targets=[target],
    )
    db.execute("delete from users where id = ?", [user["id"]])
    system_log.record(
        db,
        now,
        "user.lifecycle.delete.completed",
        "Delete Okta user completed",
        actor=actor,
        targets=[target],
    )


def list_users(
    db: Database,
    *,
    q: str | None = None,
    filter_: str | None = None,
    search: str | None = None,
    after: str | None = None,
    limit: int = 200,
) -> tuple[list[dict], str | None]:
    """Users in creation order; DEPROVISIONED ones only when a filter or search asks."""
    where, narrow, params = [], [], {}
    if q:
        params["q"] = f"{q}%"
        plain, ranged = [], []
        for attr in ("firstName", "lastName", "email", "login"):
            expression = f"json_extract(profile, '$.{attr}')"
            plain.append(f"+{expression} like :q")
            term, bounds = like_with_range(expression, "q", params["q"])
            ranged.append(term)
            params.update(bounds)
        where.append("(" + " or ".join(plain) + ")")
        narrow.append("(" + " or ".join(ranged) + ")")
    for expression, allowed in ((filter_, _FILTERABLE), (search, None)):
        if expression:
            sql, values = to_sql(expression, _FILTER_ATTRIBUTES, allowed=allowed, indexed=False)
            where.append(sql)
            sql, values = to_sql(expression, _FILTER_ATTRIBUTES, allowed=allowed)
            narrow.append(sql)
            params.update(values)
    if not filter_ and not search:
        where.append(f"status != '{UserStatus.DEPROVISIONED}'")
        narrow.append(where[-1])
    narrowed = narrow if narrow != where else None
    return page(
        db, table="users", where=where, params=params, after=after, limit=limit, narrow=narrowed
    )
