"""SonarQube users, the `users` table: lookups, creation and updates (UserUpdater), passwords,
the active flag, searches. What else a deactivation removes is `deactivation`'s; what an
administrator may do to a user, with SonarQube's refusals, is `user_admin`'s."""

import json
import random
import re
import secrets
import string
import unicodedata
from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import select_page, transactional
from mock_common.rows import insert_row_returning, update_rows
from mock_sonar.accounts import memberships, sessions
from mock_sonar.accounts.passwords import check_password, hash_password
from mock_sonar.errors import BadRequest, NotFound
from mock_sonar.storage import text_search
from mock_sonar.storage.ids import new_uuid
from mock_sonar.text import check_no_nul, has_nul, nul_message


class IdentityProvider(StrEnum):
    """Where a user's identity comes from (users.external_provider), besides LDAP servers."""

    SONARQUBE = "sonarqube"  # SonarQube's own accounts
    SAML = "saml"


LOGIN_MIN, LOGIN_MAX, NAME_MAX, EMAIL_MAX = 2, 255, 200, 100
_LOGIN_FORMAT = re.compile(r"\A\w[\w.\-@]+\Z")
# EmailValidator wraps Apache Commons' validator; this is its gist, not its exact grammar
# (a dotted domain with a top-level part of two letters or more; no spaces or control characters).
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[A-Za-z]{2,}")


def get_user(db: Database, uuid: str) -> dict | None:
    """The user row by uuid."""
    rows = list(db.query("select * from users where uuid = ?", [uuid]))
    return rows[0] if rows else None


def get_user_by_login(db: Database, login: str) -> dict | None:
    """The user row by login (exact)."""
    rows = list(db.query("select * from users where login = ?", [login]))
    return rows[0] if rows else None


def require_user(db: Database, login: str, *, active: bool = True) -> dict:
    """The user with this login, or 404 "User 'x' doesn't exist"."""
    user = get_user_by_login(db, login)
    if user is None or (active and not user["active"]):
        raise NotFound(f"User '{login}' doesn't exist")
    return user


def find_external_user(db: Database, provider: str, external_id: str) -> dict | None:
    """The user with this external identity (exact, case-sensitive: §5.4)."""
    rows = list(
        db.query(
            "select * from users where external_provider = ? and external_id = ?",
            [provider, external_id],
        )
    )
    return rows[0] if rows else None


def find_user_by_external_login(db: Database, provider: str, external_login: str) -> dict | None:
    """The user with this external login at the provider (exact, case-sensitive)."""
    rows = list(
        db.query(
            "select * from users where external_provider = ? and external_login = ?",
            [provider, external_login],
        )
    )
    return rows[0] if rows else None


def active_users_with_email(db: Database, email: str) -> list[str]:
    """The uuids of the active users with this email, compared case-insensitively."""
    rows = db.query("select uuid from users where lower(email) = lower(?) and active = 1", [email])
    return [row["uuid"] for row in rows]


def count_users(db: Database) -> int:
    """How many users exist, active or not."""
    return db["users"].count


def require_user_by_id(db: Database, uuid: str | None, *, active: bool = False) -> dict:
    """The user with this id, or 404 "User '<id>' not found" (v2; a missing id reads `null`)."""
    user = get_user(db, uuid) if uuid is not None else None
    if user is None or (active and not user["active"]):
        # String.format shows a missing id as "null".
        raise NotFound(f"User '{'null' if uuid is None else uuid}' not found")
    return user


def check_email(email: str | None) -> None:
    """EmailValidator.isValidIfPresent: an email, when given, must be a valid address."""
    if email and not _EMAIL.fullmatch(email):
        raise BadRequest(f"Email '{email}' is not valid")


def validation_messages(
    *,
    login: str | None = None,
    name: str | None = None,
    email: str | None = None,
    check_login: bool = False,
    check_name: bool = False,
) -> list[str]:
    """UserUpdater's field checks, with its messages."""
    messages = []
    if check_login:
        if not login:
            messages.append("Login can't be empty")
        elif len(login) < LOGIN_MIN:
            messages.append(f"Login is too short (minimum is {LOGIN_MIN} characters)")
        elif len(login) > LOGIN_MAX:
            messages.append(f"Login is too long (maximum is {LOGIN_MAX} characters)")
        elif not _LOGIN_FORMAT.match(login):
            messages.append("Use only letters, numbers, and .-_@ please.")
    if check_name:
        if not name:
            messages.append("Name can't be empty")
        elif len(name) > NAME_MAX:
            messages.append(f"Name is too long (maximum is {NAME_MAX} characters)")
        elif has_nul(name):
            messages.append(nul_message("Name"))
    if email is not None and len(email) > EMAIL_MAX:
        messages.append(f"Email is too long (maximum is {EMAIL_MAX} characters)")
    elif has_nul(email):
        messages.append(nul_message("Email"))
    return messages


