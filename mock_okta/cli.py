"""`mock-okta`: run and manage the Okta org simulator from the command line."""

from typing import TYPE_CHECKING

import click
from flask import Flask

from mock_common import clock
from mock_common.cli import AppCommands, app_command_line, open_database
from mock_okta import fixtures
from mock_okta.config import default_config
from mock_okta.directory import users
from mock_okta.errors import OktaError
from mock_okta.security import api_tokens

if TYPE_CHECKING:
    from mock_okta.provisioning.worker import ProvisioningWorker


def _init_db(path: str) -> None:
    from mock_okta import init_db

    init_db(path)


def _create_app(config: dict) -> Flask:
    from mock_okta import create_app

    return create_app(config)


def _start_worker(app: Flask) -> "ProvisioningWorker":
    from mock_okta.provisioning.worker import start_worker

    return start_worker(app)


cli = app_command_line(
    AppCommands(
        name="okta",
        description="Okta org (Workforce Identity) simulator.",
        db_envvar="MOCK_OKTA_DB",
        default_database=lambda: default_config()["DATABASE"],
        init_db=_init_db,
        create_app=_create_app,
        port_variable="OKTA_PORT",
        default_port=8080,
        start_background=_start_worker,  # Okta's SCIM push runs beside the web server
        seed=fixtures.seed,
        reset=fixtures.reset,
        errors=(OktaError,),
        init_help="Create or migrate the database and bootstrap the org (admin, Everyone, "
        "API token).",
    )
)


@cli.command("users")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """List users: id, login, status."""
    db = open_database(ctx)
    rows, _ = users.list_users(db, search="status pr", limit=100_000)
    for row in rows:
        click.echo(f"{row['id']}\t{row['login']}\t{row['status']}")


@cli.command("create-token")
@click.argument("name")
@click.pass_context
def create_token(ctx: click.Context, name: str) -> None:
    """Create an SSWS API token owned by the org admin and print it (shown once)."""
    db = open_database(ctx)
    _, value = api_tokens.create_admin_token(db, clock.now(db), name)
    click.echo(value)


@cli.command("scim-check")
@click.argument("url")
@click.option(
    "--token", required=True, help="The Bearer token Okta sends (Authorization: Bearer T)."
)
@click.option(
    "--dialect",
    type=click.Choice(["custom", "oin"]),
    default="custom",
    show_default=True,
    help="custom: a custom SAML app's SCIM (GET + PUT); oin: an OIN integration's (PATCH).",
)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the results as JUnit XML (one testcase per step) to this file.",
)
def scim_check(url: str, token: str, dialect: str, junit_path: str | None) -> None:
    """Run Okta's SCIM checks against the SCIM 2.0 base URL: the push engine's own requests
    (create, link, profile, deactivate, reactivate, Push Groups) and the probes of Okta's
    SCIM test plan. Exits non-zero when a step fails; removes what it created."""
    from mock_okta.scim_check.check import run_check
    from mock_okta.scim_check.report import junit_xml, text_report

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http:// or https:// URL", param_hint="URL")
    result = run_check(url, token, dialect)
    click.echo(text_report(result))
    if junit_path:
        with open(junit_path, "wb") as stream:
            stream.write(junit_xml(result))
    if not result.passed:
        raise SystemExit(1)
