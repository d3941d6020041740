"""mock_sonar: a SonarQube Server (Enterprise Edition) simulator."""

from flask import Flask

from mock_common.app import SimulatorApp
from mock_common.db import init_database
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.config import EDITIONS, default_config
from mock_sonar.storage.migrations import MIGRATIONS


def init_db(path: str) -> None:
    """Create or migrate the database and bootstrap a fresh instance."""
    init_database(path, MIGRATIONS, bootstrap)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    app = SimulatorApp(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["EDITION"] not in EDITIONS:
        raise ValueError(f"Unknown edition {app.config['EDITION']!r}: one of {EDITIONS}")
    init_db(app.config["DATABASE"])

    # Imported here, as in flaskr: the views need the app's modules, not the other way round.
    from mock_sonar.views import control, hooks, openapi, saml, scim
    from mock_sonar.views.api import (
        authentication,
        groups,
        scim_management,
        settings,
        system,
        tokens,
        users,
        v2_groups,
        v2_users,
    )
    from mock_sonar.views.ui import account, frame, login, nav
    from mock_sonar.views.ui import groups as ui_groups
    from mock_sonar.views.ui import settings as ui_settings
    from mock_sonar.views.ui import users as ui_users

    hooks.register(app)
    frame.register(app)
    api = (system, settings, scim_management, authentication, users, tokens, groups)
    pages = (login, nav, account, ui_settings, ui_users, ui_groups)
    for module in (*api, v2_users, v2_groups, openapi, scim, saml, *pages):
        app.register_blueprint(module.bp)
    if app.config["CONTROL_PLANE"]:
        for blueprint in control.blueprints():
            app.register_blueprint(blueprint)
        app.register_blueprint(openapi.control_bp)  # documents with no SonarQube URL
    return app
