"""Push Groups on the wire: create or link, memberships, rename, Push Now, unlink (§2).

Each handler sends its requests first (the client records every one), then commits the
Okta-side state and marks the event done in one transaction. A re-run after a crash in
between is harmless: an unknown target is looked up by displayName before it is created, a
known one (`target_external_id`) is reused, and full pushes send the complete state.

Two dialects (`connection.dialect`, reference §0):

* CUSTOM_APP (AIW, SonarQube's guide): `GET /Groups/{id}` then `PUT` of the full group, for
  membership changes, renames and full pushes alike (§2.3, §2.4, §2.5).
* OIN: path-less `PATCH replace {id, displayName}` after the create and before every membership
  update ("The group name update operation is triggered each time there's a group membership
  update operation", §2.4 — the order of the two is not public; we send the name first, as after
  a create); `add` / `remove members[value eq "…"]` for changes; `replace members` (possibly
  `[]`) for full pushes.

A membership change goes out with the group's other changes recorded by then, in one request
(`_batched_changes`): N members joining at once cost one update, not N.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import atomic, transactional
from mock_okta import outbox, system_log
from mock_okta.applications import apps, assignments
from mock_okta.directory import groups
from mock_okta.directory.groups import Group
from mock_okta.directory.users import UserStatus
from mock_okta.errors import GroupPushBadRequest
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push.mappings import ACTIVE, ERROR, INACTIVE
from mock_okta.outbox import EventKind
from mock_okta.provisioning import engine, tasks
from mock_okta.provisioning.client import ScimError

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CUSTOM_APP = "CUSTOM_APP"
# The step that failed words the mapping's errorSummary (§3.1) and picks the System Log event.
CREATING, MEMBERSHIP, UPDATING, DELETING = "creating", "membership", "updating", "deleting"
_FAILURE_EVENTS = {
    CREATING: ("application.provision.group.add", "Create group in external application"),
    MEMBERSHIP: (
        "application.provision.group_membership.update",
        "Update group membership in external application",
    ),
    UPDATING: (
        "application.provision.group_push.mapping.app.group.renamed.failed",
        "Failed to rename app group",
    ),
    DELETING: ("application.provision.group.remove", "Delete group in external application"),
}


_PHRASES = {
    CREATING: ": Error while creating user group ",
    MEMBERSHIP: ": Error while updating user group membership for group ",
    UPDATING: ": Error while updating user group ",
    DELETING: ": Error while deleting user group ",
}


def failure_summary(step: str, name: str, remote: str) -> str:
    """Okta's wording of a failed group push (§2.3 OBS4, §2.4 OBS3).

    The creating and membership forms are observed, including the missing colon after the group
    name in the membership form; the updating (rename) and deleting forms are guesses after them.
    """
    detail = {
        CREATING: f"Error while creating user group {name}: {remote}",
        MEMBERSHIP: f"Error while updating user group membership for group {name} {remote}",
        UPDATING: f"Error while updating user group {name}: {remote}",
        DELETING: f"Error while deleting user group {name}: {remote}",
    }[step]
    return f"Unable to update Group Push mapping target App group {name}: {detail}"


@contextmanager
def _step(step: str, name: str) -> Iterator[None]:
    """Reword a SCIM failure as the group push error; status and Retry-After are kept."""
    try:
        yield
    except ScimError as error:
        raise ScimError(
            failure_summary(step, name, error.summary),
            status=error.status,
            retry_after=error.retry_after,
        ) from error


# --- what is pushed ------------------------------------------------------------------------------


def pushed_members(db: Database, app_id: str, group_id: str) -> tuple[list[dict], list[str]]:
    """The group's members Okta pushes, and the ids of those it ignores (§2.1).

    Pushed: members with an app user in this app that is provisioned (has the SCIM id as its
    externalId) whose Okta user is not deactivated. Suspended users keep their memberships:
    suspending sends nothing downstream (§1.7), so their group memberships stay as well.
    """
    members, ignored = [], []
    for row in assignments.group_members_in_app(db, app_id, group_id):
        if _pushable(row):
            members.append({"value": row["external_id"], "display": row["user_name"]})
        else:
            ignored.append(row["user_id"])
    return members, ignored


def _member_of(db: Database, app_id: str, user_id: str) -> dict | None:
    """The SCIM member entry of a user, if Okta would push them (see pushed_members)."""
    row = assignments.member_in_app(db, app_id, user_id)
    if row is None or not _pushable(row):
        return None
    return {"value": row["external_id"], "display": row["user_name"]}


def _pushable(row: dict) -> bool:
    return bool(row["external_id"]) and row["status"] != UserStatus.DEPROVISIONED


# --- console actions: Push Now, Retry All Groups --------------------------------------------------


@transactional
def push_now(db: Database, now: datetime, app_id: str, mapping_id: str) -> None:
    """Push Now: "All memberships are overwritten and Okta becomes the group source" (§2.6).

    Offered for active pushes (and failed ones, which it retries); an inactive push has to be
    activated instead (the console shows Activate there). The refusal's wording is a guess.
    """
    app = apps.require_app(db, app_id)
    mapping = push_mappings.require_mapping(db, app["id"], mapping_id)
    push_mappings.require_push_groups(db, app)
    if mapping["status"] == INACTIVE:
        raise GroupPushBadRequest("The group push mapping is not active.")
    _enqueue_full_push(db, now, app, mapping)


@transactional
def retry_all_groups(db: Database, now: datetime, app_id: str) -> list[str]:
    """Retry All Groups: every mapping in ERROR is pushed again in full (§2.8, §3.3)."""
    app = apps.require_app(db, app_id)
    push_mappings.require_push_groups(db, app)
    failed = push_mappings.failed_mappings(db, app["id"])
    for mapping in failed:
        _enqueue_full_push(db, now, app, mapping)
    return [mapping["id"] for mapping in failed]


def _enqueue_full_push(db: Database, now: datetime, app: dict, mapping: dict) -> None:
    if mapping["status"] == ERROR:
        # The open tasks of a failed push are retried by this push (a new failure opens one).
        tasks.retry_tasks_of_mapping(db, now, mapping["id"])
    outbox.enqueue(
        db,
        now,
        app["id"],
        EventKind.PUSH_NOW,
        mappingId=mapping["id"],
        sourceGroupId=mapping["source_group_id"],
        targetGroupId=mapping["target_group_id"],
    )


# --- handlers ------------------------------------------------------------------------------------


def run_full_push(ctx: engine.PushContext) -> None:
    """Creation, activation, Push Now: the whole group (§2.3, §2.6); INACTIVE sends nothing."""
    mapping = push_mappings.get_mapping(ctx.db, ctx.app["id"], ctx.payload["mappingId"])
    if mapping is None or mapping["status"] == INACTIVE:
        _done(ctx)
        return
    _full_push(ctx, mapping)


def run_membership_changed(ctx: engine.PushContext) -> None:
    """A member joined or left a pushed group: GET + PUT (AIW) or PATCH add/remove (OIN), with
    the group's other membership changes already recorded batched into the same request."""
    mapping = _mapping_of_group(ctx)
    if not _delivers(ctx, mapping):
        return
    name, scim_id = mapping["target_group_name"], mapping["target_external_id"]
    member = _member_of(ctx.db, ctx.app["id"], ctx.payload["userId"])
    if member is None:
        # Okta: members not assigned (or not provisioned, or deactivated) are skipped (§2.1);
        # a user who lost the assignment gets no membership removal either.
        with atomic(ctx.db):
            _log_ignored(ctx, mapping, [ctx.payload["userId"]])
            ctx.finish()
        return
    batched = _batched_changes(ctx, mapping)
    with _step(MEMBERSHIP, name):
        if _custom_app(ctx):
            members, _ = pushed_members(ctx.db, ctx.app["id"], mapping["source_group_id"])
            _get_and_put(ctx, scim_id, name, members)
        else:
            changes = [(ctx.payload["added"], member)]
            changes += [(change["added"], change["member"]) for change in batched]
            _patch_name(ctx, scim_id, name)
            _patch(ctx, scim_id, *_membership_operations(changes))
    with atomic(ctx.db):
        _pushed(ctx, mapping["id"])
        _log(ctx, "application.provision.group_push.updated", "Group push updated", mapping)
        outbox.finish_covered(ctx.db, ctx.now(), [change["id"] for change in batched])
        ctx.finish()


