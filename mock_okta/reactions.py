"""The directory's changes and everything they set off, each as one transaction.

Okta reacts to changes in its directory: a user who joins a group gets the apps assigned to it
and is pushed to the apps the group is pushed to; group rules run when a user is created,
activated, edited or changes groups; a deactivated user loses every app and every session.
The modules of `mock_okta.directory` change only their own tables and report what changed;
this module is the one place that applies the consequences, in the transaction of the change,
so the outbox rows the push engine delivers exist exactly when their change committed.

Every directory write of the Management API, the Admin Console and the fixtures goes through
here (views make one call); reads go to the directory modules directly.
"""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta.applications import assignments
from mock_okta.directory import group_rules, groups, memberships, users
from mock_okta.directory.memberships import MembershipChange
from mock_okta.errors import AccessDenied, ApiValidationFailed
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.security import sessions

# --- users ----------------------------------------------------------------------------------


@transactional
def create_user(
    db: Database,
    now: datetime,
    body: dict,
    *,
    activate: bool = True,
    actor: dict | None = None,
    user_id: str | None = None,
) -> dict:
    """POST /api/v1/users: the user, in Everyone and the `groupIds` groups, rules applied."""
    user = users.create_user(db, now, body, activate=activate, actor=actor, user_id=user_id)
    memberships.add_everyone(db, now, user["id"])
    for group_id in users.group_ids_of(body):
        _membership_changed(db, now, memberships.add_member(db, now, group_id, user["id"]))
    _run_rules(db, now, user["id"])
    return users.require_user_by_id(db, user["id"])


@transactional
def update_user(
    db: Database,
    now: datetime,
    user_id: str,
    body: dict,
    *,
    partial: bool,
    actor: dict | None = None,
) -> dict:
    """POST (partial) or PUT /api/v1/users/{id}: rules run and assigned apps get the profile."""
    user = users.require_user(db, user_id)
    user, changed = users.update_user(db, now, user, body, partial=partial, actor=actor)
    if changed:
        _run_rules(db, now, user["id"])
        assignments.user_profile_changed(db, now, user["id"], changed)
    return users.require_user_by_id(db, user["id"])


@transactional
def activate_user(db: Database, now: datetime, user_id: str, *, actor: dict | None = None) -> dict:
    """Activation: rules run; group-based apps return and waiting app users are pushed.

    Okta: activation restores group-based app assignments, not direct ones (reference §1.6).
    """
    user = users.activate_user(db, now, users.require_user(db, user_id), actor=actor)
    _run_rules(db, now, user["id"])
    assignments.refresh_user_assignments(db, now, user["id"])
    return user


@transactional
def deactivate_user(
    db: Database, now: datetime, user_id: str, *, actor: dict | None = None
) -> dict:
    """Deactivation: sessions end and every app assignment goes (deprovisioned downstream)."""
    user = users.deactivate_user(db, now, users.require_user(db, user_id), actor=actor)
    sessions.end_user_sessions(db, user["id"])
    assignments.revoke_user_assignments(db, now, user["id"])
    return user


@transactional
def reactivate_user(
    db: Database, now: datetime, user_id: str, *, actor: dict | None = None
) -> dict:
    """Reactivation restarts the activation; rules run."""
    user = users.reactivate_user(db, now, users.require_user(db, user_id), actor=actor)
    _run_rules(db, now, user["id"])
    return user


@transactional
def suspend_user(db: Database, now: datetime, user_id: str, *, actor: dict | None = None) -> dict:
    """Suspension ends the user's sessions; Okta sends nothing downstream (reference §1.7)."""
    user = users.suspend_user(db, now, users.require_user(db, user_id), actor=actor)
    sessions.end_user_sessions(db, user["id"])
    return user


@transactional
def unsuspend_user(db: Database, now: datetime, user_id: str, *, actor: dict | None = None) -> dict:
    """Unsuspension: back to ACTIVE; nothing else follows."""
    return users.unsuspend_user(db, now, users.require_user(db, user_id), actor=actor)


@transactional
def reset_password(
    db: Database, now: datetime, user_id: str, *, revoke_sessions: bool, actor: dict | None = None
) -> str:
    """lifecycle/reset_password: RECOVERY, optionally ending the user's sessions; the token."""
    user = users.require_user(db, user_id)
    token = users.reset_password(db, now, user, actor=actor)
    if revoke_sessions:
        sessions.end_user_sessions(db, user["id"])
    return token


