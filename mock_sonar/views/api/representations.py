"""JSON shapes of users, groups and tokens, in the Web API's v1 and v2 casing.

Sources: `UserJsonWriter`, `SearchWsReponseGenerator`, `CurrentAction`, `CreateAction`
(ws-users.proto), `usertoken/ws/*`, `GroupWsSupport.toProtobuf` and the v2 records
`UserRestResponseFor*`, `GroupRestResponse`, `GroupMembershipRestResponse`. Like SonarQube's
JsonWriter and protobuf writer, v1 leaves out absent optional values; v2 (Jackson) writes nulls.
"""

import hashlib
import json
from datetime import UTC, date, datetime, time

from sqlite_utils import Database

from mock_sonar.accounts import groups, management, memberships, permissions, tokens
from mock_sonar.clock import format_datetime


def avatar(email: str | None) -> str | None:
    """AvatarResolverImpl: the md5 hex of the lower-cased email; none without an email."""
    if not email:
        return None
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def scm_accounts(user: dict) -> list[str]:
    """The user's SCM accounts, sorted."""
    return sorted(json.loads(user["scm_accounts"] or "[]"))


def _put(out: dict, key: str, value: object) -> None:
    if value is not None:
        out[key] = value


# --- v1 users --------------------------------------------------------------------------------


def v1_search_user(db: Database, user: dict, *, logged_in: bool, full: bool) -> dict:
    """api/users/search (SearchWsReponseGenerator): more fields for admins and oneself."""
    out = {"login": user["login"], "name": user["name"]}
    if logged_in:
        out["active"] = bool(user["active"])
        if scm_accounts(user):
            out["scmAccounts"] = scm_accounts(user)
        out["local"] = bool(user["local"])
        out["externalProvider"] = user["external_provider"]
        _put(out, "avatar", avatar(user["email"]))
    if full:
        _put(out, "email", user["email"])
        if memberships.group_names(db, user["uuid"]):
            out["groups"] = memberships.group_names(db, user["uuid"])
        out["tokensCount"] = tokens.count_tokens(db, user["uuid"])
        out["externalIdentity"] = user["external_login"]
        _put(out, "lastConnectionDate", format_datetime(user["last_connection_date"]))
        _put(
            out,
            "sonarLintLastConnectionDate",
            format_datetime(user["sonarlint_last_connection_date"]),
        )
        out["managed"] = management.is_user_managed(db, user["uuid"])
    return out


def v1_user(db: Database, user: dict, *, admin: bool) -> dict:
    """UserJsonWriter with its FIELDS (update, deactivate): groups only for administrators."""
    out = {"login": user["login"], "name": user["name"]}
    _put(out, "email", user["email"])
    out.update(
        active=bool(user["active"]),
        local=bool(user["local"]),
        externalIdentity=user["external_login"],
        externalProvider=user["external_provider"],
    )
    if admin:
        out["groups"] = memberships.group_names(db, user["uuid"])
    out["scmAccounts"] = scm_accounts(user)
    return out


def v1_created_user(user: dict) -> dict:
    """CreateWsResponse.User."""
    out = {"login": user["login"], "name": user["name"]}
    _put(out, "email", user["email"])
    out.update(
        scmAccounts=scm_accounts(user), active=bool(user["active"]), local=bool(user["local"])
    )
    return out


def v1_current_user(db: Database, user: dict) -> dict:
    """api/users/current for a logged-in user (CurrentAction, current-example.json)."""
    held = permissions.user_permissions(db, user["uuid"])
    out = {"isLoggedIn": True, "id": user["uuid"], "login": user["login"], "name": user["name"]}
    _put(out, "email", user["email"])
    out.update(
        local=bool(user["local"]),
        externalIdentity=user["external_login"],
        externalProvider=user["external_provider"],
        scmAccounts=scm_accounts(user),
        groups=memberships.group_names(db, user["uuid"]),
        permissions={"global": [p for p in permissions.Permission if p in held]},
    )
    _put(out, "avatar", avatar(user["email"]))
    # HomepageTypesImpl's default; the notice keys are the two of current-example.json
    # (the full list changes between versions: guessed).
    out.update(
        homepage={"type": "PROJECTS"},
        usingSonarLintConnectedMode=user["sonarlint_last_connection_date"] is not None,
        dismissedNotices={"educationPrinciples": False, "sonarlintAd": False},
    )
    return out


