"""Group memberships: who is in which group, and why (reference/okta.md §5.4).

A membership row has a source: `MANUAL` (an admin or the API) or `RULE:<ruleId>` (a group rule);
a user is a member while any source remains. Okta's documented interplay of the two (Okta help,
"Manual group user management"):

* a manually added user who meets a rule that adds them becomes managed by the rule;
* a rule-managed user removed manually is put on that rule's exclusion list (`reactions`).

This module owns the `group_members` table. A change that makes a user join or leave a group
stamps the group's `lastMembershipUpdated`, is logged, and is returned as a `MembershipChange`:
what it sets off elsewhere (app assignments, pushes, rules) is `mock_okta.reactions`' work.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import insert_row
from mock_okta import system_log
from mock_okta.directory import groups, users
from mock_okta.directory.groups import Group
from mock_okta.directory.users import User
from mock_okta.storage import like
from mock_okta.storage.pagination import page

MANUAL = "MANUAL"
_RULE = "RULE:"


@dataclass(frozen=True)
class MembershipChange:
    """A user joined or left a group; `source` is what added or removed them (None: all)."""

    group_id: str
    user_id: str
    joined: bool
    source: str | None

    @property
    def manual(self) -> bool:
        """An admin's (or the API's) change, as opposed to a group rule's."""
        return self.source is None or self.source == MANUAL


def rule_source(rule_id: str) -> str:
    """The membership source of a group rule."""
    return f"{_RULE}{rule_id}"


def rule_of(source: str) -> str | None:
    """The rule id of a `RULE:<ruleId>` source, None for MANUAL."""
    return source[len(_RULE) :] if source.startswith(_RULE) else None


# --- reading --------------------------------------------------------------------------------


def member_sources(db: Database, group_id: str, user_id: str) -> list[str]:
    """Why the user is in the group: MANUAL and/or RULE:<ruleId>; empty when not a member."""
    rows = db.query(
        "select source from group_members where group_id = ? and user_id = ?", [group_id, user_id]
    )
    return [row["source"] for row in rows]


def member_ids(db: Database, group_id: str) -> list[str]:
    """The ids of the group's members, in user creation order."""
    rows = db.query(
        "select distinct m.user_id from group_members m join users u on "
        "u.id = m.user_id where m.group_id = ? order by u.seq",
        [group_id],
    )
    return [row["user_id"] for row in rows]


def user_group_ids(db: Database, user_id: str) -> list[str]:
    """Ids of the groups the user belongs to (any source), in group creation order."""
    rows = db.query(
        "select distinct g.id from group_members m join groups g on g.id = m.group_id "
        "where m.user_id = ? order by g.seq",
        [user_id],
    )
    return [row["id"] for row in rows]


def rule_memberships(db: Database, rule_id: str) -> list[dict]:
    """The (group_id, user_id) memberships a rule made, in the order they were made."""
    rows = db.query(
        "select group_id, user_id from group_members where source = ? order by rowid",
        [rule_source(rule_id)],
    )
    return list(rows)


def members_with_sources(
    db: Database, group_id: str, *, after: str | None = None, limit: int
) -> tuple[list[tuple[dict, list[str]]], str | None]:
    """A page of the group's member users, each with the sources of their membership, in user
    order, and the next page's cursor (the last user's id, or None)."""
    after_seq = "and u.seq > (select seq from users where id = :after) " if after else ""
    rows = list(
        db.query(
            "select u.*, group_concat(m.source) as sources from users u "
            f"join group_members m on m.user_id = u.id where m.group_id = :group {after_seq}"
            "group by u.id order by u.seq limit :limit",
            {"group": group_id, "after": after, "limit": limit + 1},
        )
    )
    cursor = rows[limit - 1]["id"] if len(rows) > limit else None
    return [
        ({k: v for k, v in row.items() if k != "sources"}, (row["sources"] or "").split(","))
        for row in rows[:limit]
    ], cursor


def non_members(db: Database, group_id: str, *, named: str = "", limit: int) -> list[dict]:
    """Users who are not in the group and can join it (not deactivated), in user order; with
    `named`, only those whose login, first or last name starts with it (any case)."""
    where, params = "", {"group": group_id, "limit": limit}
    if named:
        where = (
            "and (login like :named escape '\\' "
            "or json_extract(profile, '$.firstName') like :named escape '\\' "
            "or json_extract(profile, '$.lastName') like :named escape '\\') "
        )
        params["named"] = like.starts_with(named)
    rows = db.query(
        f"select * from users where status != 'DEPROVISIONED' {where}and id not in "
        "(select user_id from group_members where group_id = :group) order by seq limit :limit",
        params,
    )
    return list(rows)


