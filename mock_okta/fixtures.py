"""Loading the `okta` part of a fixture through the domain layer, and resetting to it."""

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from mock_common import keys, state
from mock_common.db import atomic
from mock_okta import reactions
from mock_okta.applications import apps, assignments, features, signing_keys
from mock_okta.bootstrap import bootstrap
from mock_okta.directory import groups
from mock_okta.directory.users import UserStatus
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.provisioning import connector
from mock_okta.storage.org import org


def seed(db: Database, now: datetime, fixture: dict, variables: dict[str, str]) -> None:
    """Apply a fixture's `okta` section on top of a fresh org, in one transaction."""
    part = state.substitute(fixture.get("okta", {}), variables)
    with atomic(db):
        bootstrap(db, now)
        for spec in part.get("users", []):
            _seed_user(db, now, spec)
        for spec in part.get("groups", []):
            _seed_group(db, now, spec)
        for spec in part.get("groupRules", []):
            _seed_rule(db, now, spec)
        for spec in part.get("apps", []):
            _seed_app(db, now, spec)
        state.remember_fixture(db, fixture, variables)


def _seed_user(db: Database, now: datetime, spec: dict) -> None:
    body = {"profile": spec["profile"]}
    if spec.get("password"):
        body["credentials"] = {"password": {"value": spec["password"]}}
    user = reactions.create_user(
        db, now, body, activate=spec.get("status") != UserStatus.STAGED, user_id=spec.get("id")
    )
    if spec.get("status") == UserStatus.SUSPENDED:
        reactions.suspend_user(db, now, user["id"])
    elif spec.get("status") == UserStatus.DEPROVISIONED:
        reactions.deactivate_user(db, now, user["id"])


def _seed_group(db: Database, now: datetime, spec: dict) -> None:
    group = reactions.create_group(db, now, spec["profile"], group_id=spec.get("id"))
    for user_id in spec.get("members", []):
        reactions.add_user_to_group(db, now, group["id"], user_id)


def _seed_rule(db: Database, now: datetime, spec: dict) -> None:
    body = {
        "type": "group_rule",
        "name": spec["name"],
        "conditions": {
            "expression": {"value": spec["expression"], "type": "urn:okta:expression:1.0"}
        },
        "actions": {"assignUserToGroups": {"groupIds": spec["groupIds"]}},
    }
    rule = reactions.create_group_rule(db, now, body, rule_id=spec.get("id"))
    if spec.get("status", "ACTIVE") == "ACTIVE":  # a rule's status
        reactions.activate_group_rule(db, now, rule["id"])


_APP_SEED_KEYS = (
    "id",
    "externalKey",
    "users",
    "groups",
    "signingKeyFile",
    "provisioning",
    "features",
    "pushGroups",
    "pushRules",
)


def _seed_app(db: Database, now: datetime, spec: dict) -> None:
    """The app, then what an admin does next, in the guide's order.

    Provisioning and the To App switches come before the assignments, so that the app users
    are pushed on assignment (no "assigned before provisioning" flag); the group pushes come
    after them, so that each push carries the members provisioned by then. Everything the push
    engine has to send is enqueued here and delivered once the app runs.
    """
    body = {k: v for k, v in spec.items() if k not in _APP_SEED_KEYS}
    app = apps.create_app(
        db,
        now,
        body,
        app_id=spec.get("id"),
        external_key=spec.get("externalKey"),
        signing_key=_signing_key(db, now, spec.get("signingKeyFile")),
    )
    if "provisioning" in spec:
        connector.save_connection(db, now, app["id"], spec["provisioning"])
    for name, feature in spec.get("features", {}).items():
        features.update_feature(db, now, app, name, feature)
    for group_id in spec.get("groups", []):
        assignments.assign_group_to_application(db, now, app["id"], group_id, {})
    for user_id in spec.get("users", []):
        assignments.assign_user_to_application(db, now, app["id"], {"id": user_id, "scope": "USER"})
    for group_id in spec.get("pushGroups", []):
        _push_group(db, now, app, group_id)
    for rule in spec.get("pushRules", []):
        push_rules.create_push_rule(db, now, app["id"], rule)


def _push_group(db: Database, now: datetime, app: dict, group_id: str) -> None:
    """Push Groups > Find groups by name, "Push group memberships immediately" on."""
    group = groups.require_group(db, group_id)
    body = {
        "sourceGroupId": group["id"],
        "targetGroupName": group["name"],
        "status": push_mappings.ACTIVE,
    }
    push_mappings.create_group_push_mapping(db, now, app["id"], body)


def _signing_key(db: Database, now: datetime, path: str | None) -> dict | None:
    """The app's IdP key from its key file (made on first use), so it survives resets and
    mock_sonar's fixture can trust the same certificate."""
    if not path:
        return None
    subdomain = org(db).get("subdomain", "org")
    pair = keys.load_or_create_key_pair(
        Path(path), lambda: signing_keys.new_key_pair(subdomain, now)
    )
    return signing_keys.signing_key_of(*pair)


def reset(db: Database, now: datetime) -> None:
    """Back to the loaded fixture (or to a fresh org when none was loaded)."""
    state.reset(db, now, seed, bootstrap)
