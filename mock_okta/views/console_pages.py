"""The Admin Console (server-rendered HTML), one blueprint per area."""

from flask import Flask

from . import (
    console_apps,
    console_assignments,
    console_dashboard,
    console_groups,
    console_people,
    console_provisioning,
    console_push_groups,
    console_reports,
)


def register(app: Flask) -> None:
    """Register every console blueprint."""
    for module in (
        console_dashboard,
        console_people,
        console_groups,
        console_apps,
        console_provisioning,
        console_assignments,
        console_push_groups,
        console_reports,
    ):
        app.register_blueprint(module.bp)