@transactional
def expire_password(
    db: Database,
    now: datetime,
    user_id: str,
    *,
    temporary: bool = False,
    revoke_sessions: bool = False,
    actor: dict | None = None,
) -> tuple[dict, str | None]:
    """lifecycle/expire_password[_with_temp_password]: the user and the temporary password."""
    user = users.require_user(db, user_id)
    expired, temp = users.expire_password(db, now, user, temporary=temporary, actor=actor)
    if revoke_sessions:
        sessions.end_user_sessions(db, user["id"])
    return expired, temp


@transactional
def unlock_user(db: Database, now: datetime, user_id: str, *, actor: dict | None = None) -> dict:
    """lifecycle/unlock: a LOCKED_OUT user is ACTIVE again."""
    return users.unlock_user(db, now, users.require_user(db, user_id), actor=actor)


@transactional
def change_password(
    db: Database, now: datetime, user_id: str, body: object, *, actor: dict | None = None
) -> dict:
    """credentials/change_password (the current password must be right)."""
    return users.change_password(db, now, users.require_user(db, user_id), body, actor=actor)


@transactional
def end_sessions(db: Database, now: datetime, user_id: str) -> None:
    """DELETE /api/v1/users/{id}/sessions: the user signs in again at the next SSO."""
    sessions.end_user_sessions(db, users.require_user(db, user_id)["id"])


#: The lifecycle operations of POST /api/v1/users/{id}/lifecycle/{action}.
LIFECYCLE = {
    "activate": activate_user,
    "deactivate": deactivate_user,
    "reactivate": reactivate_user,
    "suspend": suspend_user,
    "unsuspend": unsuspend_user,
}


@transactional
def delete_user(db: Database, now: datetime, user_id: str, *, actor: dict | None = None) -> bool:
    """DELETE: the first call deactivates, the call on a DEPROVISIONED user deletes.

    Returns True when the user is gone. The final delete changes nothing downstream.
    """
    user = users.require_user(db, user_id)
    if user["status"] != users.UserStatus.DEPROVISIONED:
        deactivate_user(db, now, user["id"], actor=actor)
        return False
    users.delete_user(db, now, user, actor=actor)
    return True


# --- groups and memberships -------------------------------------------------------------------


@transactional
def create_group(
    db: Database,
    now: datetime,
    profile: dict,
    *,
    group_id: str | None = None,
    actor: dict | None = None,
) -> dict:
    """POST /api/v1/groups: the OKTA_GROUP; ACTIVE push rules that match it push it."""
    group = groups.create_group(db, now, profile, group_id=group_id, actor=actor)
    push_rules.group_changed(db, now, group)
    return group


@transactional
def replace_group(
    db: Database, now: datetime, group_id: str, profile: object, *, actor: dict | None = None
) -> dict:
    """PUT /api/v1/groups/{id}: a rename is pushed, members' rules run, push rules match again."""
    old = groups.require_group(db, group_id)
    group = groups.replace_group(db, now, old, profile, actor=actor)
    if group["name"] != old["name"]:
        push_mappings.group_renamed(db, now, group["id"], old["name"], group["name"])
        for user_id in memberships.member_ids(db, group["id"]):  # isMemberOfGroupName may change
            _run_rules(db, now, user_id)
    push_rules.group_changed(db, now, group)
    return group


@transactional
def delete_group(db: Database, now: datetime, group_id: str, *, actor: dict | None = None) -> None:
    """DELETE /api/v1/groups/{id}: members lose its apps, rules targeting it turn INVALID."""
    group = groups.require_group(db, group_id)
    if group["type"] == groups.APP_GROUP and push_mappings.is_push_target(db, group["id"]):
        # Groups API: "You can't remove groups of type APP_GROUP if they are used in a group
        # push mapping." Guess: the error is E0000001 with this cause.
        raise ApiValidationFailed("id", ["id: The group is used in a group push mapping"])
    members = memberships.member_ids(db, group["id"])
    groups.delete_group(db, now, group, actor=actor)
    group_rules.invalidate_rules_targeting(db, group["id"])
    for user_id in members:
        assignments.refresh_user_assignments(db, now, user_id)
        _run_rules(db, now, user_id)


@transactional
def add_user_to_group(
    db: Database, now: datetime, group_id: str, user_id: str, *, actor: dict | None = None
) -> None:
    """PUT /api/v1/groups/{gid}/users/{uid}: OKTA_GROUP memberships only."""
    _require_okta_group(db, group_id)
    change = memberships.add_member(db, now, group_id, user_id, actor=actor)
    _membership_changed(db, now, change)


