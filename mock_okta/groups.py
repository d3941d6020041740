"""Groups and memberships (OKTA_GROUP, APP_GROUP, the BUILT_IN Everyone). Being written."""

from datetime import datetime

from sqlite_utils import Database


def add_everyone(db: Database, now: datetime, user_id: str) -> None:
    """Every user belongs to the BUILT_IN Everyone group."""
    everyone = next(db.query("select id from groups where type = 'BUILT_IN'"))["id"]
    db["group_members"].insert(
        {"group_id": everyone, "user_id": user_id, "source": "MANUAL", "created": now.isoformat()},
        ignore=True,
    )


def user_group_ids(db: Database, user_id: str) -> list[str]:
    """Ids of the groups the user belongs to (any source), in group creation order."""
    rows = db.query(
        "select distinct g.id from group_members m join groups g on g.id = m.group_id "
        "where m.user_id = ? order by g.seq",
        [user_id],
    )
    return [row["id"] for row in rows]
