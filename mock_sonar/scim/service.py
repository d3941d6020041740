"""SCIM operations on SonarQube's users and groups, each one transaction (§3.3, §3.7, §8).

Raises scim2-models' SCIMException subclasses; the views render them as RFC 7644 errors.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from scim2_models import (
    Context,
    Group,
    InvalidValueException,
    NotFoundException,
    PatchOp,
    PatchOperation,
    SCIMException,
    UniquenessException,
    User,
)
from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import deactivation, groups, memberships, scim_mapping, users
from mock_sonar.accounts.users import IdentityProvider
from mock_sonar.errors import SonarError
from mock_sonar.scim import resources, validation
from mock_sonar.scim.errors import ScimBadRequest
from mock_sonar.scim.models import IDP_TOLERANT, ScimUser


@dataclass(frozen=True)
class ScimOptions:
    """Simulator settings for what is not public about SonarQube's SCIM server (§9)."""

    duplicate_email_status: int = 409
    adopt_local_groups: bool = True


def _refused(error: SonarError) -> SCIMException:
    return ScimBadRequest(detail=" ".join(error.messages))


# --- Users -----------------------------------------------------------------------------------


def require_user(db: Database, scim_id: str) -> dict:
    """The mapped user, or 404."""
    row = scim_mapping.get_user(db, scim_id)
    if row is None:
        raise NotFoundException(detail=f"User {scim_id} not found")
    return row


@transactional
def create_user(db: Database, now: datetime, payload: User, options: ScimOptions) -> dict:
    """POST /Users: adopt the SAML user with this external identity, or create one; the mapped
    user as `require_user` reads it."""
    validation.check_user(payload)
    user_name = payload.user_name
    if scim_mapping.find_user_by_user_name(db, user_name):
        raise UniquenessException(detail=f"User with userName '{user_name}' already exists")
    name, email = resources.sonar_name(payload), resources.sonar_email(payload)
    existing = users.find_external_user(db, IdentityProvider.SAML, user_name)
    _check_email_free(db, email, existing["uuid"] if existing else None, options)
    try:
        if existing is None:
            user = users.create_external_user(
                db,
                now,
                name=name,
                email=email,
                provider=IdentityProvider.SAML,
                external_id=user_name,
                login_seed=user_name,
            )
        else:
            # CF 96300 (staff): a SAML user with the same external identity is adopted.
            user = users.update_user(db, now, existing, name=name, email=email or "")
        attributes = resources.stored_attributes(payload)
        scim_id = scim_mapping.map_user(db, user["uuid"], attributes)
        user = _apply_active(db, now, user, payload.active)
    except SonarError as error:
        raise _refused(error) from error
    return scim_mapping.mapped_user(user, scim_id, attributes)


@transactional
def replace_user(
    db: Database, now: datetime, scim_id: str, payload: User, options: ScimOptions
) -> dict:
    """PUT /Users/{id}: the user becomes what the payload says (Okta's update dialect); the
    mapped user as it is then."""
    return _replace_user(db, now, require_user(db, scim_id), payload, options)


def _replace_user(
    db: Database, now: datetime, row: dict, payload: User, options: ScimOptions
) -> dict:
    """The mapped user `row` becomes what the payload says; only what changes is written."""
    validation.check_user(payload)
    user_name = payload.user_name
    if user_name.lower() != (row["external_id"] or "").lower():
        other = scim_mapping.find_user_by_user_name(db, user_name)
        if other and other["scim_uuid"] != row["scim_uuid"]:
            raise UniquenessException(detail=f"User with userName '{user_name}' already exists")
    email = resources.sonar_email(payload)
    _check_email_free(db, email, row["uuid"], options)
    try:
        user = row
        if user_name != row["external_id"]:
            user = users.set_external_identity(
                db, now, row, provider=IdentityProvider.SAML, external_id=user_name
            )
        user = users.update_user(
            db, now, user, name=resources.sonar_name(payload), email=email or ""
        )
        attributes = resources.stored_attributes(payload)
        if attributes != scim_mapping.attributes_of(row):
            scim_mapping.save_user_attributes(db, row["scim_uuid"], attributes)
        user = _apply_active(db, now, user, payload.active)
    except SonarError as error:
        raise _refused(error) from error
    return scim_mapping.mapped_user(user, row["scim_uuid"], attributes)


@transactional
def delete_user(db: Database, now: datetime, scim_id: str) -> None:
    """DELETE /Users/{id}: deactivate in SonarQube (never a hard delete) and drop the SCIM id."""
    row = require_user(db, scim_id)
    try:
        if row["active"]:
            deactivation.deactivate_user(db, now, row)
    except SonarError as error:
        raise _refused(error) from error
    scim_mapping.unmap_user(db, scim_id)


