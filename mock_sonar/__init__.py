"""mock_sonar: a SonarQube Server (Enterprise Edition) simulator."""

from flask import Flask

from mock_common.db import init_database

from .accounts.bootstrap import bootstrap
from .config import EDITIONS, default_config
from .storage.migrations import MIGRATIONS


def init_db(path: str) -> None:
    """Create or migrate the database and bootstrap a fresh instance."""
    init_database(path, MIGRATIONS, bootstrap)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    app = Flask(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["EDITION"] not in EDITIONS:
        raise ValueError(f"Unknown edition {app.config['EDITION']!r}: one of {EDITIONS}")
    init_db(app.config["DATABASE"])

    from .scim import views as scim_views
    from .views import (
        auth,
        control,
        groups_api,
        hooks,
        pages,
        saml,
        system,
        ui,
        ui_account,
        ui_groups,
        ui_nav,
        ui_settings,
        ui_users,
        users_api,
        v2_api,
    )

    hooks.register(app)
    ui.register(app)
    for blueprint in (
        system.bp,
        auth.bp,
        users_api.bp,
        groups_api.bp,
        v2_api.bp,
        scim_views.bp,
        saml.bp,
        pages.bp,
        ui_nav.bp,
        ui_account.bp,
        ui_settings.bp,
        ui_users.bp,
        ui_groups.bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["CONTROL_PLANE"]:
        for blueprint in control.blueprints():
            app.register_blueprint(blueprint)
    return app
