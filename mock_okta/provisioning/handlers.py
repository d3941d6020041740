"""Which handler delivers which kind of outbox event, and how its failure shows in Okta.

The push engine runs exactly what this table says; the worker passes it in.
"""

from mock_okta.outbox import EventKind
from mock_okta.provisioning import groups_push, users_push
from mock_okta.provisioning.engine import Handler

HANDLERS: dict[str, Handler] = {
    # Users (reference/okta.md §1): create or link, profile pushes, deactivation.
    EventKind.USER_ASSIGNED: Handler(users_push.run_provision, users_push.provision_failed),
    EventKind.PROVISION_USER: Handler(users_push.run_provision, users_push.provision_failed),
    EventKind.USER_PROFILE_CHANGED: Handler(users_push.run_profile, users_push.profile_failed),
    EventKind.USER_UNASSIGNED: Handler(users_push.run_deactivate, users_push.deactivate_failed),
    EventKind.USER_DEACTIVATED: Handler(users_push.run_deactivate, users_push.deactivate_failed),
    # Push Groups (§2): full pushes, membership changes, renames, unlinking.
    EventKind.PUSH_MAPPING_CREATED: Handler(groups_push.run_full_push, groups_push.on_failure),
    EventKind.PUSH_MAPPING_ACTIVATED: Handler(groups_push.run_full_push, groups_push.on_failure),
    EventKind.PUSH_NOW: Handler(groups_push.run_full_push, groups_push.on_failure),
    EventKind.GROUP_MEMBERSHIP_CHANGED: Handler(
        groups_push.run_membership_changed, groups_push.on_failure
    ),
    EventKind.GROUP_RENAMED: Handler(groups_push.run_renamed, groups_push.on_failure),
    EventKind.PUSH_MAPPING_DELETED: Handler(groups_push.run_deleted, groups_push.on_failure),
}