def _check(messages: list[str]) -> None:
    if messages:
        raise BadRequest(*messages)


@transactional
def create_local_user(
    db: Database,
    now: datetime,
    *,
    login: str,
    name: str,
    email: str | None = None,
    password: str | None = None,
    local: bool = True,
    scm_accounts: list[str] | None = None,
) -> dict:
    """api/users/create: a new user, or the reactivation of a deactivated one with that login."""
    messages = validation_messages(
        login=login, name=name, email=email, check_login=True, check_name=True
    )
    if local and not password:
        messages.append("Password is mandatory and must not be empty")
    if not local and password:
        messages.append("Password should only be set on local user")
    _check(messages)
    existing = get_user_by_login(db, login)
    if existing and existing["active"]:
        raise BadRequest(f"An active user with login '{login}' already exists")
    fields = {
        "name": name,
        "email": email or None,
        "local": int(local),
        "external_provider": IdentityProvider.SONARQUBE,
        "external_id": login,
        "external_login": login,
        "password_hash": hash_password(password) if password else None,
        "scm_accounts": json.dumps(sorted(set(scm_accounts or []))),
        "updated_at": now.isoformat(),
    }
    if existing:
        db["users"].update(existing["uuid"], {**fields, "active": 1})
        uuid = existing["uuid"]
    else:
        uuid = new_uuid()
        db["users"].insert(
            {
                "uuid": uuid,
                "login": login,
                "active": 1,
                "reset_password": 0,
                "created_at": now.isoformat(),
                **fields,
            }
        )
    memberships.add_to_default_group(db, uuid)
    return get_user(db, uuid)


@transactional
def create_bootstrap_admin(db: Database, now: datetime) -> dict:
    """PopulateInitialSchema's `admin`/`admin`, who must change the password at first login.

    Not in any group yet: the bootstrap adds it to the two built-in groups.
    """
    uuid = new_uuid()
    db["users"].insert(
        {
            "uuid": uuid,
            "login": "admin",
            "name": "Administrator",
            "email": None,
            "active": 1,
            "local": 1,
            "external_provider": IdentityProvider.SONARQUBE,
            "external_id": "admin",
            "external_login": "admin",
            "password_hash": hash_password("admin"),
            "reset_password": 1,
            "scm_accounts": "[]",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        }
    )
    return get_user(db, uuid)