def _batched_changes(ctx: engine.PushContext, mapping: dict) -> list[dict]:
    """The group's later membership changes that go out in this event's request:
    {id, userId, added, member}, oldest first.

    Okta batches a group's pending membership changes: a captured OIN update carries several
    removes and one add of several members (reference §2.4, C-doc S1-2019), and the AIW PUT
    carries the complete state anyway. Without batching, N users joining a pushed group at
    once cost N GETs and N PUTs of up to N members each. Which changes Okta gathers is not
    public; the simulator takes every change recorded before it reads the membership it
    sends (**inferred**). A change for a user Okta does not push (not provisioned,
    deactivated) is left to its own delivery, which logs the user as ignored.
    """
    app_id = ctx.app["id"]
    # Read first: every change up to this id was committed before the membership is read.
    up_to_id = outbox.last_event_id(ctx.db)
    pending = outbox.pending_membership_changes(
        ctx.db, app_id, mapping["source_group_id"], ctx.event["id"], up_to_id
    )
    batched = []
    for change in pending:
        member = _member_of(ctx.db, app_id, change["userId"])
        if member is not None:
            batched.append({**change, "member": member})
    return batched


def _membership_operations(changes: list[tuple[bool, dict]]) -> list[dict]:
    """OIN: a user's last change wins; removes first, then one add of every member added, as
    in the captured batch (§2.4)."""
    latest: dict[str, tuple[bool, dict]] = {}
    for added, member in changes:
        latest[member["value"]] = (added, member)
    removes = [
        {"op": "remove", "path": f'members[value eq "{value}"]'}
        for value, (added, _member) in latest.items()
        if not added
    ]
    adds = [member for added, member in latest.values() if added]
    return removes + ([{"op": "add", "path": "members", "value": adds}] if adds else [])


