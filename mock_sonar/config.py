"""Defaults for mock_sonar, overridable from the environment and from create_app(test_config)."""

import os
from enum import StrEnum
from pathlib import Path

from mock_common.web import allowed_hosts_from_env


class Edition(StrEnum):
    """Editions as SonarQube names them (SONAR_EDITION)."""

    COMMUNITY = "community"
    DEVELOPER = "developer"
    ENTERPRISE = "enterprise"
    DATACENTER = "datacenter"


EDITIONS = tuple(edition.value for edition in Edition)
#: SCIM needs Enterprise or higher (reference §3.1).
SCIM_EDITIONS = (Edition.ENTERPRISE, Edition.DATACENTER)


#: Simulator settings for what is not public about SonarQube's SCIM server.
SCIM_SETTINGS: dict[str, int | bool] = {
    "SCIM_DISABLED_STATUS": 404,  # status while SCIM is off (404, or 403)
    "SCIM_GROUP_PATCH_STATUS": 204,  # PATCH /Groups answers 204, or 200 with the group
    "SCIM_DUPLICATE_EMAIL_STATUS": 409,  # 409 uniqueness, or 400 invalidValue
    "SCIM_ADOPT_LOCAL_GROUPS": True,  # POST /Groups adopts a local group of that name
    "SCIM_DISCOVERY": True,  # serve ServiceProviderConfig, ResourceTypes, Schemas
    "SCIM_MAX_COUNT": 100,  # the most resources one list response holds
}


def _env_value(name: str, default: int | bool) -> int | bool:
    raw = os.environ.get(f"MOCK_SONAR_{name}")
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return int(raw)


def devenv_home() -> Path:
    """The state directory shared with devenv.sh (SPEC §2)."""
    return Path(os.environ.get("DEVENV_HOME", ".devenv")).resolve()


def default_config() -> dict:
    """Configuration from the environment, with the SPEC's defaults."""
    port = int(os.environ.get("SONAR_PORT", "9000"))
    return {
        "DATABASE": str(devenv_home() / "sonar.sqlite3"),
        "BASE_URL": os.environ.get("SONAR_URL", f"http://localhost:{port}"),
        "EDITION": os.environ.get("SONAR_EDITION", Edition.ENTERPRISE.value),
        "VERSION": "2025.1.0.102418",
        "SERVER_ID": "147B411E-AYgE5F7pEoXHSow6lKjD",
        "CONTROL_PLANE": True,
        # The key files' folder, ${DEVENV_KEYS} of the fixtures `/_mock/seed` loads.
        "KEYS_DIR": os.environ.get("DEVENV_KEYS", str(devenv_home() / "keys")),
        # More Host names to answer to than the public one and loopback (DEVENV_ALLOWED_HOSTS).
        "ALLOWED_HOSTS": allowed_hosts_from_env(),
        # Bodies above this size are refused with 413 before any handler runs.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Open questions of reference/sonarqube.md §9: simulator settings with the
        # recommended defaults, each overridable as MOCK_SONAR_<NAME> in the environment.
        **{name: _env_value(name, default) for name, default in SCIM_SETTINGS.items()},
    }