def slugify(text: str) -> str:
    """SonarQube's Slug.slugify: ASCII, lower case, runs of other characters become '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def generate_login(db: Database, seed: str) -> str:
    """UserUpdater.generateUniqueLogin: slug + random number below 100,000, ten tries."""
    slug = slugify(seed) or "user"
    for _ in range(10):
        login = f"{slug}{random.randrange(100_000)}"
        if get_user_by_login(db, login) is None:
            return login
    raise BadRequest(f"Cannot create unique login for user name {seed}")


@transactional
def create_external_user(
    db: Database,
    now: datetime,
    *,
    name: str,
    email: str | None,
    provider: str,
    external_id: str,
    login_seed: str,
    login: str | None = None,
) -> dict:
    """A non-local user (SAML JIT or SCIM) with a generated login (fixtures may fix it), in the
    default group."""
    _check(validation_messages(name=name, email=email, check_name=True))
    uuid = new_uuid()
    user = insert_row_returning(
        db,
        "users",
        {
            "uuid": uuid,
            "login": login if login is not None else generate_login(db, login_seed),
            "name": name,
            "email": email or None,
            "active": 1,
            "local": 0,
            "external_provider": provider,
            "external_id": external_id,
            "external_login": external_id,
            "password_hash": None,
            "reset_password": 0,
            "scm_accounts": "[]",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        },
    )
    memberships.add_to_default_group(db, uuid)
    return user


@transactional
def update_user(
    db: Database,
    now: datetime,
    user: dict,
    *,
    name: str | None = None,
    email: str | None = None,
    scm_accounts: list[str] | None = None,
) -> dict:
    """Change name, email or SCM accounts (None leaves a field as it is); the user as it is
    then. Nothing is written, and `updated_at` stays, when nothing changes (UserUpdater
    writes only an updated user)."""
    _check(validation_messages(name=name, email=email, check_name=name is not None))
    wanted: dict = {}
    if name is not None:
        wanted["name"] = name
    if email is not None:
        wanted["email"] = email or None
    if scm_accounts is not None:
        wanted["scm_accounts"] = json.dumps(sorted({a for a in scm_accounts if a}))
    changes = {column: value for column, value in wanted.items() if user.get(column) != value}
    if not changes:
        return user
    changes["updated_at"] = now.isoformat()
    update_rows(db, "users", {"uuid": user["uuid"]}, changes)
    return {**user, **changes}


@transactional
def set_external_identity(
    db: Database, now: datetime, user: dict, *, provider: str, external_id: str
) -> dict:
    """Point a user at another identity provider (it becomes non-local, without password)."""
    other = find_external_user(db, provider, external_id)
    if other and other["uuid"] != user["uuid"]:
        raise BadRequest(
            f"A user with provider id '{external_id}' and identity provider "
            f"'{provider}' already exists"
        )
    db["users"].update(
        user["uuid"],
        {
            "external_provider": provider,
            "external_id": external_id,
            "external_login": external_id,
            "local": 0,
            "password_hash": None,
            "updated_at": now.isoformat(),
        },
    )
    return get_user(db, user["uuid"])


@transactional
def update_from_identity(
    db: Database,
    now: datetime,
    user: dict,
    *,
    provider: str,
    external_id: str,
    name: str,
    email: str | None,
    reset_scm_accounts: bool = False,
) -> dict:
    """UserRegistrarImpl.updateExistingUser: name, email (cleared when absent) and external
    identity from an identity provider's login; a reactivation also clears the SCM accounts."""
    _check(validation_messages(name=name, email=email, check_name=True))
    changes = {
        "name": name,
        "email": email,
        "external_provider": provider,
        "external_id": external_id,
        "external_login": external_id,
        "updated_at": now.isoformat(),
    }
    if reset_scm_accounts:
        changes["scm_accounts"] = "[]"
    db["users"].update(user["uuid"], changes)
    return get_user(db, user["uuid"]) or user


@transactional
def update_login(db: Database, now: datetime, user: dict, new_login: str) -> dict:
    """UserUpdater.updateLogin: a unique, well-formed login; a local identity follows it."""
    _check(validation_messages(login=new_login, check_login=True))
    if new_login == user["login"]:
        return user
    if get_user_by_login(db, new_login) is not None:
        raise BadRequest(f"A user with login '{new_login}' already exists")
    changes = {"login": new_login, "updated_at": now.isoformat()}
    if user["local"] or user["external_provider"] == IdentityProvider.SONARQUBE:
        changes.update(external_id=new_login, external_login=new_login)
    db["users"].update(user["uuid"], changes)
    return get_user(db, user["uuid"])


def check_scm_accounts(accounts: list[str]) -> None:
    """UserService.validateScmAccounts: no surrounding whitespace, no duplicates."""
    seen: set[str] = set()
    for account in accounts:
        check_no_nul("SCM account", account)
        if account != account.strip():
            raise BadRequest(f"SCM account cannot start or end with whitespace: '{account}'")
        if account in seen:
            raise BadRequest(f"Duplicate SCM account: '{account}'")
        seen.add(account)


@transactional
def store_password(db: Database, now: datetime, user: dict, new_password: str) -> None:
    """Store a new password hash and clear the forced-reset flag; the user's sessions end."""
    if not user["local"]:
        raise BadRequest("Password cannot be changed when external authentication is used")
    if not new_password:
        raise BadRequest("Password can't be empty")
    db["users"].update(
        user["uuid"],
        {
            "password_hash": hash_password(new_password),
            "reset_password": 0,
            "updated_at": now.isoformat(),
        },
    )
    # ChangePasswordAction: every session of the user ends with the old password.
    sessions.delete_user_sessions(db, user["uuid"])


@transactional
def set_password_state(
    db: Database, user: dict, *, password: str | None, reset_password: bool
) -> None:
    """Fixtures: a new password (None keeps it) and whether it must change at next login."""
    changes: dict = {"reset_password": int(reset_password)}
    if password is not None:
        changes["password_hash"] = hash_password(password)
    db["users"].update(user["uuid"], changes)


