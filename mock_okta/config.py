"""Defaults for mock_okta, overridable from the environment and from create_app(test_config)."""

import os
from pathlib import Path

from mock_common.web import allowed_hosts_from_env

#: The fixture's API token (SPEC §2): `Authorization: SSWS 00devenvLocalApiToken...`.
DEFAULT_API_TOKEN = "00devenvLocalApiToken000000000000000000000"
#: The org's super admin (SPEC §2), made by the bootstrap; the Admin Console's only user.
ORG_ADMIN_LOGIN = "admin@example.com"
ORG_ADMIN_PASSWORD = "Passw0rd!"


def devenv_home() -> Path:
    """The state directory shared with devenv.sh (SPEC §2)."""
    return Path(os.environ.get("DEVENV_HOME", ".devenv")).resolve()


def default_config() -> dict:
    """Configuration from the environment, with the SPEC's defaults."""
    port = int(os.environ.get("OKTA_PORT", "8080"))
    return {
        "DATABASE": str(devenv_home() / "okta.sqlite3"),
        # The org URL: what the SDK's orgUrl is and what every _links href starts with.
        "BASE_URL": os.environ.get("OKTA_ORG_URL", f"http://localhost:{port}"),
        "CONTROL_PLANE": True,
        # The key files' folder, ${DEVENV_KEYS} of the fixtures `/_mock/seed` loads.
        "KEYS_DIR": os.environ.get("DEVENV_KEYS", str(devenv_home() / "keys")),
        # More Host names to answer to than the public one and loopback (DEVENV_ALLOWED_HOSTS).
        "ALLOWED_HOSTS": allowed_hosts_from_env(),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # X-Rate-Limit-* headers advertise this per-minute budget (no throttling is applied).
        "RATE_LIMIT_PER_MINUTE": 600,
    }
