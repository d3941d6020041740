"""App users and app group assignments (Okta Application Users / Application Groups APIs).

An app user exists while the user is assigned directly (`direct`, scope USER) or through a
group assigned to the app (scope GROUP). Appearing and disappearing app users are handed to the
push engine as provisioning events (the one hand-off point, `outbox.enqueue`).

App user status (Okta Apps API, "Application User status"): without push provisioning an app
user is ACTIVE with syncState DISABLED; while the app creates users downstream a new app user
is STAGED and SYNCING until the push engine provisions it (PROVISIONED, with an externalId).
"""

import base64
import hashlib
import json
import re
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import insert_row, update_rows
from mock_okta import fields, outbox, system_log
from mock_okta.applications import apps, features
from mock_okta.directory import groups, memberships, users
from mock_okta.directory.users import User
from mock_okta.errors import (
    ApiValidationFailed,
    DeactivateAppUserForbidden,
    InactiveUserForbidden,
    ResourceNotFound,
)
from mock_okta.outbox import EventKind
from mock_okta.storage import like
from mock_okta.storage.pagination import next_seq, page
from mock_okta.timestamps import okta_datetime

USER, GROUP = "USER", "GROUP"  # an app user's scope: assigned directly or through a group


class AppUser(TypedDict):
    """A row of `app_users`: a user's assignment to an app and its push state."""

    app_id: str
    user_id: str
    seq: int
    direct: int
    status: str
    sync_state: str
    external_id: str | None
    provisioned_before_enabled: int
    error_summary: str | None
    created: str
    last_updated: str
    status_changed: str | None
    last_sync: str | None
    password_changed: str | None
    user_name: str
    profile: str


class AppUserStatus(StrEnum):
    """An app user's status (Okta Apps API, "Application User status")."""

    STAGED = "STAGED"  # waiting to be pushed
    PROVISIONED = "PROVISIONED"  # created or linked downstream
    ACTIVE = "ACTIVE"  # the app pushes nothing


class SyncState(StrEnum):
    """Where an app user's push stands."""

    DISABLED = "DISABLED"  # the app does not push users
    SYNCING = "SYNCING"
    SYNCHRONIZED = "SYNCHRONIZED"
    ERROR = "ERROR"  # the red "!" on the Assignments tab


_TEMPLATE = re.compile(r"\$\{([^}]*)\}")
_SOURCE = re.compile(r"^source\.([A-Za-z0-9_]+)$")
_FUNCTION = re.compile(
    r"^(?:fn:|String\.)(substringBefore|substringAfter|toLowerCase|toUpperCase)"
    r"\(\s*source\.([A-Za-z0-9_]+)\s*(?:,\s*[\"']([^\"']*)[\"']\s*)?\)$"
)
#: Sign-on modes whose users have no app password (Okta: the authentication scheme decides).
#: Schemes of the password-based modes whose app users have a password of their own (Okta
#: Apps API, SchemeApplicationCredentials); SHARED_USERNAME_AND_PASSWORD holds one for all.
_PER_USER_PASSWORD_SCHEMES = (
    "EDIT_USERNAME_AND_PASSWORD",
    "ADMIN_SETS_CREDENTIALS",
    "EDIT_PASSWORD_ONLY",
    "EXTERNAL_PASSWORD_SYNC",
)


def holds_passwords(app: dict) -> bool:
    """Whether the app's credentials scheme keeps a password per app user."""
    scheme = (apps.body_of(app).get("credentials") or {}).get("scheme")
    return scheme in _PER_USER_PASSWORD_SCHEMES


# --- reading ----------------------------------------------------------------------------------


def get_app_user(db: Database, app_id: str, user_id: str) -> AppUser | None:
    """The app user row of a user in an app."""
    rows = list(
        db.query("select * from app_users where app_id = ? and user_id = ?", [app_id, user_id])
    )
    return rows[0] if rows else None


def require_app_user(db: Database, app_id: str, user_id: str) -> AppUser:
    """The app user, or E0000007."""
    row = get_app_user(db, app_id, user_id)
    if row is None:
        raise ResourceNotFound(user_id, "AppUser")
    return row