def count_members(db: Database, group_id: str) -> int:
    """How many users are in the group."""
    sql = "select count(distinct user_id) as n from group_members where group_id = ?"
    return next(db.query(sql, [group_id]))["n"]


def list_group_users(
    db: Database, group_id: str, *, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """The member users, in user creation order (Link paging)."""
    return page(
        db,
        table="users",
        where=["id in (select user_id from group_members where group_id = :gid)"],
        params={"gid": group_id},
        after=after,
        limit=limit,
    )


def list_user_groups(db: Database, user_id: str) -> list[dict]:
    """GET /api/v1/users/{id}/groups: every group of the user (no paging in Okta's API)."""
    return list(
        db.query(
            "select * from groups where id in (select group_id from group_members "
            "where user_id = ?) order by seq",
            [user_id],
        )
    )


# --- changing -------------------------------------------------------------------------------


@transactional
def add_everyone(db: Database, now: datetime, user_id: str) -> None:
    """Every user belongs to the BUILT_IN Everyone group (no event: Okta logs none)."""
    db["group_members"].insert(
        {
            "group_id": groups.everyone_id(db),
            "user_id": user_id,
            "source": MANUAL,
            "created": now.isoformat(),
        },
        ignore=True,
    )


@transactional
def add_member(
    db: Database,
    now: datetime,
    group_id: str,
    user_id: str,
    source: str = MANUAL,
    *,
    actor: dict | None = None,
) -> MembershipChange | None:
    """Add a membership source; the change when the user was not a member before."""
    group, user = groups.require_group(db, group_id), users.require_user_by_id(db, user_id)
    sources = member_sources(db, group_id, user_id)
    if source in sources:
        return None
    if rule_of(source) and MANUAL in sources:
        # Okta: a manually managed user who meets a rule's condition becomes managed by it.
        _delete(db, group_id, user_id, MANUAL)
    elif source == MANUAL and sources:
        return None  # already a member (by rule): stays managed by the rule
    insert_row(
        db,
        "group_members",
        {"group_id": group_id, "user_id": user_id, "source": source, "created": now.isoformat()},
    )
    if sources:
        return None
    change = MembershipChange(group_id, user_id, joined=True, source=source)
    _record(db, now, group, user, change, actor)
    return change


@transactional
def remove_member(
    db: Database,
    now: datetime,
    group_id: str,
    user_id: str,
    source: str | None = MANUAL,
    *,
    actor: dict | None = None,
) -> MembershipChange | None:
    """Remove one membership source (None: all); the change when the user is no longer a
    member."""
    group, user = groups.require_group(db, group_id), users.require_user_by_id(db, user_id)
    sources = member_sources(db, group_id, user_id)
    gone = sources if source is None else [s for s in sources if s == source]
    if not gone:
        return None
    for each in gone:
        _delete(db, group_id, user_id, each)
    if len(gone) < len(sources):
        return None
    change = MembershipChange(group_id, user_id, joined=False, source=source)
    _record(db, now, group, user, change, actor)
    return change


@transactional
def hand_over_to_admins(db: Database, rule_id: str) -> None:
    """A deleted rule's users stay in its groups, now as manual members (Okta: "Leave users")."""
    source = rule_source(rule_id)
    db.execute(
        "insert or ignore into group_members (group_id, user_id, source, created) "
        "select group_id, user_id, ?, created from group_members where source = ?",
        [MANUAL, source],
    )
    db.execute("delete from group_members where source = ?", [source])


def _delete(db: Database, group_id: str, user_id: str, source: str) -> None:
    db.execute(
        "delete from group_members where group_id = ? and user_id = ? and source = ?",
        [group_id, user_id, source],
    )


def _record(
    db: Database,
    now: datetime,
    group: Group,
    user: User,
    change: MembershipChange,
    actor: dict | None,
) -> None:
    """`lastMembershipUpdated` and the System Log's group.user_membership.add / .remove."""
    groups.membership_updated(db, now, group["id"])
    event, message = (
        ("group.user_membership.add", "Add user to group membership")
        if change.joined
        else ("group.user_membership.remove", "Remove user from group membership")
    )
    rule_id = rule_of(change.source) if change.source else None
    system_log.record(
        db,
        now,
        event,
        message,
        actor=actor,
        debug_data={"ruleId": rule_id} if rule_id else None,
        targets=[system_log.user_target(user), system_log.group_target(group)],
    )
