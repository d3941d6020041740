"""SonarQube groups, the `groups` table (GroupService, DefaultGroupFinder); their members are
`memberships`."""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import select_page, transactional
from mock_sonar.accounts import permissions
from mock_sonar.errors import BadRequest, NotFound
from mock_sonar.storage import like
from mock_sonar.storage.ids import new_uuid
from mock_sonar.storage.like import ESCAPE_CLAUSE
from mock_sonar.text import check_no_nul

DEFAULT_GROUP = "sonar-users"
ADMIN_GROUP = "sonar-administrators"
NAME_MAX, DESCRIPTION_MAX = 255, 200


def get_group(db: Database, uuid: str) -> dict | None:
    """The group row by uuid."""
    rows = list(db.query("select * from groups where uuid = ?", [uuid]))
    return rows[0] if rows else None


def get_group_by_name(db: Database, name: str) -> dict | None:
    """The group row by exact name."""
    rows = list(db.query("select * from groups where name = ?", [name]))
    return rows[0] if rows else None


def require_group(db: Database, name: str) -> dict:
    """The group with this name, or 404 as api/user_groups says it."""
    group = get_group_by_name(db, name)
    if group is None:
        raise NotFound(f"No group with name '{name}'")
    return group


def default_group(db: Database) -> dict:
    """The default group every user belongs to."""
    group = get_group_by_name(db, DEFAULT_GROUP)
    if group is None:
        raise BadRequest("Default group cannot be found")
    return group


def is_default(group: dict) -> bool:
    """Whether this is the default group."""
    return group["name"] == DEFAULT_GROUP


def check_not_default(group: dict) -> None:
    """The default group can be neither deleted nor have its members edited."""
    if is_default(group):
        raise BadRequest(f"Default group '{group['name']}' cannot be used to perform this action")


#: What Java's String.trim() removes: every character up to the space, control ones included.
_JAVA_TRIMMED = "".join(chr(code) for code in range(0x21))


def _check_name(db: Database, name: str | None, *, current_uuid: str | None = None) -> str:
    # UserGroupValidation.validateGroupName: empty once trimmed is empty.
    if not name or not name.strip(_JAVA_TRIMMED):
        raise BadRequest("Group name cannot be empty")
    if len(name) > NAME_MAX:
        raise BadRequest(f"Group name cannot be longer than {NAME_MAX} characters")
    check_no_nul("Group name", name)
    if name.lower() == "anyone":
        raise BadRequest("Anyone group cannot be used")
    existing = get_group_by_name(db, name)
    if existing and existing["uuid"] != current_uuid:
        raise BadRequest(f"Group '{name}' already exists")
    return name


def _check_description(description: str | None) -> None:
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise BadRequest(f"Description cannot be longer than {DESCRIPTION_MAX} characters")
    check_no_nul("Description", description)


@transactional
def create_group(db: Database, now: datetime, name: str, description: str | None = None) -> dict:
    """A new group with a unique name ("anyone" is reserved)."""
    _check_name(db, name)
    _check_description(description)
    uuid = new_uuid()
    db["groups"].insert(
        {
            "uuid": uuid,
            "name": name,
            "description": description or None,
            "created_at": now.isoformat(),
        }
    )
    return get_group(db, uuid)


@transactional
def update_group(
    db: Database, group: dict, *, name: str | None = None, description: str | None = None
) -> dict:
    """Rename a group or change its description; the default group is not editable."""
    # GroupService.updateGroup checks the default group before anything else (since 6.4).
    check_not_default(group)
    changes: dict = {}
    if name is not None and name != group["name"]:
        changes["name"] = _check_name(db, name, current_uuid=group["uuid"])
    if description is not None:
        _check_description(description)
        changes["description"] = description or None
    if changes:
        db["groups"].update(group["uuid"], changes)
    return get_group(db, group["uuid"])


@transactional
def delete_group(db: Database, group: dict) -> None:
    """Delete a group with its memberships and permissions; never the default group."""
    check_not_default(group)
    if permissions.is_last_admin_group(db, group["uuid"]):
        raise BadRequest("The last system admin group cannot be deleted")
    db.execute("delete from groups where uuid = ?", [group["uuid"]])


def search_groups(
    db: Database,
    *,
    query: str | None = None,
    managed: bool | None = None,
    user_uuid: str | None = None,
    exclude_user_uuid: str | None = None,
    page: int = 1,
    page_size: int = 100,
) -> tuple[list[dict], int]:
    """Groups matching the filters, sorted by name (case-insensitive), and the total count."""
    where, params = [], {}
    if query:
        where.append(f"g.name like :q {ESCAPE_CLAUSE}")
        params["q"] = like.contains(query)
    if managed is not None:
        op = "exists" if managed else "not exists"
        where.append(f"{op} (select 1 from scim_groups s where s.group_uuid = g.uuid)")
    if user_uuid is not None:
        where.append(
            "exists (select 1 from groups_users gu where gu.group_uuid = g.uuid "
            "and gu.user_uuid = :u)"
        )
        params["u"] = user_uuid
    if exclude_user_uuid is not None:
        where.append(
            "not exists (select 1 from groups_users gu where gu.group_uuid = g.uuid "
            "and gu.user_uuid = :xu)"
        )
        params["xu"] = exclude_user_uuid
    return select_page(
        db,
        columns="g.*",
        source="groups g",
        where=where,
        params=params,
        order_by="lower(g.name)",
        offset=(page - 1) * page_size,
        limit=page_size,
    )


def require_group_by_uuid(db: Database, uuid: str) -> dict:
    """The group with this uuid, or 404 as the v2 API says it."""
    group = get_group(db, uuid)
    if group is None:
        raise NotFound(f"Group '{uuid}' not found")
    return group
