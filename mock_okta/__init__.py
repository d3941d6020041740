"""mock_okta: an Okta org (Workforce Identity) simulator."""

from flask import Flask

from mock_common.db import init_database

from .bootstrap import bootstrap
from .config import default_config
from .migrations import MIGRATIONS


def init_db(path: str) -> None:
    """Create or migrate the database and bootstrap a fresh org."""
    init_database(path, MIGRATIONS, bootstrap)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    app = Flask(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    init_db(app.config["DATABASE"])

    from .provisioning.worker import wake_worker
    from .views import (
        api_apps,
        api_groups,
        api_logs,
        api_tokens,
        api_users,
        console_api,
        console_pages,
        control,
        hooks,
        org,
        signin,
        sso,
    )

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
    return app