def run_renamed(ctx: engine.PushContext) -> None:
    """A pushed group was renamed in Okta: PUT (AIW) or PATCH replace {id, displayName} (OIN).

    Okta renames the app group only with the Push Groups setting "Rename app groups to match
    group name in Okta" (§2.5); the simulator has no switch for it and behaves as if it is on.
    """
    mapping = _mapping_of_group(ctx)
    new_name = ctx.payload["newName"]
    if mapping is not None and mapping["status"] == ACTIVE and not mapping["target_external_id"]:
        # Nothing downstream yet (pushed without "Push group memberships immediately"): the
        # new name is used when the group is pushed.
        with atomic(ctx.db):
            push_mappings.set_target_name(ctx.db, ctx.now(), mapping, new_name)
            ctx.finish()
        return
    if not _delivers(ctx, mapping):
        return
    scim_id = mapping["target_external_id"]
    with _step(UPDATING, mapping["target_group_name"]):
        if _custom_app(ctx):
            members, _ = pushed_members(ctx.db, ctx.app["id"], mapping["source_group_id"])
            _get_and_put(ctx, scim_id, new_name, members)
        else:
            _patch_name(ctx, scim_id, new_name)
    with atomic(ctx.db):
        push_mappings.set_target_name(ctx.db, ctx.now(), mapping, new_name)
        _pushed(ctx, mapping["id"])
        _log(
            ctx,
            "application.provision.group_push.mapping.app.group.renamed",
            "App group renamed",
            mapping,
        )
        ctx.finish()


def run_deleted(ctx: engine.PushContext) -> None:
    """Unlink: "Delete the group in the target app" sends DELETE; "Leave" sends nothing (§2.7).

    The mapping is already gone (push_mappings deletes it); the event carries its snapshot.
    Without a known SCIM id (the group was never pushed) there is nothing to delete downstream.
    """
    payload = ctx.payload
    scim_id = payload.get("targetExternalId")
    if payload["deleteTargetGroup"] and scim_id:
        with _step(DELETING, payload.get("targetGroupName") or ""):
            try:
                ctx.client.delete(f"/Groups/{scim_id}")
            except ScimError as error:
                # Guess: a group already gone downstream (or deleted before a crash) is done.
                if error.status != 404:
                    raise
    with atomic(ctx.db):
        if payload["deleteTargetGroup"]:
            _delete_app_group(ctx, payload, deleted_downstream=bool(scim_id))
        ctx.finish()


