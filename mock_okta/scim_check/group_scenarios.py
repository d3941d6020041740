"""The Push Groups steps: push by name, rename, membership add and remove, Push Now, unlink
with delete. Custom app: GET + PUT of the whole group; OIN: PATCH (mock_okta.provisioning.
groups_push)."""

from mock_okta import reactions
from mock_okta.directory import memberships
from mock_okta.group_push import mappings as push_mappings
from mock_okta.provisioning import groups_push
from mock_okta.scim_check.judging import (
    StepSkipped,
    body_of,
    expect,
    expect_status,
    find,
    list_resources,
    require_one,
)
from mock_okta.scim_check.scenarios import RENAMED, Run


def _need_group(run: Run) -> str:
    if run.group_scim_id is None or run.mapping_id is None:
        raise StepSkipped("the group was not pushed: an earlier step failed")
    return run.group_scim_id


def _update(run: Run, exchanges: list[dict], scim_id: str) -> dict:
    """The request that carries the change: PUT (custom app) or the last PATCH (OIN)."""
    method = "PATCH" if run.oin else "PUT"
    found = find(exchanges, run.base_url, method, lambda p: p == f"/Groups/{scim_id}")
    require_one(
        exchanges,
        run.base_url,
        method,
        lambda p: p == f"/Groups/{scim_id}",
        f"{method} /Groups/{scim_id}",
    )
    for exchange in found:  # every one must succeed; the last one decides
        expect_status(exchange, 200, 204) if run.oin else expect_status(exchange, 200)
    return found[-1]


def _expected_members(run: Run) -> list[str]:
    """The SCIM ids Okta holds for the Okta group's members (what it pushes)."""
    roles = {user_id: role for role, user_id in run.okta_ids.items()}
    members = memberships.member_ids(run.org.db, run.group_id)
    ids = [run.external_id(roles[user_id]) for user_id in members if user_id in roles]
    return sorted(i for i in ids if i)


def _read_back(run: Run, name: str) -> dict:
    """Checker: `GET /Groups/{id}` has Okta's name and exactly Okta's members."""
    exchange = run.probe("GET", f"/Groups/{run.group_scim_id}")
    expect_status(exchange, 200)
    body = body_of(exchange)
    expect(
        body.get("displayName") == name, f"displayName {name!r}", body.get("displayName"), exchange
    )
    members = sorted(str(m.get("value")) for m in body.get("members") or [] if isinstance(m, dict))
    wanted = _expected_members(run)
    expect(members == wanted, f"members {wanted}", f"members {members}", exchange)
    return exchange


def push_group(run: Run) -> dict:
    """Push Groups by name: lookup by displayName (no match), POST /Groups 201 with an id,
    then the members (custom: GET + PUT; OIN: PATCH name, PATCH add)."""
    db, app_id, name = run.org.db, run.org.app["id"], run.group_name()
    group = reactions.create_group(db, run.org.now(), {"name": name, "description": "scim-check"})
    run.group_id = group["id"]
    for role in ("a",):
        if role in run.okta_ids:
            reactions.add_user_to_group(db, run.org.now(), group["id"], run.okta_ids[role])
    body = {"sourceGroupId": group["id"], "targetGroupName": name, "status": push_mappings.ACTIVE}
    exchanges = run.act(
        lambda: push_mappings.create_group_push_mapping(db, run.org.now(), app_id, body)
    )
    mapping = push_mappings.mapping_of_group(db, app_id, group["id"])
    if mapping is not None:
        run.mapping_id = mapping["id"]
        # What Okta holds: later steps can run, whatever this step judges.
        run.group_scim_id = mapping["target_external_id"] or None
    for post in find(exchanges, run.base_url, "POST", lambda p: p == "/Groups"):
        created = post["responseBody"]
        if isinstance(created, dict) and created.get("id"):
            run.created_groups.append(str(created["id"]))
    lookup = require_one(
        exchanges,
        run.base_url,
        "GET",
        lambda p: p.startswith("/Groups?filter=displayName eq"),
        'GET /Groups?filter=displayName eq "…"',
    )
    expect_status(lookup, 200)
    resources = list_resources(lookup)
    expect(resources == [], "no group for a name that does not exist yet", resources, lookup)
    post = run.sent(exchanges, "POST", "/Groups")
    expect_status(post, 201, why="RFC 7644 §3.3")
    created = post["responseBody"]
    has_id = isinstance(created, dict) and bool(created.get("id"))
    expect(has_id, "the new group's id", created, post)
    run.expect_no_task()
    expect(
        run.group_scim_id == str(created["id"]), "Okta to link the group", run.group_scim_id, post
    )
    _update(run, exchanges, run.group_scim_id)
    _read_back(run, name)
    return post


def rename_group(run: Run) -> dict:
    """A rename in Okta: custom PUT with the new displayName, OIN PATCH replace displayName."""
    scim_id, db = _need_group(run), run.org.db
    new_name = run.group_name(RENAMED)
    profile = {"name": new_name, "description": "scim-check"}
    exchanges = run.act(lambda: reactions.replace_group(db, run.org.now(), run.group_id, profile))
    decided = _update(run, exchanges, scim_id)
    run.expect_no_task()
    _read_back(run, new_name)
    return decided


def _membership(run: Run, role: str, added: bool) -> dict:
    scim_id, db = _need_group(run), run.org.db
    run.need(role)
    change = reactions.add_user_to_group if added else reactions.remove_user_from_group
    exchanges = run.act(lambda: change(db, run.org.now(), run.group_id, run.okta_ids[role]))
    decided = _update(run, exchanges, scim_id)
    run.expect_no_task()
    _read_back(run, run.group_name(RENAMED))
    return decided


def add_member(run: Run) -> dict:
    """A member joins in Okta: custom GET + PUT with all members, OIN PATCH add."""
    return _membership(run, "b", True)


def remove_member(run: Run) -> dict:
    """A member leaves in Okta: custom GET + PUT without them, OIN PATCH remove."""
    return _membership(run, "a", False)


def push_now(run: Run) -> dict:
    """Push Now: the whole group again (custom GET + PUT, OIN PATCH replace members)."""
    scim_id, db, app_id = _need_group(run), run.org.db, run.org.app["id"]
    exchanges = run.act(lambda: groups_push.push_now(db, run.org.now(), app_id, run.mapping_id))
    decided = _update(run, exchanges, scim_id)
    run.expect_no_task()
    _read_back(run, run.group_name(RENAMED))
    return decided


def unlink_and_delete(run: Run) -> dict:
    """Unlink with "Delete the group in the target app": DELETE /Groups/{id} answers 204
    (RFC 7644 §3.6); the group is gone (404)."""
    scim_id, db, app = _need_group(run), run.org.db, run.org.app
    mapping = push_mappings.require_mapping(db, app["id"], run.mapping_id)
    exchanges = run.act(
        lambda: push_mappings.unlink(db, run.org.now(), app, mapping, delete_target_group=True)
    )
    delete = require_one(
        exchanges,
        run.base_url,
        "DELETE",
        lambda p: p == f"/Groups/{scim_id}",
        f"DELETE /Groups/{scim_id}",
    )
    expect_status(delete, 204, why="RFC 7644 §3.6")
    run.expect_no_task()
    check = run.probe("GET", f"/Groups/{scim_id}")
    expect_status(check, 404, why="the group was deleted")
    run.created_groups.remove(scim_id)
    return delete
