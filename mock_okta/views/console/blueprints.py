"""The Admin Console (server-rendered HTML), one blueprint per area."""

from flask import Flask

from mock_okta.console.times import console_time
from mock_okta.views.console import apps as console_apps
from mock_okta.views.console import assignments as console_assignments
from mock_okta.views.console import dashboard as console_dashboard
from mock_okta.views.console import groups as console_groups
from mock_okta.views.console import people as console_people
from mock_okta.views.console import provisioning as console_provisioning
from mock_okta.views.console import push_groups as console_push_groups
from mock_okta.views.console import reports as console_reports


def register(app: Flask) -> None:
    """Register every console blueprint, and the console's date format."""
    app.add_template_filter(console_time)
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