def granting_groups(db: Database, app_id: str, user_id: str) -> list[str]:
    """Ids of the user's groups assigned to the app, highest priority first."""
    rows = db.query(
        "select ag.group_id from app_groups ag join group_members gm on gm.group_id = ag.group_id "
        "where ag.app_id = ? and gm.user_id = ? group by ag.group_id "
        "order by ag.priority, ag.seq",
        [app_id, user_id],
    )
    return [row["group_id"] for row in rows]


def scope_of(app_user: AppUser) -> str:
    """USER when directly assigned (even if a group grants it too), else GROUP."""
    return USER if app_user["direct"] else GROUP


def list_application_users(
    db: Database, app_id: str, *, q: str | None = None, after: str | None = None, limit: int = 50
) -> tuple[list[dict], str | None]:
    """App users in assignment order; `q` matches the start of userName, names or email."""
    where, params = ["app_id = :app_id"], {"app_id": app_id}
    if q:
        params["q"] = q.replace("%", "").replace("_", "") + "%"
        profile = " or ".join(
            f"json_extract(profile, '$.{attr}') like :q"
            for attr in ("firstName", "lastName", "email")
        )
        where.append(f"(user_name like :q or user_id in (select id from users where {profile}))")
    # The cursor is the row's seq: user ids repeat across apps.
    return page(
        db, table="app_users", id_column="seq", where=where, params=params, after=after, limit=limit
    )


def count_group_apps(db: Database, group_id: str) -> int:
    """How many apps the group is assigned to (its `appsCount`)."""
    sql = "select count(*) as n from app_groups where group_id = ?"
    return next(db.query(sql, [group_id]))["n"]


