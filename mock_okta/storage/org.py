"""The org's own settings (id, subdomain, company name, default user type), kept as one JSON
value in `internal_properties`."""

import json

from sqlite_utils import Database

from mock_common.db import transactional

_ORG_KEY = "org"


def org(db: Database) -> dict:
    """The org's id, subdomain and name ({} before the org is bootstrapped)."""
    rows = list(db.query("select value from internal_properties where kee = ?", [_ORG_KEY]))
    return json.loads(rows[0]["value"]) if rows else {}


@transactional
def save_org(db: Database, settings: dict) -> None:
    """Store the org's settings (done once, by the bootstrap)."""
    db["internal_properties"].upsert({"kee": _ORG_KEY, "value": json.dumps(settings)}, pk="kee")
