"""The state of a fresh org: the super admin, the built-in `Everyone` group, the API token."""

import json
from datetime import datetime

from sqlite_utils import Database

from mock_okta.config import DEFAULT_API_TOKEN, ORG_ADMIN_LOGIN, ORG_ADMIN_PASSWORD
from mock_okta.directory.passwords import hash_password
from mock_okta.security import api_tokens
from mock_okta.storage.ids import GROUP, ORG, USER, new_id
from mock_okta.storage.org import save_org
from mock_okta.storage.pagination import next_seq

EVERYONE = "Everyone"


def bootstrap(db: Database, now: datetime) -> bool:
    """Create the org's built-in objects if the org is empty."""
    if db["users"].count:
        return False
    stamp = now.isoformat()
    save_org(
        db,
        {
            "id": new_id(ORG),
            "subdomain": "devenvorg",
            "companyName": "Devenv Org",
            "userTypeId": new_id("oty"),
        },
    )
    db["groups"].insert(
        {
            "id": new_id(GROUP),
            "seq": next_seq(db, "groups"),
            "type": "BUILT_IN",
            "name": EVERYONE,
            "description": "All users in your organization",
            "profile": json.dumps(
                {"name": EVERYONE, "description": "All users in your organization"}
            ),
            "created": stamp,
            "last_updated": stamp,
            "last_membership_updated": stamp,
        }
    )
    admin_id = new_id(USER)
    profile = {
        "login": ORG_ADMIN_LOGIN,
        "email": ORG_ADMIN_LOGIN,
        "firstName": "Org",
        "lastName": "Admin",
        "displayName": "Org Admin",
        "title": "Super Administrator",
    }
    db["users"].insert(
        {
            "id": admin_id,
            "seq": next_seq(db, "users"),
            "status": "ACTIVE",
            "created": stamp,
            "activated": stamp,
            "status_changed": stamp,
            "last_updated": stamp,
            "password_changed": stamp,
            "login": ORG_ADMIN_LOGIN,
            "profile": json.dumps(profile),
            "password_hash": hash_password(ORG_ADMIN_PASSWORD),
            "provider": "OKTA",
        }
    )
    everyone = next(db.query("select id from groups where type = 'BUILT_IN'"))["id"]
    db["group_members"].insert(
        {"group_id": everyone, "user_id": admin_id, "source": "MANUAL", "created": stamp}
    )
    api_tokens.create_token(db, now, "devenv", value=DEFAULT_API_TOKEN, user_id=admin_id)
    return True