def _apply_active(db: Database, now: datetime, row: dict, active: bool | None) -> dict:
    """§3.7: active=false runs the deactivation routine; active=true reactivates. The user
    row as it is then."""
    if active is False and row["active"]:
        return {**row, **deactivation.deactivate_user(db, now, row)}
    if active is True and not row["active"]:
        return {**row, **users.reactivate_user(db, now, row)}
    return row


def _check_email_free(
    db: Database, email: str | None, own_uuid: str | None, options: ScimOptions
) -> None:
    if not email:
        return
    if any(uuid != own_uuid for uuid in users.active_users_with_email(db, email)):
        # CF 96585: "Email '<x>' is already used"; the status sent to the IdP is a guess (§9).
        detail = f"Email '{email}' is already used"
        if options.duplicate_email_status == 409:
            raise UniquenessException(detail=detail)
        raise InvalidValueException(detail=detail)


# --- Groups ----------------------------------------------------------------------------------


def require_group(db: Database, scim_id: str) -> dict:
    """The mapped group, or 404."""
    row = scim_mapping.get_group(db, scim_id)
    if row is None:
        raise NotFoundException(detail=f"Group {scim_id} not found")
    return row


@transactional
def create_group(db: Database, now: datetime, payload: Group, options: ScimOptions) -> str:
    """POST /Groups: a managed group, adopting a local one of the same name if allowed."""
    validation.check_group(payload)
    name = payload.display_name
    if scim_mapping.list_groups(db, display_name=name, offset=0, limit=1)[1]:
        raise UniquenessException(detail=f"Group with displayName '{name}' already exists")
    existing = groups.get_group_by_name(db, name)
    if existing and not options.adopt_local_groups:
        raise UniquenessException(detail=f"Group '{name}' already exists")
    try:
        if existing:
            # Guess: the SCIM server's group code is not public. Every core path refuses the
            # default group (GroupService, GroupMembershipService) and the docs say its content
            # cannot change, so it is never adopted. `sonar-administrators` is adopted like any
            # group: the docs warn that provisioning can use it to gain access (user-groups).
            groups.check_not_default(existing)
        group = existing or groups.create_group(db, now, name)
        scim_id = scim_mapping.map_group(
            db, now, group["uuid"], resources.stored_attributes(payload)
        )
        _set_members(db, group, resources.member_ids(payload))
    except SonarError as error:
        raise _refused(error) from error
    return scim_id


@transactional
def replace_group(db: Database, now: datetime, scim_id: str, payload: Group) -> None:
    """PUT /Groups/{id}: rename and set the full member list (Okta's Push Groups dialect)."""
    row = require_group(db, scim_id)
    validation.check_group(payload)
    attributes = resources.stored_attributes(payload)
    try:
        renamed = _rename_group(db, row, payload.display_name)
        members_changed = _set_members(db, renamed, resources.member_ids(payload))
    except SonarError as error:
        raise _refused(error) from error
    # Guess: the real `meta` is not public; lastModified moves with every change of the group
    # as SCIM shows it (name, members, kept attributes), and only then.
    if renamed is not row or members_changed or attributes != scim_mapping.attributes_of(row):
        scim_mapping.save_group_attributes(db, now, scim_id, attributes)


def _rename_group(db: Database, row: dict, name: str | None) -> dict:
    """The group under its new name (the same row when the name does not change)."""
    if not name or name == row["name"]:
        return row
    groups.check_not_default(row)  # GroupService.updateGroup checks this first
    other = groups.get_group_by_name(db, name)
    if other is not None:
        # Guess: GroupService's "Group 'x' already exists" is a 400 in the Web API; a SCIM
        # server answers a clash with 409 uniqueness (RFC 7644 §3.12), as POST /Groups does.
        raise UniquenessException(detail=f"Group '{name}' already exists")
    return groups.update_group(db, row, name=name)


@transactional
def delete_group(db: Database, scim_id: str) -> None:
    """DELETE /Groups/{id}: the group, its memberships and permissions go; never sonar-users."""
    row = require_group(db, scim_id)
    try:
        groups.delete_group(db, row)
    except SonarError as error:
        raise _refused(error) from error


def _set_members(db: Database, group: dict, scim_user_ids: list[str]) -> bool:
    """Make the group's managed members exactly these users; local members are untouched.

    Whether the members changed.
    """
    wanted = scim_mapping.user_uuids_for(db, scim_user_ids)
    unknown = [i for i in scim_user_ids if i not in wanted]
    if unknown:
        raise InvalidValueException(detail=f"User {unknown[0]} not found")
    current = {m["uuid"] for m in scim_mapping.group_members(db, group["uuid"])}
    target = set(wanted.values())
    if current != target:
        # GroupMembershipService.findNonDefaultGroupOrThrow: sonar-users keeps every active user.
        groups.check_not_default(group)
    for user_uuid in current - target:
        memberships.leave_group(db, group, user_uuid)
    for user_uuid in target - current:
        memberships.add_member(db, group, user_uuid)
    return current != target


# --- PATCH -----------------------------------------------------------------------------------


