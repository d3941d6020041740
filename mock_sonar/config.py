"""Defaults for mock_sonar, overridable from the environment and from create_app(test_config)."""

import os
from pathlib import Path

#: Editions as SonarQube names them; SCIM needs Enterprise or higher (reference §3.1).
EDITIONS = ("community", "developer", "enterprise", "datacenter")
SCIM_EDITIONS = ("enterprise", "datacenter")


def devenv_home() -> Path:
    """The state directory shared with devenv.sh (SPEC §2)."""
    return Path(os.environ.get("DEVENV_HOME", ".devenv")).resolve()


def default_config() -> dict:
    """Configuration from the environment, with the SPEC's defaults."""
    port = int(os.environ.get("SONAR_PORT", "9000"))
    return {
        "DATABASE": str(devenv_home() / "sonar.sqlite3"),
        "BASE_URL": os.environ.get("SONAR_URL", f"http://localhost:{port}"),
        "EDITION": os.environ.get("SONAR_EDITION", "enterprise"),
        "VERSION": "2025.1.0.102418",
        "SERVER_ID": "147B411E-AYgE5F7pEoXHSow6lKjD",
        "CONTROL_PLANE": True,
        # Bodies above this size are refused with 413 before any handler runs.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Open questions of reference/sonarqube.md §9: simulator settings, recommended defaults.
        "SCIM_DISABLED_STATUS": 404,
        "SCIM_GROUP_PATCH_STATUS": 204,
        "SCIM_DUPLICATE_EMAIL_STATUS": 409,
        "SCIM_ADOPT_LOCAL_GROUPS": True,
        "SCIM_DISCOVERY": True,
        "SCIM_MAX_COUNT": 100,
    }