#: ChangePasswordAction's refusal codes, returned as `{"result": …}` (§1).
OLD_PASSWORD_INCORRECT = "old_password_incorrect"
NEW_PASSWORD_SAME_AS_OLD = "new_password_same_as_old"


def check_own_password_change(db: Database, user: dict, previous: str, new_password: str) -> None:
    """A user changing their own password must give the old one, and a different new one."""
    if authenticate_password(db, user["login"], previous) is None:
        raise BadRequest(OLD_PASSWORD_INCORRECT)
    if previous == new_password:
        raise BadRequest(NEW_PASSWORD_SAME_AS_OLD)


def authenticate_password(db: Database, login: str, password: str) -> dict | None:
    """The active local user with these credentials, else None."""
    user = get_user_by_login(db, login)
    if not user or not user["active"] or not user["local"] or not user["password_hash"]:
        return None
    return user if check_password(user["password_hash"], password) else None


@transactional
def set_inactive(db: Database, now: datetime, user: dict) -> dict:
    """UserDao.deactivateUser: the row stays, inactive (what else goes is `deactivation`'s)."""
    changes = {"active": 0, "updated_at": now.isoformat()}
    update_rows(db, "users", {"uuid": user["uuid"]}, changes)
    return {**user, **changes}


@transactional
def anonymize(db: Database, now: datetime, user: dict) -> dict:
    """UserAnonymizer: a random `sq-removed-` login replaces every identifying field (§3.7)."""
    alphabet = string.ascii_letters + string.digits
    for _ in range(10):
        login = "sq-removed-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if get_user_by_login(db, login) is None:
            break
    else:
        raise BadRequest("Could not find a unique login")
    # UserDao.deactivateUser is what clears the email in SonarQube; anonymizing must too.
    db["users"].update(
        user["uuid"],
        {
            "login": login,
            "name": login,
            "email": None,
            "local": 1,
            "external_provider": IdentityProvider.SONARQUBE,
            "external_id": login,
            "external_login": login,
            "updated_at": now.isoformat(),
        },
    )
    return get_user(db, user["uuid"])


@transactional
def reactivate_user(db: Database, now: datetime, user: dict) -> dict:
    """Reactivate (UserUpdater.reactivateAndCommit): active again, back in the default group.

    Tokens and former group memberships are not restored.
    """
    db["users"].update(user["uuid"], {"active": 1, "updated_at": now.isoformat()})
    memberships.add_to_default_group(db, user["uuid"])
    return get_user(db, user["uuid"])


def record_connection(db: Database, now: datetime, user: dict) -> None:
    """Remember the last connection date (SonarQube updates it at most hourly).

    Most requests have nothing to write, so the transaction opens only when the date is due:
    an authenticated request does not take the database's write lock for nothing.
    """
    last = user.get("last_connection_date")
    if last is None or (now - datetime.fromisoformat(last)).total_seconds() >= 3600:
        _stamp_connection(db, now, user["uuid"])


@transactional
def _stamp_connection(db: Database, now: datetime, user_uuid: str) -> None:
    db["users"].update(user_uuid, {"last_connection_date": now.isoformat()})


def search_users(
    db: Database,
    *,
    query: str | None = None,
    active: bool = True,
    managed: bool | None = None,
    external_identity: str | None = None,
    group_uuid: str | None = None,
    exclude_group_uuid: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict], int]:
    """Users matching the filters, sorted by login, and the total count."""
    where, params = ["u.active = :active"], {"active": int(active)}
    if query:
        condition, values = text_search.users_containing(db, query)
        where.append(condition)
        params.update(values)
    if managed is not None:
        op = "exists" if managed else "not exists"
        where.append(f"{op} (select 1 from scim_users s where s.user_uuid = u.uuid)")
    if external_identity is not None:
        where.append("u.external_id = :ext")
        params["ext"] = external_identity
    if group_uuid is not None:
        where.append(
            "exists (select 1 from groups_users gu where gu.user_uuid = u.uuid "
            "and gu.group_uuid = :g)"
        )
        params["g"] = group_uuid
    if exclude_group_uuid is not None:
        where.append(
            "not exists (select 1 from groups_users gu where gu.user_uuid = u.uuid "
            "and gu.group_uuid = :xg)"
        )
        params["xg"] = exclude_group_uuid
    return select_page(
        db,
        columns="u.*",
        source="users u",
        where=where,
        params=params,
        order_by="u.login",
        offset=(page - 1) * page_size,
        limit=page_size,
    )