# --- v1 tokens -------------------------------------------------------------------------------


def _expiration(token: dict) -> str | None:
    # GenerateAction stores the start of the day in the server's zone (UTC here).
    if not token["expiration_date"]:
        return None
    day = date.fromisoformat(token["expiration_date"][:10])
    return format_datetime(datetime.combine(day, time(), tzinfo=UTC))


def v1_generated_token(user: dict, token: dict, value: str) -> dict:
    """GenerateWsResponse: the clear value appears here and nowhere else."""
    out = {
        "login": user["login"],
        "name": token["name"],
        "createdAt": format_datetime(token["created_at"]),
        "token": value,
        "type": token["type"],
    }
    _put(out, "projectKey", token["project_key"])
    _put(out, "expirationDate", _expiration(token))
    return out


def v1_token(token: dict, now: datetime) -> dict:
    """One entry of api/user_tokens/search."""
    out = {"name": token["name"], "createdAt": format_datetime(token["created_at"])}
    _put(out, "lastConnectionDate", format_datetime(token["last_connection_date"]))
    out["type"] = token["type"]
    if token["project_key"]:
        # No project table here: the project's name is shown as its key (guessed).
        out["project"] = {"key": token["project_key"], "name": token["project_key"]}
    out["isExpired"] = tokens.is_expired(token, now)
    _put(out, "expirationDate", _expiration(token))
    return out


# --- v1 groups -------------------------------------------------------------------------------


def v1_group(db: Database, group: dict) -> dict:
    """api/user_groups/search: no `id` since 10.0, `managed` added."""
    out = {"name": group["name"]}
    _put(out, "description", group["description"])
    out.update(
        membersCount=memberships.members_count(db, group["uuid"]),
        default=groups.is_default(group),
        managed=management.is_group_managed(db, group["uuid"]),
    )
    return out


def v1_group_member(db: Database, group: dict, user: dict) -> dict:
    """One user of api/user_groups/users, and whether they belong to the group."""
    return {
        "login": user["login"],
        "name": user["name"],
        "selected": memberships.is_member(db, group, user["uuid"]),
    }


def v1_group_with_id(db: Database, group: dict) -> dict:
    """GroupWsSupport.toProtobuf (create, update responses)."""
    out = {"id": group["uuid"], "name": group["name"]}
    _put(out, "description", group["description"])
    out.update(
        membersCount=memberships.members_count(db, group["uuid"]), default=groups.is_default(group)
    )
    return out


# --- v2 --------------------------------------------------------------------------------------


def v2_user(db: Database, user: dict, *, logged_in: bool, full: bool) -> dict:
    """UserRestResponseForAdmins / ForLoggedInUsers / ForAnonymousUsers."""
    out = {"id": user["uuid"], "login": user["login"], "name": user["name"]}
    if not logged_in:
        return out
    out.update(email=user["email"], active=bool(user["active"]), local=bool(user["local"]))
    if not full:
        out.update(externalProvider=user["external_provider"], avatar=avatar(user["email"]))
        return out
    out.update(
        managed=management.is_user_managed(db, user["uuid"]),
        externalLogin=user["external_login"],
        externalProvider=user["external_provider"],
        externalId=user["external_id"],
        avatar=avatar(user["email"]),
        sonarQubeLastConnectionDate=format_datetime(user["last_connection_date"]),
        sonarLintLastConnectionDate=format_datetime(user["sonarlint_last_connection_date"]),
        scmAccounts=scm_accounts(user),
    )
    return out


def v2_group(db: Database, group: dict) -> dict:
    """GroupRestResponse."""
    return {
        "id": group["uuid"],
        "name": group["name"],
        "description": group["description"],
        "managed": management.is_group_managed(db, group["uuid"]),
        "default": groups.is_default(group),
    }


def v2_membership(membership: dict) -> dict:
    """GroupMembershipRestResponse: the id is groups_users.uuid."""
    return {
        "id": membership["uuid"],
        "groupId": membership["group_uuid"],
        "userId": membership["user_uuid"],
    }


def page(page_index: int, page_size: int, total: int) -> dict:
    """v2 PageRestResponse."""
    return {"pageIndex": page_index, "pageSize": page_size, "total": total}


def paging(page_index: int, page_size: int, total: int) -> dict:
    """v1 Paging."""
    return {"pageIndex": page_index, "pageSize": page_size, "total": total}
