"""mock_okta: an Okta org (Workforce Identity) simulator."""

from flask import Flask

from mock_common.app import SimulatorApp
from mock_common.db import init_database
from mock_okta.bootstrap import bootstrap
from mock_okta.config import default_config
from mock_okta.storage.migrations import MIGRATIONS


def init_db(path: str) -> None:
    """Create or migrate the database and bootstrap a fresh org."""
    init_database(path, MIGRATIONS, bootstrap)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    app = SimulatorApp(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    init_db(app.config["DATABASE"])

    from mock_okta.provisioning.worker import wake_worker
    from mock_okta.views import console_actions as console_api
    from mock_okta.views import control, hooks, openapi
    from mock_okta.views.api import apps as api_apps
    from mock_okta.views.api import groups as api_groups
    from mock_okta.views.api import logs as api_logs
    from mock_okta.views.api import org
    from mock_okta.views.api import tokens as api_tokens
    from mock_okta.views.api import users as api_users
    from mock_okta.views.console import blueprints as console_pages
    from mock_okta.views.enduser import signin, sso

    hooks.register(app)
    app.after_request(wake_worker)  # the worker, when `serve` or a test started one
    for blueprint in (
        org.bp,
        api_users.bp,
        api_groups.bp,
        api_apps.bp,
        api_logs.bp,
        api_tokens.bp,
        console_api.bp,
        signin.bp,
        sso.bp,
    ):
        app.register_blueprint(blueprint)
    console_pages.register(app)  # the Admin Console (HTML)
    if app.config["CONTROL_PLANE"]:
        app.register_blueprint(control.blueprint())
        app.register_blueprint(openapi.bp)  # the API's own document, under /_mock
    return app
