"""Group Push mappings: /api/v1/apps/{appId}/group-push/mappings (reference/okta.md §5.7).

A mapping pushes an Okta group (the source) to the app; the target is an APP_GROUP in Okta that
stands for the group downstream. `targetGroupName` creates that APP_GROUP (or links one of the
app's APP_GROUPs of that name), `targetGroupId` links an existing one. The push itself is the
push engine's work: changes are handed over as provisioning events.
"""

from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields, outbox, system_log
from mock_okta.applications import apps, scim_connection
from mock_okta.directory import groups
from mock_okta.directory.groups import Group
from mock_okta.errors import (
    AccessDenied,
    ApiValidationFailed,
    GroupPushBadRequest,
    MissingParameter,
    ResourceNotFound,
)
from mock_okta.outbox import EventKind
from mock_okta.storage import like
from mock_okta.storage.ids import PUSH_MAPPING, new_id
from mock_okta.storage.pagination import next_seq, page
from mock_okta.timestamps import okta_datetime


class MappingStatus(StrEnum):
    """A pushed group is ACTIVE or INACTIVE; ERROR after a push failed (until retried)."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    ERROR = "ERROR"


ACTIVE, INACTIVE, ERROR = MappingStatus.ACTIVE, MappingStatus.INACTIVE, MappingStatus.ERROR


def mapping_json(row: dict, base_url: str) -> dict:
    """The GroupPushMapping object (Okta's CreateGroupPushMappingResponse example)."""
    return {
        "id": row["id"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
        "lastPush": okta_datetime(row["last_push"]),
        "errorSummary": row["error_summary"] or "",
        "sourceGroupId": row["source_group_id"],
        "targetGroupId": row["target_group_id"],
        "status": row["status"],
        "_links": {
            "app": {"href": f"{base_url}/api/v1/apps/{row['app_id']}"},
            "sourceGroup": {"href": f"{base_url}/api/v1/groups/{row['source_group_id']}"},
            "targetGroup": {"href": f"{base_url}/api/v1/groups/{row['target_group_id']}"},
        },
    }


def get_mapping(db: Database, app_id: str, mapping_id: str) -> dict | None:
    """A mapping of the app by id."""
    rows = list(
        db.query(
            "select * from group_push_mappings where app_id = ? and id = ?", [app_id, mapping_id]
        )
    )
    return rows[0] if rows else None


def require_mapping(db: Database, app_id: str, mapping_id: str) -> dict:
    """The mapping, or E0000007."""
    mapping = get_mapping(db, app_id, mapping_id)
    if mapping is None:
        raise ResourceNotFound(mapping_id, "GroupPushMapping")
    return mapping


def is_push_target(db: Database, group_id: str) -> bool:
    """Whether an APP_GROUP stands for a pushed group downstream (then it cannot be deleted)."""
    rows = db.query(
        "select 1 from group_push_mappings where target_group_id = ? limit 1", [group_id]
    )
    return bool(list(rows))


def count_pushes_of(db: Database, group_id: str) -> int:
    """How many apps the group is pushed to (its `groupPushMappingsCount`)."""
    sql = "select count(*) as n from group_push_mappings where source_group_id = ?"
    return next(db.query(sql, [group_id]))["n"]


def _active_pushes_of(db: Database, group_id: str) -> list[dict]:
    return list(
        db.query(
            "select id, app_id from group_push_mappings where source_group_id = ? "
            "and status = ? order by seq",
            [group_id, ACTIVE],
        )
    )


@transactional
def membership_changed(
    db: Database, now: datetime, group_id: str, user_id: str, *, joined: bool
) -> None:
    """A member joined or left a group: each app the group is actively pushed to hears of it."""
    for mapping in _active_pushes_of(db, group_id):
        outbox.enqueue(
            db,
            now,
            mapping["app_id"],
            EventKind.GROUP_MEMBERSHIP_CHANGED,
            groupId=group_id,
            userId=user_id,
            added=joined,
        )


@transactional
def group_renamed(db: Database, now: datetime, group_id: str, old_name: str, new_name: str) -> None:
    """A pushed group was renamed: pushed for ACTIVE mappings only (reference §5.8)."""
    for mapping in _active_pushes_of(db, group_id):
        outbox.enqueue(
            db,
            now,
            mapping["app_id"],
            EventKind.GROUP_RENAMED,
            groupId=group_id,
            oldName=old_name,
            newName=new_name,
        )


def mapping_of_group(db: Database, app_id: str, group_id: str | None) -> dict | None:
    """The app's mapping of a source group (there is at most one per group and app)."""
    rows = list(
        db.query(
            "select * from group_push_mappings where app_id = ? and source_group_id = ?",
            [app_id, group_id],
        )
    )
    return rows[0] if rows else None


def pushed_groups(
    db: Database,
    app_id: str,
    *,
    by_rule: bool | None = None,
    rule_id: str | None = None,
    errors_only: bool = False,
) -> list[dict]:
    """The app's mappings with `source_name` and `rule_name`, oldest first: pushed by name
    (`by_rule=False`) or by rule (True, optionally one rule), or only those in ERROR."""
    where, params = ["m.app_id = :app"], {"app": app_id}
    if by_rule is not None:
        where.append("m.rule_id is not null" if by_rule else "m.rule_id is null")
    if rule_id:
        where.append("m.rule_id = :rule")
        params["rule"] = rule_id
    if errors_only:
        where.append(f"m.status = '{ERROR}'")
    rows = db.query(
        "select m.*, g.name as source_name, r.name as rule_name from group_push_mappings m "
        "join groups g on g.id = m.source_group_id "
        "left join group_push_rules r on r.id = m.rule_id "
        f"where {' and '.join(where)} order by m.seq",
        params,
    )
    return list(rows)


def unpushed_groups_named_like(db: Database, app_id: str, text: str, limit: int = 10) -> list[str]:
    """Okta groups the app does not push yet whose name starts with `text` (any case), by
    name: what the by-name search field suggests, read a few at a time however many exist."""
    rows = db.query(
        """
        select g.name from groups g
         where g.type = ? and g.name like ? escape '\\'
           and not exists (select 1 from group_push_mappings m
                            where m.app_id = ? and m.source_group_id = g.id)
         order by g.name collate nocase
         limit ?
        """,
        [groups.OKTA_GROUP, like.starts_with(text), app_id, limit],
    )
    return [row["name"] for row in rows]


def count_failed(db: Database) -> int:
    """How many group pushes are in ERROR, across apps."""
    sql = "select count(*) as n from group_push_mappings where status = ?"
    return next(db.query(sql, [ERROR]))["n"]


def failed_mappings(db: Database, app_id: str) -> list[dict]:
    """The app's mappings in ERROR, oldest first (what Retry All Groups pushes again)."""
    sql = "select * from group_push_mappings where app_id = ? and status = ? order by seq"
    return list(db.query(sql, [app_id, ERROR]))


def mapping_ids_of_rule(db: Database, rule_id: str) -> list[str]:
    """The ids of the mappings a push rule created, oldest first."""
    rows = db.query("select id from group_push_mappings where rule_id = ? order by seq", [rule_id])
    return [row["id"] for row in rows]


def mappings_of_rule(db: Database, rule_id: str) -> list[dict]:
    """The mappings a push rule created, oldest first."""
    sql = "select * from group_push_mappings where rule_id = ? order by seq"
    return list(db.query(sql, [rule_id]))


def actively_pushed_groups_of(db: Database, app_id: str, group_ids: list[str]) -> list[str]:
    """Which of the groups the app pushes with an ACTIVE mapping, in mapping order."""
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    rows = db.query(
        f"select source_group_id from group_push_mappings where app_id = ? and status = ? "
        f"and source_group_id in ({marks}) order by seq",
        [app_id, ACTIVE, *group_ids],
    )
    return [row["source_group_id"] for row in rows]


@transactional
def attach_rule(db: Database, mapping_id: str, rule_id: str) -> None:
    """A push rule created the mapping; rule pushes are ACTIVE, pushed now or at Push Now."""
    db["group_push_mappings"].update(mapping_id, {"rule_id": rule_id, "status": ACTIVE})


# --- the push engine's record of what it pushed ----------------------------------------------


@transactional
def record_push(db: Database, now: datetime, mapping_id: str) -> None:
    """A change was pushed (`lastPush`)."""
    db["group_push_mappings"].update(mapping_id, {"last_push": now.isoformat()})


@transactional
def record_full_push(db: Database, now: datetime, mapping: dict, scim_id: str) -> None:
    """The whole group was pushed: its SCIM id downstream, and a failed push healthy again."""
    changes = {"target_external_id": scim_id, "last_push": now.isoformat()}
    if mapping["status"] == ERROR:  # a retry that worked
        changes.update(status=ACTIVE, error_summary="", last_updated=changes["last_push"])
    db["group_push_mappings"].update(mapping["id"], changes)


@transactional
def mark_failed(
    db: Database, now: datetime, mapping_id: str, summary: str, *, target_name: str | None
) -> None:
    """The push failed: ERROR with Okta's errorSummary (and the name still to push, if any)."""
    changes = {"status": ERROR, "error_summary": summary, "last_updated": now.isoformat()}
    if target_name is not None:
        changes["target_group_name"] = target_name
    db["group_push_mappings"].update(mapping_id, changes)


@transactional
def set_target_name(db: Database, now: datetime, mapping: dict, name: str) -> None:
    """The mapping's target name and its APP_GROUP follow the name pushed downstream."""
    if mapping["target_group_name"] != name:
        db["group_push_mappings"].update(
            mapping["id"], {"target_group_name": name, "last_updated": now.isoformat()}
        )
    if mapping["target_group_id"]:
        groups.rename_app_group(db, now, mapping["target_group_id"], name)


def require_push_groups(db: Database, app: dict) -> None:
    """Group Push needs provisioning with the Push Groups action (Okta: Group Push prerequisites).

    The answers are guesses modelled on the features API ("Provisioning is not enabled for the
    app instance.") and on E0000027 "Group push bad request".
    """
    if not scim_connection.provisioning_enabled(db, app["id"]):
        raise ApiValidationFailed("feature", ["Provisioning is not enabled for the app instance."])
    if not scim_connection.push_groups_enabled(db, app["id"]):
        raise GroupPushBadRequest("Group push is not enabled for the app instance.")


@transactional
def create_group_push_mapping(
    db: Database, now: datetime, app_id: str, body: dict, *, actor: dict | None = None
) -> dict:
    """POST …/group-push/mappings: exactly one of targetGroupId / targetGroupName."""
    app = apps.require_app(db, app_id)
    require_push_groups(db, app)
    source_id, status = body.get("sourceGroupId"), body.get("status", ACTIVE)
    target_id, target_name = body.get("targetGroupId"), body.get("targetGroupName")
    if not isinstance(source_id, str) or not source_id:
        raise ApiValidationFailed(
            "sourceGroupId", ["sourceGroupId: The field cannot be left blank"]
        )
    if status not in (ACTIVE, INACTIVE):
        raise ApiValidationFailed("status", ["status: Does not match required pattern"])
    if (target_id is None) == (target_name is None):
        # Okta: "Either targetGroupId or targetGroupName must be provided, but not both."
        raise ApiValidationFailed(
            "targetGroupId",
            ["Either targetGroupId or targetGroupName must be provided, but not both."],
        )
    source = groups.require_group(db, source_id)
    if source["type"] != groups.OKTA_GROUP:
        # Group Push pushes Okta groups (Okta help, "About Group Push"); wording is a guess.
        raise GroupPushBadRequest("Only Okta groups can be pushed.")
    if mapping_of_group(db, app["id"], source["id"]) is not None:
        raise GroupPushBadRequest("The group is already pushed to this app.")  # guess
    target = _target(db, now, app, target_id, target_name, actor)
    return _insert(db, now, app, source, target, status, target_name, actor)


def _target(
    db: Database,
    now: datetime,
    app: dict,
    target_id: object,
    target_name: object,
    actor: dict | None,
) -> dict:
    """The APP_GROUP that stands for the downstream group."""
    if target_id is not None:
        if not isinstance(target_id, str):
            raise ApiValidationFailed(
                "targetGroupId", ["targetGroupId: Does not match required pattern"]
            )
        target = groups.require_group(db, target_id)
        if target["type"] != groups.APP_GROUP or target["source_app_id"] != app["id"]:
            # Guess: only a group of the app itself can be linked.
            raise GroupPushBadRequest("The target group must be a group of this app.")
        return target
    if not isinstance(target_name, str) or not target_name.strip():
        raise ApiValidationFailed(
            "targetGroupName", ["targetGroupName: The field cannot be left blank"]
        )
    problem = fields.text_cause("targetGroupName", target_name, maximum=groups.NAME_MAX)
    if problem:
        raise ApiValidationFailed("targetGroupName", [problem])
    # Okta: "If the group already exists, it links to the existing group."
    existing = list(
        db.query(
            "select * from groups where type = 'APP_GROUP' and source_app_id = ? and name = ?",
            [app["id"], target_name],
        )
    )
    if existing:
        return existing[0]
    return groups.create_group(
        db,
        now,
        {"name": target_name, "description": None},
        type_=groups.APP_GROUP,
        source_app_id=app["id"],
        actor=actor,
    )


def _insert(
    db: Database,
    now: datetime,
    app: dict,
    source: dict,
    target: dict,
    status: str,
    target_name: str | None,
    actor: dict | None,
) -> dict:
    stamp = now.isoformat()
    mapping_id = new_id(PUSH_MAPPING)
    db["group_push_mappings"].insert(
        {
            "id": mapping_id,
            "seq": next_seq(db, "group_push_mappings"),
            "app_id": app["id"],
            "source_group_id": source["id"],
            "target_group_id": target["id"],
            "target_group_name": target_name or target["name"],
            "status": status,
            "error_summary": "",
            "rule_id": None,
            "created": stamp,
            "last_updated": stamp,
            "last_push": None,
        }
    )
    _log(
        db,
        now,
        "application.provision.group_push.mapping.created",
        "A new mapping has been created",
        app,
        source,
        actor,
    )
    if status == ACTIVE:
        outbox.enqueue(
            db,
            now,
            app["id"],
            EventKind.PUSH_MAPPING_CREATED,
            mappingId=mapping_id,
            sourceGroupId=source["id"],
            targetGroupId=target["id"],
        )
    return require_mapping(db, app["id"], mapping_id)


def list_group_push_mappings(
    db: Database,
    app: dict,
    *,
    after: str | None = None,
    limit: int = 100,
    last_updated: str | None = None,
    source_group_id: str | None = None,
    status: str | None = None,
) -> tuple[list[dict], str | None]:
    """The app's mappings in creation order; lastUpdated (on or after), source, status filter."""
    require_push_groups(db, app)
    where, params = ["app_id = :app_id"], {"app_id": app["id"]}
    if last_updated:
        try:
            since = datetime.fromisoformat(last_updated.replace("Z", "+00:00"))
        except ValueError as error:
            raise ApiValidationFailed(
                "lastUpdated", ["lastUpdated: Does not match required pattern"]
            ) from error
        where.append("last_updated >= :since")
        params["since"] = since.isoformat()
    if source_group_id:
        where.append("source_group_id = :source")
        params["source"] = source_group_id
    if status:
        if status not in (ACTIVE, INACTIVE, ERROR):
            raise ApiValidationFailed("status", ["status: Does not match required pattern"])
        where.append("status = :status")
        params["status"] = status
    return page(
        db, table="group_push_mappings", where=where, params=params, after=after, limit=limit
    )


@transactional
def update_group_push_mapping(
    db: Database,
    now: datetime,
    app_id: str,
    mapping_id: str,
    body: dict,
    *,
    actor: dict | None = None,
) -> dict:
    """PATCH …/{mappingId} {"status"}: ACTIVE performs an initial push, INACTIVE stops pushing."""
    app = apps.require_app(db, app_id)
    mapping = require_mapping(db, app["id"], mapping_id)
    require_push_groups(db, app)
    status = body.get("status")
    if status not in (ACTIVE, INACTIVE):
        raise ApiValidationFailed("status", ["status: Does not match required pattern"])
    if status == mapping["status"]:
        return mapping
    changes = {"status": status, "last_updated": now.isoformat()}
    if status == ACTIVE:
        changes["error_summary"] = ""
    db["group_push_mappings"].update(mapping["id"], changes)
    source = groups.require_group(db, mapping["source_group_id"])
    if status == ACTIVE:
        _log(
            db,
            now,
            "application.provision.group_push.activate_mapping",
            "Group push activated mappings",
            app,
            source,
            actor,
        )
        outbox.enqueue(
            db,
            now,
            app["id"],
            EventKind.PUSH_MAPPING_ACTIVATED,
            mappingId=mapping["id"],
            sourceGroupId=source["id"],
            targetGroupId=mapping["target_group_id"],
        )
    else:
        _log(
            db,
            now,
            "application.provision.group_push.deactivate_mapping",
            "Group push deactivated mappings",
            app,
            source,
            actor,
        )
    return require_mapping(db, app["id"], mapping["id"])


@transactional
def delete_group_push_mapping(
    db: Database,
    now: datetime,
    app_id: str,
    mapping_id: str,
    delete_target_group: bool | None,
    *,
    actor: dict | None = None,
) -> None:
    """DELETE …/{mappingId}?deleteTargetGroup=: only INACTIVE (or ERROR) mappings."""
    app = apps.require_app(db, app_id)
    mapping = require_mapping(db, app["id"], mapping_id)
    if delete_target_group is None:
        raise MissingParameter("deleteTargetGroup")
    if mapping["status"] == ACTIVE:
        # The API documents only 401/403/404/429 for this call: the refusal of an ACTIVE
        # mapping is a 403 (E0000006 is a guess).
        raise AccessDenied()
    unlink(db, now, app, mapping, delete_target_group=delete_target_group)


@transactional
def unlink(
    db: Database, now: datetime, app: dict, mapping: dict, *, delete_target_group: bool
) -> None:
    """The mapping goes, whatever its status (the console stops an active push and unlinks it
    in one step). The APP_GROUP stays: the push engine deletes the downstream group (and its
    APP_GROUP) when `delete_target_group` is true, from the event's snapshot of the mapping."""
    db.execute("delete from group_push_mappings where id = ?", [mapping["id"]])
    outbox.enqueue(
        db,
        now,
        app["id"],
        EventKind.PUSH_MAPPING_DELETED,
        mappingId=mapping["id"],
        sourceGroupId=mapping["source_group_id"],
        targetGroupId=mapping["target_group_id"],
        targetGroupName=mapping["target_group_name"],
        targetExternalId=mapping["target_external_id"],
        deleteTargetGroup=delete_target_group,
    )


def _log(
    db: Database,
    now: datetime,
    event: str,
    message: str,
    app: dict,
    group: Group,
    actor: dict | None,
) -> None:
    system_log.record(
        db,
        now,
        event,
        message,
        actor=actor,
        targets=[system_log.app_target(app), system_log.group_target(group)],
    )