def on_failure(ctx: engine.PushContext, summary: str) -> dict:
    """The mapping goes to ERROR with the errorSummary; the failure is logged; a task opens."""
    payload = ctx.payload
    mapping = (
        push_mappings.get_mapping(ctx.db, ctx.app["id"], payload["mappingId"])
        if "mappingId" in payload
        else _mapping_of_group(ctx)
    )
    name = mapping["target_group_name"] if mapping else payload.get("targetGroupName") or ""
    if not summary.startswith("Unable to update Group Push mapping"):
        summary = failure_summary(MEMBERSHIP, name, summary)
    step = next((s for s, phrase in _PHRASES.items() if phrase in summary), MEMBERSHIP)
    source_id = payload.get("groupId") or payload.get("sourceGroupId")
    if mapping is not None:
        # After a failed rename, the name Okta wants downstream: a retry pushes it.
        renamed = payload["newName"] if ctx.event["kind"] == EventKind.GROUP_RENAMED else None
        push_mappings.mark_failed(ctx.db, ctx.now(), mapping["id"], summary, target_name=renamed)
    event_type, message = _FAILURE_EVENTS[step]
    group = groups.get_group(ctx.db, source_id) if source_id else None
    system_log.record(
        ctx.db,
        ctx.now(),
        event_type,
        message,
        targets=_targets(ctx, group),
        outcome="FAILURE",
        reason=summary,
    )
    return {
        "groupId": source_id,
        "mappingId": mapping["id"] if mapping else payload.get("mappingId"),
        "errorSummary": summary,
    }


# --- the full push -------------------------------------------------------------------------------


def _full_push(ctx: engine.PushContext, mapping: dict) -> None:
    name = mapping["target_group_name"]
    members, ignored = pushed_members(ctx.db, ctx.app["id"], mapping["source_group_id"])
    scim_id, created = mapping["target_external_id"], False
    if not scim_id:
        with _step(CREATING, name):
            scim_id = _find_by_display_name(ctx, name)
            if scim_id is None:
                scim_id, created = _create(ctx, name), True
    with _step(MEMBERSHIP, name):
        if _custom_app(ctx):
            _get_and_put(ctx, scim_id, name, members)
        else:
            _patch_name(ctx, scim_id, name)
            if not created:
                _patch(ctx, scim_id, {"op": "replace", "path": "members", "value": members})
            elif members:  # a new group: its members are added (§5.8)
                _patch(ctx, scim_id, {"op": "add", "path": "members", "value": members})
    with atomic(ctx.db):
        current = push_mappings.get_mapping(ctx.db, ctx.app["id"], mapping["id"])
        if current is not None:
            push_mappings.record_full_push(ctx.db, ctx.now(), current, scim_id)
            push_mappings.set_target_name(ctx.db, ctx.now(), current, name)
        _log_full_push(ctx, mapping, created, ignored)
        ctx.finish()


def _log_full_push(
    ctx: engine.PushContext, mapping: dict, created: bool, ignored: list[str]
) -> None:
    """The group created (`group.add`), pushed or its memberships pushed; users ignored."""
    if created:
        _log(
            ctx, "application.provision.group.add", "Create group in external application", mapping
        )
    if ctx.event["kind"] == EventKind.PUSH_MAPPING_CREATED:
        _log(ctx, "application.provision.group_push.pushed", "Group pushed", mapping)
    else:
        _log(
            ctx, "application.provision.group_push.push_memberships", "Pushed memberships", mapping
        )
    if ignored:
        _log_ignored(ctx, mapping, ignored)


def _find_by_display_name(ctx: engine.PushContext, name: str) -> str | None:
    """`GET /Groups?filter=displayName eq "x"&startIndex=1&count=100` (§2.3).

    A group of that name downstream is linked rather than created again: the API documents
    that `targetGroupName` "links to the existing group", and it makes a re-run after a crash
    between the POST and the commit harmless.
    """
    response = ctx.client.get(
        "/Groups", {"filter": f'displayName eq "{name}"', "startIndex": 1, "count": 100}
    )
    body = response.body if isinstance(response.body, dict) else {}
    for resource in body.get("Resources") or []:
        if (
            isinstance(resource, dict)
            and resource.get("displayName") == name
            and resource.get("id")
        ):
            return str(resource["id"])
    return None


def _create(ctx: engine.PushContext, name: str) -> str:
    """`POST /Groups {schemas, displayName, members: []}` (§2.3); the answer's id."""
    response = ctx.client.post(
        "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}
    )
    body = response.body if isinstance(response.body, dict) else {}
    if not body.get("id"):
        # Modelled on "Create new user returned empty user." (§3.1); the group form is a guess.
        raise ScimError("Create new group returned empty group.", status=response.status)
    return str(body["id"])


def _get_and_put(ctx: engine.PushContext, scim_id: str, name: str, members: list[dict]) -> None:
    """AIW: read the group, then replace it with the full desired state (§2.4)."""
    ctx.client.get(f"/Groups/{scim_id}")
    ctx.client.put(
        f"/Groups/{scim_id}",
        {"schemas": [GROUP_SCHEMA], "id": scim_id, "displayName": name, "members": members},
    )


