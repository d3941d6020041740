"""SonarQube rows as SCIM resources, and SCIM payloads as SonarQube fields (§3.3)."""

import json

from scim2_models import Context, Group, User
from sqlite_utils import Database

from mock_sonar.accounts import scim_mapping

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def user_resource(db: Database, row: dict, base_url: str) -> dict:
    """A mapped user row as a SCIM User.

    SonarQube's own fields (userName = external identity, one name, one email, active,
    groups) come from its tables. The other attributes the IdP sent last are echoed back,
    so a GET-then-PUT round trip (Okta's update dialect) loses nothing. Guess: the real
    field set is not public (reference §9).
    """
    extra = json.loads(row.get("attributes") or "{}")
    resource: dict = {
        "schemas": extra.pop("schemas", None) or [USER_SCHEMA],
        "id": row["scim_uuid"],
        "userName": row["external_id"],
        "name": extra.pop("name", None) or {"formatted": row["name"]},
        "displayName": row["name"],
        "active": bool(row["active"]),
    }
    emails = extra.pop("emails", None)
    if row.get("email"):
        stored = [e.get("value") for e in emails or []]
        same = bool(stored) and row["email"] in stored
        resource["emails"] = (
            emails if same else [{"value": row["email"], "type": "work", "primary": True}]
        )
    resource.update(extra)
    resource["groups"] = [
        {
            "value": g["scim_uuid"],
            "display": g["name"],
            "type": "direct",
            "$ref": f"{base_url}/api/scim/v2/Groups/{g['scim_uuid']}",
        }
        for g in scim_mapping.user_groups(db, row["uuid"])
    ]
    resource["meta"] = _meta(
        "User", row["scim_uuid"], row["created_at"], row["updated_at"], base_url
    )
    return resource


def group_resource(db: Database, row: dict, base_url: str) -> dict:
    """A mapped group row as a SCIM Group; members are the managed users, by SCIM id."""
    members = [
        {
            "value": m["scim_uuid"],
            "display": m["external_id"],
            "type": "User",
            "$ref": f"{base_url}/api/scim/v2/Users/{m['scim_uuid']}",
        }
        for m in scim_mapping.group_members(db, row["uuid"])
    ]
    extra = json.loads(row.get("attributes") or "{}")
    return {
        "schemas": [GROUP_SCHEMA],
        "id": row["scim_uuid"],
        **{k: v for k, v in extra.items() if k not in _OWNED_BY_GROUP},
        "displayName": row["name"],
        "members": members,
        "meta": _meta(
            "Group",
            row["scim_uuid"],
            row["created_at"],
            row.get("last_modified") or row["created_at"],
            base_url,
        ),
    }


def _meta(kind: str, scim_uuid: str, created: str, modified: str, base_url: str) -> dict:
    return {
        "resourceType": kind,
        "created": created,
        "lastModified": modified,
        "location": f"{base_url}/api/scim/v2/{kind}s/{scim_uuid}",
    }


def sonar_name(user: User) -> str:
    """SonarQube's name: displayName, else name.formatted, else given + family, else userName."""
    if user.display_name:
        return user.display_name
    if user.name and user.name.formatted:
        return user.name.formatted
    if user.name and (user.name.given_name or user.name.family_name):
        return " ".join(p for p in (user.name.given_name, user.name.family_name) if p)
    return user.user_name or ""


def sonar_email(user: User) -> str | None:
    """The primary email, else the first one."""
    if not user.emails:
        return None
    primary = [e for e in user.emails if e.primary]
    return (primary or user.emails)[0].value


#: Attributes SonarQube owns (or must never keep, like the password): not echoed from storage.
_OWNED = ("id", "meta", "userName", "displayName", "active", "password", "groups")


_OWNED_BY_GROUP = ("schemas", "id", "meta", "displayName", "members")


def stored_attributes(resource: User | Group) -> dict:
    """The SCIM attributes kept beside the SonarQube row, as the IdP sent them."""
    owned = _OWNED if isinstance(resource, User) else _OWNED_BY_GROUP
    # Left out of the dump rather than dropped after it: a group's members are thousands.
    fields = type(resource).model_fields
    left_out = {name for name, field in fields.items() if field.serialization_alias in owned}
    payload = resource.model_dump(scim_ctx=Context.RESOURCE_CREATION_REQUEST, exclude=left_out)
    return {key: value for key, value in payload.items() if key not in owned}


def member_ids(group: Group) -> list[str]:
    """The SCIM user ids listed in a group's members."""
    return [m.value for m in group.members or [] if m.value]
