"""Users and groups as the Administration > Security pages and the CLI list them: one query per
list, with the counts and managed flags each row shows (the web app asks the Web API for them).

Read only: it joins the account tables in SQL, which their owner modules alone write.
"""

from sqlite_utils import Database

from mock_sonar.accounts import groups
from mock_sonar.accounts.memberships import SelectionMode
from mock_sonar.storage import like, text_search
from mock_sonar.storage.like import ESCAPE_CLAUSE

#: The web app loads users and groups 50 at a time ("Show more" loads the next page).
PAGE_SIZE = 50
_MANAGED_USER = "exists (select 1 from scim_users s where s.user_uuid = u.uuid)"
_MANAGED_GROUP = "exists (select 1 from scim_groups s where s.group_uuid = g.uuid)"


def _like(query: str | None) -> str | None:
    return like.contains(query) if query else None


def list_users(
    db: Database,
    *,
    query: str | None = None,
    managed: bool | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Active users by login from `offset`, with their group and token counts and whether SCIM
    manages them, and how many there are in all."""
    where = ["u.active = 1"]
    params: dict = {"limit": limit, "offset": offset}
    if query:
        condition, values = text_search.users_containing(db, query)
        where.append(condition)
        params.update(values)
    if managed is not None:
        where.append(_MANAGED_USER if managed else f"not {_MANAGED_USER}")
    clause = " and ".join(where)
    total = next(db.query(f"select count(*) as n from users u where {clause}", params))["n"]
    rows = db.query(
        f"""
        select u.*,
          (select count(*) from groups_users gu where gu.user_uuid = u.uuid) as groups_count,
          (select count(*) from user_tokens t where t.user_uuid = u.uuid) as tokens_count,
          {_MANAGED_USER} as managed
        from users u where {clause} order by u.login limit :limit offset :offset
        """,
        params,
    )
    return list(rows), total


def users_by_login(db: Database, *, active: bool = True) -> list[dict]:
    """Every active (or deactivated) user by login, and whether SCIM manages them (the CLI)."""
    return list(
        db.query(
            f"select u.*, {_MANAGED_USER} as managed from users u "
            "where u.active = :active order by u.login",
            {"active": int(active)},
        )
    )


def list_groups(
    db: Database, *, query: str | None = None, managed: bool | None = None, limit: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """Groups by name (case-insensitive), with member counts and whether SCIM manages them."""
    where = ["1 = 1"]
    params: dict = {"q": _like(query), "limit": limit, "default": groups.DEFAULT_GROUP}
    if query:
        where.append(f"g.name like :q {ESCAPE_CLAUSE}")
    if managed is not None:
        where.append(_MANAGED_GROUP if managed else f"not {_MANAGED_GROUP}")
    clause = " and ".join(where)
    total = next(db.query(f"select count(*) as n from groups g where {clause}", params))["n"]
    rows = db.query(
        f"""
        select g.*, g.name = :default as is_default,
          (select count(*) from groups_users gu where gu.group_uuid = g.uuid) as members_count,
          {_MANAGED_GROUP} as managed
        from groups g where {clause} order by lower(g.name) limit :limit
        """,
        params,
    )
    return list(rows), total


def group_members(
    db: Database,
    group_uuid: str,
    *,
    selected: str = SelectionMode.SELECTED,
    query: str | None = None,
) -> list[dict]:
    """Active users with their membership of a group: selected, deselected or all of them."""
    where = ["u.active = 1"]
    if selected == SelectionMode.SELECTED:
        where.append("gu.user_uuid is not null")
    elif selected == SelectionMode.DESELECTED:
        where.append("gu.user_uuid is null")
    if query:
        where.append(f"(u.login like :q {ESCAPE_CLAUSE} or u.name like :q {ESCAPE_CLAUSE})")
    return list(
        db.query(
            f"""
            select u.uuid, u.login, u.name, gu.user_uuid is not null as selected,
              {_MANAGED_USER} as managed
            from users u left join groups_users gu
              on gu.user_uuid = u.uuid and gu.group_uuid = :g
            where {" and ".join(where)} order by u.name, u.login limit :limit
            """,
            {"g": group_uuid, "q": _like(query), "limit": PAGE_SIZE},
        )
    )
