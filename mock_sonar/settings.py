"""Global settings (`properties`) and internal properties, as `api/settings/*` exposes them."""

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.errors import BadRequest
from mock_sonar.text import check_no_nul

#: Settings with a built-in default; everything else has no value until set.
DEFAULTS: dict[str, str] = {
    "sonar.forceAuthentication": "true",
    "projects.default.visibility": "public",
    "sonar.auth.saml.enabled": "false",
    "sonar.auth.saml.applicationId": "sonarqube",
    "sonar.auth.saml.providerName": "SAML",
    "sonar.auth.saml.signature.enabled": "false",
}

#: Multi-valued settings are returned as `values` (reference §6.9).
MULTI_VALUED = {"sonar.core.scmAccounts", "sonar.auth.saml.group.names"}

SCIM_ENABLED = "sonar.scim.enabled"


def is_secured(key: str) -> bool:
    """`*.secured` values are never returned by the Web API."""
    return key.endswith(".secured")


def get_value(db: Database, key: str) -> str | None:
    """The stored value, else the default, else None."""
    rows = list(db.query("select value from properties where kee = ?", [key]))
    return rows[0]["value"] if rows else DEFAULTS.get(key)


def get_bool(db: Database, key: str) -> bool:
    """A boolean setting."""
    return (get_value(db, key) or "false").lower() == "true"


def stored_values(db: Database) -> dict[str, str]:
    """Every explicitly set property."""
    return {row["kee"]: row["value"] for row in db.query("select kee, value from properties")}


@transactional
def set_value(db: Database, key: str, value: str | list[str]) -> None:
    """Store a value; multi-values are kept comma-separated as SonarQube does."""
    if not key:
        raise BadRequest("The 'key' parameter is missing")
    check_no_nul("Setting key", key)
    check_no_nul("Setting value", *(value if isinstance(value, list) else [value]))
    text = ",".join(value) if isinstance(value, list) else value
    db["properties"].upsert({"kee": key, "value": text}, pk="kee")


@transactional
def reset_values(db: Database, keys: list[str]) -> None:
    """Remove stored values so the defaults apply again."""
    for key in keys:
        db.execute("delete from properties where kee = ?", [key])


def get_internal(db: Database, key: str) -> str | None:
    """An internal property (not visible through api/settings)."""
    rows = list(db.query("select value from internal_properties where kee = ?", [key]))
    return rows[0]["value"] if rows else None


@transactional
def set_internal(db: Database, key: str, value: str | None) -> None:
    """Store or delete an internal property."""
    if value is None:
        db.execute("delete from internal_properties where kee = ?", [key])
    else:
        db["internal_properties"].upsert({"kee": key, "value": value}, pk="kee")
