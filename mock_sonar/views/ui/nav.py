"""The pages behind the global navigation that the simulator does not model, and My Account's
profile: each is the real route, with a short "not simulated" body."""

from flask import Blueprint, Response, abort

from mock_sonar.accounts import memberships
from mock_sonar.views.common import get_db
from mock_sonar.views.ui.frame import render, signed_in, visitor

bp = Blueprint("ui_nav", __name__)

#: Global navigation: route → (section, title) as GlobalNavMenu (2025.1) names them.
GLOBAL_PAGES = {
    "/projects": ("projects", "Projects"),
    "/issues": ("issues", "Issues"),
    "/coding_rules": ("rules", "Rules"),
    "/profiles": ("profiles", "Quality Profiles"),
    "/quality_gates": ("gates", "Quality Gates"),
}
#: Administration pages (SettingsNav) other than the simulated ones, by path under /admin.
ADMIN_PAGES = {
    "settings/encryption": "Encryption",
    "webhooks": "Webhooks",
    "permissions": "Global Permissions",
    "permission_templates": "Permission Templates",
    "projects_management": "Management",
    "background_tasks": "Background Tasks",
    "system": "System",
    "marketplace": "Marketplace",
}
ACCOUNT_PAGES = {"notifications": "Notifications", "projects": "Projects"}


def _global_page(path: str) -> Response:
    section, title = GLOBAL_PAGES[path]
    return render("ui/placeholder.html", nav_section=section, title=title)


def _register_global(path: str) -> None:
    @signed_in()
    def view() -> Response:
        return _global_page(path)

    view.__doc__ = f"{GLOBAL_PAGES[path][1]}: not simulated."
    bp.add_url_rule(path, endpoint=path.strip("/"), view_func=view)


for _path in GLOBAL_PAGES:
    _register_global(_path)


@bp.get("/admin/<path:page>")
@signed_in(admin=True)
def admin_page(page: str) -> Response:
    """Administration pages the simulator does not model."""
    if page not in ADMIN_PAGES:
        abort(404)
    return render(
        "ui/admin_placeholder.html", nav_section="admin", title=ADMIN_PAGES[page], admin_tab=page
    )


@bp.get("/account")
@signed_in()
def account_profile() -> Response:
    """My Account > Profile: login, name, email, groups and SCM accounts."""
    user = visitor().user
    return render(
        "ui/account_profile.html",
        account_tab="profile",
        groups=memberships.group_names(get_db(), user["uuid"]),
    )


@bp.get("/account/<page>")
@signed_in()
def account_page(page: str) -> Response:
    """My Account tabs the simulator does not model."""
    if page not in ACCOUNT_PAGES:
        abort(404)
    return render("ui/account_placeholder.html", account_tab=page, title=ACCOUNT_PAGES[page])
