"""What an administrator does to groups and their members through the Web API and the Groups
and Users pages: create, update, delete, add and remove members.

Each operation is one transaction, refused while the instance is managed (§4.2), with the
lookups and messages of GroupService, GroupMembershipService, the v1 `usergroups/ws` actions
and the v2 DefaultGroupController and DefaultGroupMembershipController. The SCIM server changes
groups through `groups` and `memberships` instead, as it is the provisioner.
"""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import groups, management, memberships, users
from mock_sonar.errors import BadRequest, ManagedInstance, NotFound


@transactional
def create_group(db: Database, now: datetime, name: str, description: str | None = None) -> dict:
    """api/user_groups/create, v2 POST groups, "Create Group"."""
    management.check_not_managed(db)
    return groups.create_group(db, now, name, description)


@transactional
def update_group_by_name(
    db: Database, current_name: str, *, name: str | None, description: str | None
) -> dict:
    """api/user_groups/update: by current name ("Could not find a user group with name ...")."""
    management.check_not_managed(db)
    group = groups.get_group_by_name(db, current_name)
    if group is None:
        raise NotFound(f"Could not find a user group with name '{current_name}'.")
    return groups.update_group(db, group, name=name, description=description)


@transactional
def update_group(db: Database, uuid: str, *, name: str | None, description: str | None) -> dict:
    """v2 PATCH groups/{id}, "Update Group": None leaves a field as it is."""
    management.check_not_managed(db)
    return groups.update_group(
        db, groups.require_group_by_uuid(db, uuid), name=name, description=description
    )


@transactional
def delete_group_by_name(db: Database, name: str) -> None:
    """api/user_groups/delete: a local group, also while managed; never a managed one."""
    group = groups.require_group(db, name)
    if management.is_instance_managed(db) and management.is_group_managed(db, group["uuid"]):
        raise BadRequest("Deleting managed groups is not allowed.")
    groups.delete_group(db, group)


@transactional
def delete_group(db: Database, uuid: str) -> None:
    """v2 DELETE groups/{id}, "Delete Group": a managed group is refused before the lookup
    (throwIfGroupIsManaged), a local one is allowed even while managed."""
    if management.is_group_managed(db, uuid):
        raise ManagedInstance()
    groups.delete_group(db, groups.require_group_by_uuid(db, uuid))


@transactional
def add_user(db: Database, group_name: str, login: str) -> None:
    """api/user_groups/add_user, the Users page's GroupsForm: no-op when already a member."""
    group, user = _group_and_user(db, group_name, login)
    memberships.add_member(db, group, user["uuid"])


@transactional
def remove_user(db: Database, group_name: str, login: str) -> None:
    """api/user_groups/remove_user, GroupsForm and EditMembersModal: never the last admin."""
    group, user = _group_and_user(db, group_name, login)
    memberships.remove_member(db, group, user["uuid"])


def _group_and_user(db: Database, group_name: str, login: str) -> tuple[dict, dict]:
    """The v1 actions' lookups in their order, then the managed and default-group refusals."""
    group = groups.require_group(db, group_name)
    user = users.get_user_by_login(db, login)
    if user is None or not user["active"]:
        raise NotFound(f"Could not find a user with login '{login}'")
    management.check_not_managed(db)
    groups.check_not_default(group)
    return group, user


@transactional
def add_membership(db: Database, user_uuid: str | None, group_uuid: str | None) -> dict:
    """v2 POST group-memberships, EditMembersModal: not twice, not the default group; the row."""
    management.check_not_managed(db)
    user = users.require_user_by_id(db, user_uuid, active=True)
    group = groups.get_group(db, group_uuid) if group_uuid is not None else None
    if group is None:
        # String.format shows a missing id as "null".
        raise NotFound(f"Group '{'null' if group_uuid is None else group_uuid}' not found")
    return memberships.add_membership(db, group, user)


@transactional
def delete_membership(db: Database, uuid: str) -> None:
    """v2 DELETE group-memberships/{id}: never from the default group, never the last admin."""
    management.check_not_managed(db)
    membership = memberships.get_membership(db, uuid)
    if membership is None:
        raise NotFound(f"Group membership '{uuid}' not found")
    group = groups.require_group_by_uuid(db, membership["group_uuid"])
    groups.check_not_default(group)
    memberships.remove_member(db, group, membership["user_uuid"])
