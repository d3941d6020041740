"""SonarQube rows as SCIM resources, and SCIM payloads as SonarQube fields (§3.3)."""

import json

from scim2_models import Group, User
from sqlite_utils import Database

from . import storage

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def user_resource(db: Database, row: dict, base_url: str) -> dict:
    """A mapped user row as a SCIM User.

    SonarQube keeps one name; the name parts an IdP sent are echoed back so that a
    GET-then-PUT round trip (Okta's update dialect) loses nothing. Guess: the real
    field set is not public (§9).
    """
    attributes = json.loads(row.get("attributes") or "{}")
    name = {**attributes.get("name", {}), "formatted": row["name"]}
    resource: dict = {
        "schemas": [USER_SCHEMA],
        "id": row["scim_uuid"],
        "userName": row["external_id"],
        "name": name,
        "displayName": row["name"],
        "active": bool(row["active"]),
    }
    if row.get("email"):
        resource["emails"] = [{"value": row["email"], "type": "work", "primary": True}]
    resource["groups"] = [
        {"value": g["scim_uuid"], "display": g["name"],
         "$ref": f"{base_url}/api/scim/v2/Groups/{g['scim_uuid']}"}
        for g in storage.user_groups(db, row["uuid"])]
    resource["meta"] = _meta("User", row["scim_uuid"], row["created_at"], row["updated_at"],
                             base_url)
    return resource


def group_resource(db: Database, row: dict, base_url: str) -> dict:
    """A mapped group row as a SCIM Group; members are the managed users, by SCIM id."""
    members = [
        {"value": m["scim_uuid"], "display": m["external_id"],
         "$ref": f"{base_url}/api/scim/v2/Users/{m['scim_uuid']}"}
        for m in storage.group_members(db, row["uuid"])]
    return {
        "schemas": [GROUP_SCHEMA],
        "id": row["scim_uuid"],
        "displayName": row["name"],
        "members": members,
        "meta": _meta("Group", row["scim_uuid"], row["created_at"], row["created_at"],
                      base_url),
    }


def _meta(kind: str, scim_uuid: str, created: str, modified: str, base_url: str) -> dict:
    return {"resourceType": kind, "created": created, "lastModified": modified,
            "location": f"{base_url}/api/scim/v2/{kind}s/{scim_uuid}"}


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


def stored_attributes(user: User) -> dict:
    """SCIM attributes kept beside the SonarQube row (the name parts)."""
    if user.name is None:
        return {}
    parts = user.name.model_dump(exclude_none=True, by_alias=True)
    parts.pop("formatted", None)
    return {"name": parts} if parts else {}


def member_ids(group: Group) -> list[str]:
    """The SCIM user ids listed in a group's members."""
    return [m.value for m in group.members or [] if m.value]