@transactional
def remove_user_from_group(
    db: Database, now: datetime, group_id: str, user_id: str, *, actor: dict | None = None
) -> None:
    """DELETE /api/v1/groups/{gid}/users/{uid}: the user leaves, whatever put them there.

    Okta: "If a rule-managed user is manually removed from a group, the user is automatically
    added to the rule's Except The following users field."
    """
    _require_okta_group(db, group_id)
    users.require_user_by_id(db, user_id)
    for source in memberships.member_sources(db, group_id, user_id):
        rule_id = memberships.rule_of(source)
        if rule_id:
            group_rules.exclude_user(db, now, rule_id, user_id)
    change = memberships.remove_member(db, now, group_id, user_id, None, actor=actor)
    _membership_changed(db, now, change)


def _require_okta_group(db: Database, group_id: str) -> dict:
    group = groups.require_group(db, group_id)
    if group["type"] != groups.OKTA_GROUP:
        raise AccessDenied()  # observed: E0000006 for BUILT_IN and APP_GROUP memberships
    return group


# --- group rules -----------------------------------------------------------------------------


@transactional
def create_group_rule(
    db: Database, now: datetime, body: dict, *, rule_id: str | None = None
) -> dict:
    """POST /api/v1/groups/rules: the rule, INACTIVE; nothing runs until it is activated."""
    return group_rules.create_group_rule(db, now, body, rule_id=rule_id)


@transactional
def replace_group_rule(db: Database, now: datetime, rule_id: str, body: dict) -> dict:
    """PUT /api/v1/groups/rules/{id}: an INACTIVE rule's name and condition."""
    return group_rules.replace_group_rule(db, now, group_rules.require_rule(db, rule_id), body)


@transactional
def activate_group_rule(db: Database, now: datetime, rule_id: str) -> None:
    """Activation runs the rules for the whole org."""
    rule = group_rules.require_rule(db, rule_id)
    if rule["status"] == group_rules.ACTIVE:
        return
    group_rules.activate_group_rule(db, now, rule)
    for user_id in group_rules.rule_subject_ids(db):
        _run_rules(db, now, user_id)


@transactional
def deactivate_group_rule(db: Database, now: datetime, rule_id: str) -> None:
    """Deactivation stops the rule; the memberships it made remain."""
    group_rules.deactivate_group_rule(db, now, group_rules.require_rule(db, rule_id))


@transactional
def delete_group_rule(db: Database, now: datetime, rule_id: str, *, remove_users: bool) -> None:
    """DELETE: the rule's members leave its groups, or stay as manual members."""
    rule = group_rules.require_rule(db, rule_id)
    made = memberships.rule_memberships(db, rule["id"])
    group_rules.delete_group_rule(db, now, rule)
    if remove_users:
        source = memberships.rule_source(rule["id"])
        for row in made:
            change = memberships.remove_member(db, now, row["group_id"], row["user_id"], source)
            _membership_changed(db, now, change)
    else:
        memberships.hand_over_to_admins(db, rule["id"])
    for user_id in dict.fromkeys(row["user_id"] for row in made):
        _run_rules(db, now, user_id)


# --- the consequences ------------------------------------------------------------------------


def _membership_changed(db: Database, now: datetime, change: MembershipChange | None) -> None:
    """A user joined or left a group: their apps, the group's pushes, then the rules."""
    if change is None:
        return
    if change.joined:  # the app user must exist downstream before the membership is pushed
        assignments.refresh_user_assignments(db, now, change.user_id)
    push_mappings.membership_changed(db, now, change.group_id, change.user_id, joined=change.joined)
    if not change.joined:
        assignments.refresh_user_assignments(db, now, change.user_id)
    if change.manual:
        # Group rules fire when "the user's group membership changes" (Okta help); the changes
        # rules make themselves are settled by `_run_rules`' own rounds.
        _run_rules(db, now, change.user_id)


def _run_rules(db: Database, now: datetime, user_id: str) -> None:
    """Apply every ACTIVE rule to one user until nothing changes.

    Rules may depend on memberships other rules make (Okta discourages such "cascading rules"
    but runs them), so the rules are applied in rounds, at most one more than there are rules.
    """
    rules = group_rules.active_rules(db)
    for _ in range(len(rules) + 1):
        changed = False
        for rule in rules:
            for decision in group_rules.evaluate_rule(db, rule, user_id):
                change_membership = (
                    memberships.add_member if decision.wanted else memberships.remove_member
                )
                change = change_membership(db, now, decision.group_id, user_id, decision.source)
                _membership_changed(db, now, change)
                changed = True
        if not changed:
            return