@transactional
def patch_user(
    db: Database, now: datetime, scim_id: str, patch: PatchOp, base_url: str, options: ScimOptions
) -> dict:
    """PATCH /Users/{id}: apply the operations to the current resource, then replace; the
    mapped user as it is then.

    Covers Okta's path-less `replace {"active": false}` and Entra's `path: active` with
    string values; op names are case-insensitive (scim2-models normalises them).
    """
    validation.check_patch_paths(ScimUser, patch)
    row = require_user(db, scim_id)
    active = _active_set_alone(patch)
    if active is not None:
        # Okta's deactivate/reactivate PATCH: applied to the whole resource it would change
        # nothing but `active`, so it is applied as that alone (the same outcome, without
        # rebuilding and re-validating the resource).
        try:
            return _apply_active(db, now, row, active)
        except SonarError as error:
            raise _refused(error) from error
    current = ScimUser.model_validate(
        resources.user_resource(db, row, base_url), scim_ctx=Context.RESOURCE_QUERY_RESPONSE
    )
    patch.patch(current, scim_policy=IDP_TOLERANT)
    return _replace_user(db, now, row, current, options)


def _active_set_alone(patch: PatchOp) -> bool | None:
    """The JSON boolean a PATCH sets `active` to when that is all it does (Okta's forms:
    `replace` with `{"active": false}`, or with `path: active`), else None."""
    values = []
    for operation in patch.operations or []:
        if operation.op != PatchOperation.Op.replace_:
            return None
        if operation.path is None and isinstance(operation.value, dict):
            value = operation.value.get("active") if set(operation.value) == {"active"} else None
        elif (operation.path or "").lower() == "active":
            value = operation.value
        else:
            return None
        if not isinstance(value, bool):
            return None
        values.append(value)
    return values[-1] if values else None


@transactional
def patch_group(db: Database, now: datetime, scim_id: str, patch: PatchOp, base_url: str) -> None:
    """PATCH /Groups/{id}: members add/remove (`members[value eq "x"]`), replace, rename."""
    validation.check_patch_paths(Group, patch)
    row = require_group(db, scim_id)
    steps = _membership_steps(patch)
    if steps is not None and _apply_membership_steps(db, now, row, steps):
        return
    current = Group.model_validate(
        resources.group_resource(db, row, base_url), scim_ctx=Context.RESOURCE_QUERY_RESPONSE
    )
    patch.patch(current, scim_policy=IDP_TOLERANT)
    replace_group(db, now, scim_id, current)


#: Okta's (and the RFC's) removal of one member: `members[value eq "<id>"]`. The id is compared
#: exactly, as scim2-models compares `value`.
_MEMBER_FILTER = re.compile(r'members\[value eq "([^"\\]*)"\]', re.IGNORECASE)


def _membership_steps(patch: PatchOp) -> list[tuple[str, bool]] | None:
    """The (SCIM user id, added) steps of a PATCH made only of Okta's membership operations
    (`add` to `members` with a list of `{"value": id}`, `remove` of `members[value eq "id"]`),
    in order; None for any other PATCH."""
    steps = []
    for operation in patch.operations or []:
        path = operation.path or ""
        if operation.op == PatchOperation.Op.add and path.lower() == "members":
            values = operation.value if isinstance(operation.value, list) else None
            if not values or not all(
                isinstance(v, dict) and isinstance(v.get("value"), str) for v in values
            ):
                return None
            steps += [(value["value"], True) for value in values]
        elif operation.op == PatchOperation.Op.remove and (found := _MEMBER_FILTER.fullmatch(path)):
            steps.append((found[1], False))
        else:
            return None
    return steps or None


def _apply_membership_steps(
    db: Database, now: datetime, row: dict, steps: list[tuple[str, bool]]
) -> bool:
    """Apply membership steps to the mapped group `row` member by member, with the outcome the
    whole-resource PATCH has, without rebuilding the group: a membership PATCH costs the same
    whatever the group's size. False (nothing done) when an added id is unknown: the
    whole-resource PATCH then refuses it."""
    known = scim_mapping.user_uuids_for(db, list({scim_id for scim_id, _ in steps}))
    if any(added and scim_id not in known for scim_id, added in steps):
        return False
    wanted = {known[scim_id]: added for scim_id, added in steps if scim_id in known}
    changes = {
        user_uuid: added
        for user_uuid, added in wanted.items()
        if added != memberships.is_member(db, row, user_uuid)
    }
    if not changes:
        return True
    try:
        # GroupMembershipService.findNonDefaultGroupOrThrow: sonar-users keeps every active user.
        groups.check_not_default(row)
        for user_uuid, added in changes.items():
            if added:
                memberships.add_member(db, row, user_uuid)
            else:
                memberships.leave_group(db, row, user_uuid)
    except SonarError as error:
        raise _refused(error) from error
    scim_mapping.save_group_attributes(db, now, row["scim_uuid"], scim_mapping.attributes_of(row))
    return True
