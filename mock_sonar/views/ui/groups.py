"""Administration > Security > Groups (reference §4.3, §7).

Texts and behaviour: sonarqube-webapp 2025.1 `apps/groups/*` (`GroupsApp`,
`GroupsHeaderDescription`, `GroupsHeaderActions`, `ListItem`, `Members`, `GroupForm`,
`DeleteGroupForm`, `EditMembersModal`, `ViewMembersModal`). Modals are page states
(`?dialog=…&name=…`), so every action works without JavaScript.
"""

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, request

from mock_sonar.accounts import group_admin, groups, listings, management, users
from mock_sonar.accounts.memberships import SelectionMode as Selection
from mock_sonar.errors import SonarError
from mock_sonar.saml import configuration_form
from mock_sonar.saml import settings as saml_settings
from mock_sonar.views.common import get_db, now
from mock_sonar.views.ui.frame import redirect_to, render, signed_in

bp = Blueprint("ui_groups", __name__)

GROUPS_PATH = "/admin/groups"
DIALOGS = ("create", "update", "delete", "members")


def _dialog_group(dialog: str | None) -> dict | None:
    name = request.values.get("name") if dialog not in (None, "create") else None
    if name is None:
        return None
    group = groups.get_group_by_name(get_db(), name)
    if group is None:
        abort(404)
    return group


def _posted_group(dialog: str) -> dict:
    """The group a form is about, else 404."""
    group = _dialog_group(dialog)
    if group is None:
        abort(404)
    return group


def _members_context(group: dict, managed_instance: bool) -> dict:
    db = get_db()
    read_only = managed_instance or groups.is_default(group)
    selected = Selection.SELECTED if read_only else request.args.get("selected", Selection.SELECTED)
    values = configuration_form.current_values(db)
    return {
        "members": listings.group_members(
            db, group["uuid"], selected=selected, query=request.args.get("mq") or None
        ),
        "members_read_only": read_only,
        "selected_filter": selected,
        "saml_enabled": (values[saml_settings.ENABLED] or "") == "true",
    }


def _groups_page(status: int = 200, **context: object) -> Response:
    db = get_db()
    managed_instance = management.is_instance_managed(db)
    dialog = context.pop("dialog", request.args.get("dialog"))
    dialog = dialog if dialog in DIALOGS else None
    target = _dialog_group(dialog)
    managed = request.args.get("managed") if managed_instance else None
    query = request.args.get("q") or ""
    rows, total = listings.list_groups(
        db,
        query=query if len(query) >= 2 else None,  # InputSearch minLength={2}
        managed={"true": True, "false": False}.get(managed or ""),
        limit=listings.PAGE_SIZE * 10,
    )
    extra = _members_context(target, managed_instance) if dialog == "members" and target else {}
    return render(
        "ui/groups.html",
        status,
        nav_section="admin",
        admin_tab="groups",
        groups=rows,
        total=total,
        managed_instance=managed_instance,
        managed_filter=managed or "all",
        query=query,
        dialog=dialog,
        target=target,
        **extra,
        **context,
    )


@bp.get(GROUPS_PATH)
@signed_in(admin=True)
def groups_page() -> Response:
    """The groups list, its filters, and the open modal if any."""
    return _groups_page()


def _refused(dialog: str, error: SonarError) -> Response:
    return _groups_page(400, dialog=dialog, form_error=" ".join(error.messages), form=request.form)


@bp.post(f"{GROUPS_PATH}/create")
@signed_in(admin=True, back=GROUPS_PATH)
def create_group() -> Response:
    """ "Create Group"; refused while managed (§4.2)."""
    form = request.form
    try:
        group_admin.create_group(
            get_db(), now(), form.get("name", "").strip(), form.get("description")
        )
    except SonarError as error:
        return _refused("create", error)
    return redirect_to(GROUPS_PATH)


@bp.post(f"{GROUPS_PATH}/update")
@signed_in(admin=True, back=GROUPS_PATH)
def update_group() -> Response:
    """ "Update Group": name and description; refused while managed (§4.2)."""
    group = _posted_group("update")
    try:
        group_admin.update_group(
            get_db(),
            group["uuid"],
            name=request.form.get("new_name", "").strip(),
            description=request.form.get("description", ""),
        )
    except SonarError as error:
        return _refused("update", error)
    return redirect_to(GROUPS_PATH)


@bp.post(f"{GROUPS_PATH}/delete")
@signed_in(admin=True, back=GROUPS_PATH)
def delete_group() -> Response:
    """ "Delete Group": a local group, also while managed; never a managed one (§4.2)."""
    group = _posted_group("delete")
    try:
        group_admin.delete_group(get_db(), group["uuid"])
    except SonarError as error:
        return _refused("delete", error)
    return redirect_to(GROUPS_PATH)


@bp.post(f"{GROUPS_PATH}/members")
@signed_in(admin=True, back=GROUPS_PATH)
def update_members() -> Response:
    """EditMembersModal: tick or untick one user; refused while managed (§4.2)."""
    db = get_db()
    group = _posted_group("members")
    user = users.get_user_by_login(db, request.form.get("login", ""))
    if user is None or not user["active"]:
        abort(404)
    try:
        if request.form.get("selected") == "true":
            group_admin.add_membership(db, user["uuid"], group["uuid"])
        else:
            group_admin.remove_user(db, group["name"], user["login"])
    except SonarError as error:
        return _refused("members", error)
    query = {"dialog": "members", "name": group["name"]}
    query["selected"] = request.form.get("selected_filter", Selection.SELECTED)
    return redirect_to(f"{GROUPS_PATH}?{urlencode(query)}")