def list_group_apps(
    db: Database, group_id: str, *, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """GET /api/v1/groups/{id}/apps: the apps the group is assigned to."""
    return page(
        db,
        table="apps",
        where=["id in (select app_id from app_groups where group_id = :gid)"],
        params={"gid": group_id},
        after=after,
        limit=limit,
    )


def app_groups_with_names(db: Database, app_id: str) -> list[dict]:
    """The app's group assignments {id, name, description, priority}, by priority."""
    rows = db.query(
        "select g.id, g.name, g.description, ag.priority from app_groups ag "
        "join groups g on g.id = ag.group_id where ag.app_id = ? order by ag.priority, ag.seq",
        [app_id],
    )
    return list(rows)


def assignable_groups(
    db: Database, app_id: str, *, limit: int, name_starts_with: str = ""
) -> list[dict]:
    """Okta and built-in groups {id, name, description, assigned}, in creation order; only
    those whose name starts with `name_starts_with` (any case) when it is given."""
    rows = db.query(
        "select g.id, g.name, g.description, (ag.group_id is not null) as assigned from groups g "
        "left join app_groups ag on ag.group_id = g.id and ag.app_id = ? "
        "where g.type != 'APP_GROUP' and g.name like ? escape '\\' order by g.seq limit ?",
        [app_id, like.starts_with(name_starts_with), limit],
    )
    return list(rows)


def apps_of_group(db: Database, group_id: str) -> list[dict]:
    """The apps {id, name, label} the group is assigned to, in assignment order."""
    rows = db.query(
        "select a.id, a.name, a.label from app_groups ag join apps a on a.id = ag.app_id "
        "where ag.group_id = ? order by ag.seq",
        [group_id],
    )
    return list(rows)


def get_application_group(db: Database, app_id: str, group_id: str) -> dict | None:
    """The app group assignment row."""
    rows = list(
        db.query("select * from app_groups where app_id = ? and group_id = ?", [app_id, group_id])
    )
    return rows[0] if rows else None


def require_application_group(db: Database, app_id: str, group_id: str) -> dict:
    """The app group assignment, or E0000007."""
    row = get_application_group(db, app_id, group_id)
    if row is None:
        raise ResourceNotFound(group_id, "AppGroup")
    return row


def list_application_group_assignments(
    db: Database, app_id: str, *, q: str | None = None, after: str | None = None, limit: int = 20
) -> tuple[list[dict], str | None]:
    """Group assignments in assignment order; `q` is a group name prefix."""
    where, params = ["app_id = :app_id"], {"app_id": app_id}
    if q:
        params["q"] = q.replace("%", "").replace("_", "") + "%"
        where.append("group_id in (select id from groups where name like :q)")
    return page(
        db,
        table="app_groups",
        id_column="seq",
        where=where,
        params=params,
        after=after,
        limit=limit,
    )


def app_user_json(db: Database, row: dict, base_url: str) -> dict:
    """The AppUser object (Okta Application Users API)."""
    links = {
        "app": {"href": f"{base_url}/api/v1/apps/{row['app_id']}"},
        "user": {"href": f"{base_url}/api/v1/users/{row['user_id']}"},
    }
    if not row["direct"]:
        groups = granting_groups(db, row["app_id"], row["user_id"])
        if groups:
            links["group"] = {"href": f"{base_url}/api/v1/groups/{groups[0]}"}
    return {
        "id": row["user_id"],
        "externalId": row["external_id"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
        "scope": scope_of(row),
        "status": row["status"],
        "statusChanged": okta_datetime(row["status_changed"]),
        "passwordChanged": okta_datetime(row["password_changed"]),
        "syncState": row["sync_state"],
        "lastSync": okta_datetime(row["last_sync"]),
        "credentials": _app_user_credentials(db, row),
        "profile": json.loads(row["profile"]),
        "_links": links,
    }


def _app_user_credentials(db: Database, row: dict) -> dict:
    """{"userName"}, and `"password": {}` (never the value) when the scheme holds one."""
    credentials: dict = {"userName": row["user_name"]}
    app = apps.get_app(db, row["app_id"])
    if app is not None and holds_passwords(app) and row["password_changed"]:
        credentials["password"] = {}
    return credentials


def app_group_json(row: dict, base_url: str) -> dict:
    """The ApplicationGroupAssignment object (Okta Application Groups API)."""
    href = f"{base_url}/api/v1/apps/{row['app_id']}"
    return {
        "id": row["group_id"],
        "lastUpdated": okta_datetime(row["last_updated"]),
        "priority": row["priority"],
        "profile": json.loads(row["profile"]),
        "_links": {
            "app": {"href": href},
            "self": {"href": f"{href}/groups/{row['group_id']}"},
            "group": {"href": f"{base_url}/api/v1/groups/{row['group_id']}"},
        },
    }


# --- user assignments -------------------------------------------------------------------------


@transactional
def assign_user_to_application(
    db: Database, now: datetime, app_id: str, body: dict, *, actor: dict | None = None
) -> dict:
    """POST /api/v1/apps/{appId}/users: assign directly (scope USER) or update the assignment.

    Assigning a user who already has the app through a group turns the app user into a direct
    one (Okta lets an admin add a USER assignment on top of a GROUP one).
    """
    app = apps.require_app(db, app_id)
    user_id = body.get("id")
    if not isinstance(user_id, str) or not user_id:
        raise ApiValidationFailed("id", ["id: The field cannot be left blank"])
    user = users.require_user(db, user_id)
    if user["status"] == "DEPROVISIONED":
        raise InactiveUserForbidden()
    credentials = _credentials(app, body.get("credentials"))
    profile = _profile(body.get("profile"))
    existing = get_app_user(db, app["id"], user["id"])
    if existing is None:
        return _add_app_user(
            db,
            now,
            app,
            user,
            direct=True,
            user_name=credentials.get("userName"),
            profile=profile,
            password_set=bool(credentials.get("password")),
            actor=actor,
        )
    changes = {"direct": 1, "last_updated": now.isoformat()}
    if credentials.get("userName"):
        changes["user_name"] = credentials["userName"]
    if credentials.get("password"):
        changes["password_changed"] = now.isoformat()
    if profile:
        changes["profile"] = json.dumps({**json.loads(existing["profile"]), **profile})
    db["app_users"].update((app["id"], user["id"]), changes)
    _log_membership(db, now, "update", app, user, actor)
    return require_app_user(db, app["id"], user["id"])


@transactional
def update_application_user(
    db: Database, now: datetime, app_id: str, user_id: str, body: dict, *, actor: dict | None = None
) -> dict:
    """POST …/users/{userId}: new credentials.userName and/or profile properties."""
    app = apps.require_app(db, app_id)
    app_user = require_app_user(db, app["id"], user_id)
    if not isinstance(body, dict) or ("credentials" not in body and "profile" not in body):
        raise ApiValidationFailed("appUser", ["appUser: credentials or profile is required"])
    credentials = _credentials(app, body.get("credentials"))
    profile = _profile(body.get("profile"))
    changes: dict = {"last_updated": now.isoformat()}
    if credentials.get("userName"):
        changes["user_name"] = credentials["userName"]
    if credentials.get("password"):
        changes["password_changed"] = now.isoformat()
    if profile:
        changes["profile"] = json.dumps({**json.loads(app_user["profile"]), **profile})
    db["app_users"].update((app["id"], user_id), changes)
    user = users.require_user(db, user_id)
    _log_membership(db, now, "update", app, user, actor)
    if app_user["external_id"] and ("user_name" in changes or "profile" in changes):
        outbox.enqueue(
            db,
            now,
            app["id"],
            EventKind.USER_PROFILE_CHANGED,
            userId=user_id,
            externalId=app_user["external_id"],
            changed=["appUser"],
        )
    return require_app_user(db, app["id"], user_id)


@transactional
def unassign_user_from_application(
    db: Database, now: datetime, app_id: str, user_id: str, *, actor: dict | None = None
) -> None:
    """DELETE …/users/{userId}: refused while one of the user's groups grants the app."""
    app = apps.require_app(db, app_id)
    app_user = require_app_user(db, app["id"], user_id)
    if granting_groups(db, app["id"], user_id):
        raise DeactivateAppUserForbidden()
    _remove_app_user(db, now, app, app_user, EventKind.USER_UNASSIGNED, actor)


# --- group assignments ------------------------------------------------------------------------


@transactional
def assign_group_to_application(
    db: Database,
    now: datetime,
    app_id: str,
    group_id: str,
    body: dict,
    *,
    actor: dict | None = None,
) -> dict:
    """PUT /api/v1/apps/{appId}/groups/{groupId}: the group's members get the app (scope GROUP)."""
    app = apps.require_app(db, app_id)
    group = groups.require_group(db, group_id)
    priority, profile = body.get("priority"), body.get("profile")
    if priority is not None and (not isinstance(priority, int) or not 0 <= priority <= 100):
        raise ApiValidationFailed("priority", ["priority: Does not match required pattern"])
    if profile is not None and not isinstance(profile, dict):
        raise ApiValidationFailed(
            "profile", ["profile: Property value is not of the expected type"]
        )
    existing = get_application_group(db, app["id"], group["id"])
    stamp = now.isoformat()
    if existing:
        changes = {"last_updated": stamp}
        if priority is not None:
            changes["priority"] = priority
        if profile is not None:
            changes["profile"] = json.dumps(profile)
        db["app_groups"].update((app["id"], group["id"]), changes)
    else:
        rows = db.query("select count(*) as n from app_groups where app_id = ?", [app["id"]])
        count = next(rows)["n"]
        db["app_groups"].insert(
            {
                "app_id": app["id"],
                "group_id": group["id"],
                "seq": next_seq(db, "app_groups"),
                # Guess: without a priority Okta appends the group after the existing ones.
                "priority": count if priority is None else priority,
                "profile": json.dumps(profile or {}),
                "created": stamp,
                "last_updated": stamp,
            }
        )
        system_log.record(
            db,
            now,
            "group.application_assignment.add",
            "Add assigned application to group",
            actor=actor,
            targets=[system_log.app_target(app), system_log.group_target(group)],
        )
    for user_id in memberships.member_ids(db, group["id"]):
        refresh_user_assignments(db, now, user_id)
    return require_application_group(db, app["id"], group["id"])


@transactional
def unassign_application_from_group(
    db: Database, now: datetime, app_id: str, group_id: str, *, actor: dict | None = None
) -> None:
    """DELETE …/groups/{groupId}: members lose the app unless assigned otherwise."""
    app = apps.require_app(db, app_id)
    assignment = require_application_group(db, app["id"], group_id)
    db.execute("delete from app_groups where app_id = ? and group_id = ?", [app["id"], group_id])
    group = groups.require_group(db, assignment["group_id"])
    system_log.record(
        db,
        now,
        "group.application_assignment.remove",
        "Remove assigned application from group",
        actor=actor,
        targets=[system_log.app_target(app), system_log.group_target(group)],
    )
    for user_id in memberships.member_ids(db, group_id):
        refresh_user_assignments(db, now, user_id)


# --- reactions to directory changes (called by users, groups, group rules) ---------------------


@transactional
def refresh_user_assignments(db: Database, now: datetime, user_id: str) -> None:
    """Recompute the user's group-based app users from their group memberships."""
    user = users.get_user_by_id(db, user_id)
    if user is None or user["status"] == users.UserStatus.DEPROVISIONED:
        return
    granted = {
        row["app_id"]
        for row in db.query(
            "select distinct ag.app_id from app_groups ag "
            "join group_members gm on gm.group_id = ag.group_id where gm.user_id = ?",
            [user_id],
        )
    }
    current = {
        row["app_id"]: row
        for row in db.query("select * from app_users where user_id = ?", [user_id])
    }
    for app_id in sorted(granted - set(current)):
        _add_app_user(db, now, apps.require_app(db, app_id), user, direct=False)
    for app_id, app_user in current.items():
        if not app_user["direct"] and app_id not in granted:
            app = apps.require_app(db, app_id)
            _remove_app_user(db, now, app, app_user, EventKind.USER_UNASSIGNED, None)
    _resume_provisioning(db, now, user)


def _resume_provisioning(db: Database, now: datetime, user: User) -> None:
    """An activated user's waiting app users are pushed now.

    Okta: "If the user is assigned to an app that is configured for provisioning, the
    activation process triggers downstream provisioning" (reference §5.3). The push engine
    leaves the app users of a STAGED user as STAGED/SYNCING without an externalId.
    """
    if user["status"] == users.UserStatus.STAGED:
        return
    rows = db.query(
        "select app_id, direct from app_users where user_id = ? and status = 'STAGED' "
        "and sync_state = 'SYNCING' and external_id is null",
        [user["id"]],
    )
    waiting = (EventKind.USER_ASSIGNED, EventKind.PROVISION_USER)
    rows = [row for row in rows if not outbox.is_queued(db, row["app_id"], user["id"], waiting)]
    for row in list(rows):
        outbox.enqueue(
            db,
            now,
            row["app_id"],
            EventKind.USER_ASSIGNED,
            userId=user["id"],
            scope=USER if row["direct"] else GROUP,
        )


@transactional
def revoke_user_assignments(db: Database, now: datetime, user_id: str) -> None:
    """Deactivation: every app user of the user goes (USER_DEACTIVATED per app)."""
    for app_user in list(db.query("select * from app_users where user_id = ?", [user_id])):
        app = apps.require_app(db, app_user["app_id"])
        _remove_app_user(db, now, app, app_user, EventKind.USER_DEACTIVATED, None)


@transactional
def user_profile_changed(db: Database, now: datetime, user_id: str, changed: list[str]) -> None:
    """A profile change reaches every app the user is assigned to (USER_PROFILE_CHANGED).

    Built-in username templates follow the attributes they read; only provisioned app users
    (with an externalId) have something downstream to update.
    """
    user = users.get_user_by_id(db, user_id)
    if user is None:
        return
    profile = users.profile_of(user)
    for app_user in list(db.query("select * from app_users where user_id = ?", [user_id])):
        app = apps.require_app(db, app_user["app_id"])
        template = apps.user_name_template(app)
        sources = set(re.findall(r"source\.([A-Za-z0-9_]+)", template.get("template") or ""))
        if template.get("type") == "BUILT_IN" and sources & set(changed):
            user_name = evaluate_user_name(template, profile)
            if user_name != app_user["user_name"]:
                db["app_users"].update(
                    (app["id"], user_id), {"user_name": user_name, "last_updated": now.isoformat()}
                )
        if app_user["external_id"]:
            outbox.enqueue(
                db,
                now,
                app["id"],
                EventKind.USER_PROFILE_CHANGED,
                userId=user_id,
                externalId=app_user["external_id"],
                changed=list(changed),
            )


# --- the push engine's record of an app user -------------------------------------------------


@transactional
def mark_provisioned(
    db: Database, now: datetime, app_id: str, user_id: str, external_id: str
) -> dict:
    """Created or linked downstream: PROVISIONED and SYNCHRONIZED with the SCIM id."""
    app_user = require_app_user(db, app_id, user_id)
    changes = {
        "status": AppUserStatus.PROVISIONED,
        "sync_state": SyncState.SYNCHRONIZED,
        "external_id": external_id,
        "provisioned_before_enabled": 0,
        "error_summary": None,
        "last_sync": now.isoformat(),
        "last_updated": now.isoformat(),
    }
    if app_user["status"] != AppUserStatus.PROVISIONED:
        changes["status_changed"] = now.isoformat()
    update_rows(db, "app_users", {"app_id": app_id, "user_id": user_id}, changes)
    return {**app_user, **changes}


@transactional
def await_activation(db: Database, now: datetime, app_id: str, user_id: str) -> None:
    """A STAGED user's app user waits as STAGED/SYNCING until the user is activated."""
    if get_app_user(db, app_id, user_id) is None:
        return
    db["app_users"].update(
        (app_id, user_id),
        {
            "status": AppUserStatus.STAGED,
            "sync_state": SyncState.SYNCING,
            "provisioned_before_enabled": 0,
            "last_updated": now.isoformat(),
        },
    )


@transactional
def mark_synchronized(db: Database, now: datetime, app_id: str, user_id: str) -> None:
    """A profile push went through: SYNCHRONIZED, no error."""
    if get_app_user(db, app_id, user_id) is None:
        return
    stamp = now.isoformat()
    db["app_users"].update(
        (app_id, user_id),
        {
            "sync_state": SyncState.SYNCHRONIZED,
            "error_summary": None,
            "last_sync": stamp,
            "last_updated": stamp,
        },
    )


@transactional
def mark_sync_error(db: Database, now: datetime, app_id: str, user_id: str, text: str) -> None:
    """A push failed: syncState ERROR with Okta's text (the red "!" on the Assignments tab)."""
    db["app_users"].update(
        (app_id, user_id),
        {"sync_state": SyncState.ERROR, "error_summary": text, "last_updated": now.isoformat()},
    )


def group_members_in_app(db: Database, app_id: str, group_id: str) -> list[dict]:
    """Every member of the group with their status and, if any, their app user in the app:
    {user_id, status, external_id, user_name}, in user creation order."""
    rows = db.query(
        "select u.id as user_id, u.status, au.external_id, au.user_name from users u "
        "left join app_users au on au.user_id = u.id and au.app_id = ? "
        "where u.id in (select user_id from group_members where group_id = ?) "
        "order by u.seq",
        [app_id, group_id],
    )
    return list(rows)


def member_in_app(db: Database, app_id: str, user_id: str) -> dict | None:
    """One user's {user_id, status, external_id, user_name} in the app, if assigned."""
    rows = db.query(
        "select u.id as user_id, u.status, au.external_id, au.user_name from app_users au "
        "join users u on u.id = au.user_id where au.app_id = ? and au.user_id = ?",
        [app_id, user_id],
    )
    return next(iter(rows), None)


def user_app_assignments(db: Database, user_id: str) -> list[dict]:
    """The user's app users with their app's name and label, in assignment order."""
    rows = db.query(
        "select a.id, a.name, a.label, au.direct, au.status, au.sync_state, au.user_name "
        "from app_users au join apps a on a.id = au.app_id where au.user_id = ? order by au.seq",
        [user_id],
    )
    return list(rows)


#: A person's place in name order (first name, last name, id). Sorting the app's users this way
#: costs ~0.1 s a page at 100,000 assignments (measured); an index on users cannot serve it, as
#: SQLite will not range-scan an expression index with a row-value cursor.
_NAME_ORDER = (
    "coalesce(json_extract({t}.profile, '$.firstName'), '') collate nocase",
    "coalesce(json_extract({t}.profile, '$.lastName'), '') collate nocase",
    "{t}.id",
)


def app_users_page(
    db: Database, app_id: str, *, q: str | None, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """A page of the app's users with their Okta profile (`user_profile`), by name (first,
    last), and the next page's cursor (the last user's id, or None). `q`: a prefix of the app
    username or of the person's first or last name."""
    order = ", ".join(part.format(t="u") for part in _NAME_ORDER)
    where, params = ["au.app_id = :app"], {"app": app_id, "limit": limit + 1}
    if q:
        where.append(
            "(au.user_name like :q or json_extract(u.profile, '$.firstName') like :q "
            "or json_extract(u.profile, '$.lastName') like :q)"
        )
        params["q"] = f"{q}%"
    if after:
        key = ", ".join(part.format(t="c") for part in _NAME_ORDER)
        where.append(f"({order}) > (select {key} from users c where c.id = :after)")
        params["after"] = after
    rows = list(
        db.query(
            "select au.*, u.profile as user_profile from app_users au "
            f"join users u on u.id = au.user_id where {' and '.join(where)} "
            f"order by {order} limit :limit",
            params,
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["user_id"] if more else None)


def app_user_with_profile(db: Database, app_id: str, user_id: str) -> dict | None:
    """One app user with the person's Okta profile (`user_profile`), or None."""
    rows = db.query(
        "select au.*, u.profile as user_profile from app_users au "
        "join users u on u.id = au.user_id where au.app_id = ? and au.user_id = ?",
        [app_id, user_id],
    )
    return next(iter(rows), None)


def directly_assigned(db: Database, app_id: str, user_ids: list[str]) -> set[str]:
    """Which of these users are assigned to the app directly (not only through a group)."""
    marks = ",".join("?" * len(user_ids))
    rows = db.query(
        f"select user_id from app_users where app_id = ? and direct = 1 and user_id in ({marks})",
        [app_id, *user_ids],
    )
    return {row["user_id"] for row in rows}


def app_users_with_profiles(db: Database, app_id: str) -> list[dict]:
    """The app's users with their Okta profile (`user_profile`), in assignment order."""
    rows = db.query(
        "select au.*, u.profile as user_profile from app_users au "
        "join users u on u.id = au.user_id where au.app_id = ? order by au.seq",
        [app_id],
    )
    return list(rows)


@transactional
def flag_assigned_before_provisioning(db: Database, app_id: str) -> int:
    """For enabling provisioning: mark app users not yet provisioned (the red "!", §4)."""
    cursor = db.execute(
        "update app_users set provisioned_before_enabled = 1 "
        "where app_id = ? and external_id is null",
        [app_id],
    )
    return cursor.rowcount


def app_links(db: Database, user_id: str, base_url: str = "") -> list[dict]:
    """The user's app links (GET /api/v1/users/{id}/appLinks), `base_url` the org URL."""
    rows = db.query(
        "select a.* from app_users au join apps a on a.id = au.app_id "
        "where au.user_id = ? and a.status = 'ACTIVE' order by a.seq",
        [user_id],
    )
    links = []
    for app in rows:
        body = apps.body_of(app)
        visibility = body.get("visibility") or {}
        shown = visibility.get("appLinks", {}).get(apps.app_link_name(app), True)
        aln_id = body[apps.INTERNAL]["alnId"]
        links.append(
            {
                "id": user_id,
                "label": app["label"],
                "linkUrl": f"{base_url}/home/{app['name']}/{app['id']}/{aln_id}",
                "logoUrl": f"{base_url}{apps.LOGO}",
                "appName": app["name"],
                "appInstanceId": app["id"],
                "appAssignmentId": app_assignment_id(app["id"], user_id),
                "credentialsSetup": False,
                "hidden": bool((visibility.get("hide") or {}).get("web")) or not shown,
                "sortOrder": len(links),
            }
        )
    return links


def app_assignment_id(app_id: str, user_id: str) -> str:
    """A stable `0ua…` id for an app user (Okta's appAssignmentId)."""
    digest = hashlib.sha256(f"{app_id}/{user_id}".encode()).digest()
    tail = re.sub(r"[^A-Za-z0-9]", "", base64.b64encode(digest).decode())
    return "0ua" + tail[:17]


def evaluate_user_name(template: dict, profile: dict) -> str:
    """The app username from a userNameTemplate (`${source.login}`, `${fn:…(source.x, "@")}`)."""
    login = profile.get("login", "")
    if template.get("type") == "NONE":
        return login

    def expand(match: re.Match) -> str:
        expression = match.group(1).strip()
        source = _SOURCE.match(expression)
        if source:
            return str(profile.get(source.group(1)) or "")
        function = _FUNCTION.match(expression)
        if not function:
            # Guess: an expression the simulator cannot evaluate falls back to the login.
            return login
        name, attribute, argument = function.groups()
        value = str(profile.get(attribute) or "")
        if name == "substringBefore":
            return value.split(argument or "", 1)[0] if argument and argument in value else value
        if name == "substringAfter":
            return value.split(argument, 1)[1] if argument and argument in value else ""
        return value.lower() if name == "toLowerCase" else value.upper()

    user_name = _TEMPLATE.sub(expand, template.get("template") or "${source.login}")
    suffix = template.get("userSuffix")
    return f"{user_name}@{suffix}" if suffix and "@" not in user_name else (user_name or login)


# --- helpers ----------------------------------------------------------------------------------


def _credentials(app: dict, given: object) -> dict:
    """What of the given app-user credentials the app's scheme keeps.

    Real Okta accepts `credentials.password` for every app and keeps it only where the scheme
    holds per-user passwords (a SAML or bookmark app user comes back with its userName only).
    """
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ApiValidationFailed(
            "credentials", ["credentials: Property value is not of the expected type"]
        )
    user_name = given.get("userName")
    if user_name is not None and (not isinstance(user_name, str) or not 1 <= len(user_name) <= 100):
        raise ApiValidationFailed("userName", ["userName: Does not match required pattern"])
    if user_name is not None and fields.has_controls(user_name):
        raise ApiValidationFailed("userName", [fields.cause("userName", fields.CONTROL)])
    kept = {"userName": user_name} if user_name is not None else {}
    if given.get("password") and holds_passwords(app):
        kept["password"] = given["password"]
    return kept


def _profile(given: object) -> dict:
    """App user profile properties: strings, numbers, Booleans or arrays of those."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise ApiValidationFailed("profile", [fields.cause("profile", fields.TYPE)])
    causes = [fields.scalar_cause(name, value) for name, value in given.items()]
    causes = [problem for problem in causes if problem]
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return given


def _add_app_user(
    db: Database,
    now: datetime,
    app: dict,
    user: User,
    *,
    direct: bool,
    user_name: str | None = None,
    profile: dict | None = None,
    password_set: bool = False,
    actor: dict | None = None,
) -> dict:
    """A new app user; STAGED/SYNCING when the app pushes new users, else ACTIVE/DISABLED."""
    pushed = features.creates_users(db, app["id"])
    stamp = now.isoformat()
    insert_row(
        db,
        "app_users",
        {
            "app_id": app["id"],
            "user_id": user["id"],
            "seq": next_seq(db, "app_users"),
            "direct": 1 if direct else 0,
            "status": AppUserStatus.STAGED if pushed else AppUserStatus.ACTIVE,
            "sync_state": SyncState.SYNCING if pushed else SyncState.DISABLED,
            "external_id": None,
            # Set for existing app users when provisioning gets enabled later
            # (flag_assigned_before_provisioning); a new one is never "before".
            "provisioned_before_enabled": 0,
            "error_summary": None,
            "created": stamp,
            "last_updated": stamp,
            "status_changed": stamp,
            "last_sync": None,
            "password_changed": stamp if password_set else None,
            "user_name": user_name
            or evaluate_user_name(apps.user_name_template(app), json.loads(user["profile"])),
            "profile": json.dumps(profile or {}),
        },
    )
    _log_membership(db, now, "add", app, user, actor)
    outbox.enqueue(
        db,
        now,
        app["id"],
        EventKind.USER_ASSIGNED,
        userId=user["id"],
        scope=USER if direct else GROUP,
    )
    return require_app_user(db, app["id"], user["id"])


def _remove_app_user(
    db: Database, now: datetime, app: dict, app_user: AppUser, kind: str, actor: dict | None
) -> None:
    db.execute(
        "delete from app_users where app_id = ? and user_id = ?", [app["id"], app_user["user_id"]]
    )
    user = users.require_user(db, app_user["user_id"])
    _log_membership(db, now, "remove", app, user, actor)
    outbox.enqueue(
        db, now, app["id"], kind, userId=app_user["user_id"], externalId=app_user["external_id"]
    )


#: Display messages from Okta's event type catalog.
_MEMBERSHIP_MESSAGES = {
    "add": "Add user to application membership",
    "remove": "Remove user's application membership",
    "update": "Updated user application property",
}


def _log_membership(
    db: Database, now: datetime, change: str, app: dict, user: User, actor: dict | None
) -> None:
    """System Log application.user_membership.add / .remove / .update (Okta event catalog)."""
    system_log.record(
        db,
        now,
        f"application.user_membership.{change}",
        _MEMBERSHIP_MESSAGES[change],
        actor=actor,
        targets=[system_log.app_target(app), system_log.user_target(user)],
    )