def _patch_name(ctx: engine.PushContext, scim_id: str, name: str) -> None:
    """OIN: the path-less `replace {id, displayName}` (§2.5)."""
    _patch(ctx, scim_id, {"op": "replace", "value": {"id": scim_id, "displayName": name}})


def _patch(ctx: engine.PushContext, scim_id: str, *operations: dict) -> None:
    ctx.client.patch(f"/Groups/{scim_id}", {"schemas": [PATCH_OP], "Operations": list(operations)})


# --- helpers -------------------------------------------------------------------------------------


def _custom_app(ctx: engine.PushContext) -> bool:
    return ctx.connection.dialect == CUSTOM_APP


def _mapping_of_group(ctx: engine.PushContext) -> dict | None:
    """The app's mapping of the event's source group (one per group and app)."""
    group_id = ctx.payload.get("groupId") or ctx.payload.get("sourceGroupId")
    return push_mappings.mapping_of_group(ctx.db, ctx.app["id"], group_id)


def _delivers(ctx: engine.PushContext, mapping: dict | None) -> bool:
    """True when the change is to be sent; otherwise the event is dealt with here.

    Only ACTIVE pushes with a group downstream send changes (§2.6); the others finish the event
    without a request. A push in ERROR stops sending them (§2.3 OBS2), except when an admin
    retries this very event's task: then the whole group is pushed instead, as Retry All Groups
    does, which also brings the push back to ACTIVE.
    """
    if (
        mapping is not None
        and mapping["status"] == ERROR
        and tasks.was_retried(ctx.db, ctx.event["id"])
    ):
        _full_push(ctx, mapping)
        return False
    if mapping is None or mapping["status"] != ACTIVE or not mapping["target_external_id"]:
        # Nothing to update downstream (inactive, failed, or never pushed).
        _done(ctx)
        return False
    return True


def _done(ctx: engine.PushContext) -> None:
    with atomic(ctx.db):
        ctx.finish()


def _pushed(ctx: engine.PushContext, mapping_id: str) -> None:
    push_mappings.record_push(ctx.db, ctx.now(), mapping_id)


def _delete_app_group(ctx: engine.PushContext, payload: dict, *, deleted_downstream: bool) -> None:
    """After "Delete the group in the target app": its APP_GROUP goes too, if nothing uses it."""
    source = groups.get_group(ctx.db, payload["sourceGroupId"])
    if deleted_downstream:
        system_log.record(
            ctx.db,
            ctx.now(),
            "application.provision.group.remove",
            "Delete group in external application",
            targets=_targets(ctx, source),
        )
    target_id = payload.get("targetGroupId")
    target = groups.get_group(ctx.db, target_id) if target_id else None
    if (
        target is None
        or target["type"] != groups.APP_GROUP
        or push_mappings.is_push_target(ctx.db, target["id"])
    ):
        return
    groups.delete_app_group(ctx.db, target["id"])
    system_log.record(
        ctx.db,
        ctx.now(),
        "application.provision.group_push.delete_appgroup",
        "Deleted application group",
        targets=_targets(ctx, target),
    )


def _targets(ctx: engine.PushContext, group: Group | None) -> list[dict]:
    targets = [system_log.app_target(ctx.app)]
    if group is not None:
        targets.append(system_log.group_target(group))
    return targets


def _log(ctx: engine.PushContext, event_type: str, message: str, mapping: dict) -> None:
    source = groups.get_group(ctx.db, mapping["source_group_id"])
    system_log.record(
        ctx.db,
        ctx.now(),
        event_type,
        message,
        targets=_targets(ctx, source),
        debug_data={"mappingId": mapping["id"], "targetGroupName": mapping["target_group_name"]},
    )


def _log_ignored(ctx: engine.PushContext, mapping: dict, user_ids: list[str]) -> None:
    """`app.user_management.grouppush.mapping.okta.users.ignored` (§2.1, §3.4)."""
    source = groups.get_group(ctx.db, mapping["source_group_id"])
    system_log.record(
        ctx.db,
        ctx.now(),
        "app.user_management.grouppush.mapping.okta.users.ignored",
        "Okta users ignored while pushing group",
        targets=_targets(ctx, source),
        debug_data={"mappingId": mapping["id"], "ignoredUserIds": user_ids},
    )
