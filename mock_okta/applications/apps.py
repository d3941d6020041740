"""Applications: custom SAML 2.0 apps and the other sign-on modes admin scripts create.

Okta Applications API (reference/okta.md §5.6, §6). The `apps` row keeps Okta's top-level
fields in columns and the rest of the app object (accessibility, visibility, credentials,
settings, profile) in `body`, plus an internal part (signing key, app link id) that the API
never returns.
"""

import json
import re
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import outbox, system_log
from mock_okta.applications import features
from mock_okta.applications.sign_on import (
    BASIC_AUTH,
    BOOKMARK,
    DEFAULT_USERNAME_TEMPLATE,
    OIN_NAMES,
    SAML_2_0,
    build_parts,
    label_of,
    new_name,
    sign_on_mode_of,
    visibility_of,
)
from mock_okta.applications.signing_keys import new_signing_key
from mock_okta.directory import groups
from mock_okta.errors import (
    ApiValidationFailed,
    DeleteAppForbidden,
    InvalidSearchCriteria,
    ResourceNotFound,
)
from mock_okta.storage import like
from mock_okta.storage.ids import APP, EXTERNAL_KEY, new_id
from mock_okta.storage.org import org
from mock_okta.storage.pagination import next_seq, page
from mock_okta.timestamps import okta_datetime

#: Key of the part of `body` that is never returned by the API.
INTERNAL = "_internal"
_FILTER = re.compile(r'^\s*([A-Za-z.]+)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)
_FILTER_COLUMNS = {
    "id": "id = :value",
    "status": "status = :value",
    "name": "name = :value",
    "user.id": "id in (select app_id from app_users where user_id = :value)",
    "group.id": "id in (select app_id from app_groups where group_id = :value)",
    "credentials.signing.kid": "json_extract(body, '$.credentials.signing.kid') = :value",
}


def get_app(db: Database, app_id: str) -> dict | None:
    """An app row by id."""
    rows = list(db.query("select * from apps where id = ?", [app_id]))
    return rows[0] if rows else None


def require_app(db: Database, app_id: str) -> dict:
    """The app, or E0000007."""
    app = get_app(db, app_id)
    if app is None:
        raise ResourceNotFound(app_id, "AppInstance")
    return app


def count_active_apps(db: Database) -> int:
    """How many apps are ACTIVE."""
    return next(db.query("select count(*) as n from apps where status = 'ACTIVE'"))["n"]


def app_by_external_key(db: Database, external_key: str) -> dict | None:
    """The app whose externalKey (the `exk…` in its SAML URLs) is given."""
    rows = list(db.query("select * from apps where external_key = ?", [external_key]))
    return rows[0] if rows else None


def body_of(app: dict) -> dict:
    """The app's stored object (with its internal part)."""
    return json.loads(app["body"])


def internal_of(app: dict) -> dict:
    """The internal part: signing key, app link id, OIDC secret source."""
    return body_of(app).get(INTERNAL, {})


# --- signing keys (Application Credentials) -------------------------------------------------


def signing_keys_of(app: dict) -> list[dict]:
    """Every key credential of the app, oldest first; `internal["signing"]` is the active one."""
    internal = internal_of(app)
    return internal.get("keys") or ([internal["signing"]] if internal.get("signing") else [])


def require_key(db: Database, app_id: str, kid: str) -> dict:
    """One of the app's key credentials, or E0000007."""
    app = require_app(db, app_id)
    for key in signing_keys_of(app):
        if key["kid"] == kid:
            return key
    raise ResourceNotFound(kid, "AppInstanceKeyCredential")  # Guess: the resource name


@transactional
def generate_key(db: Database, now: datetime, app_id: str, validity_years: int) -> dict:
    """credentials/keys/generate: a new certificate, not yet used until the app's
    `credentials.signing.kid` names it (Okta: "Replace an Application" with the new kid)."""
    app = require_app(db, app_id)
    if not 2 <= validity_years <= 10:
        raise ApiValidationFailed(
            summary="Api validation failed: generateKey",
            causes=["Validity years out of range. It should be 2 - 10 years."],
        )
    key = new_signing_key(org(db).get("subdomain", "org"), now, validity_years)
    _store_keys(db, now, app, [*signing_keys_of(app), key])
    return key


@transactional
def clone_key(db: Database, now: datetime, app_id: str, kid: str, target_app_id: str) -> dict:
    """credentials/keys/{kid}/clone?targetAid=: the same certificate in another app."""
    key = require_key(db, app_id, kid)
    target = require_app(db, target_app_id)
    if any(known["kid"] == kid for known in signing_keys_of(target)):
        raise ApiValidationFailed(
            summary="Api validation failed: cloneKey",
            causes=["Key already exists in the list of key credentials for the target app."],
        )
    _store_keys(db, now, target, [*signing_keys_of(target), key])
    return key


def _store_keys(db: Database, now: datetime, app: dict, keys: list[dict]) -> None:
    body = body_of(app)
    internal = body.setdefault(INTERNAL, {})
    internal["keys"] = keys
    db["apps"].update(app["id"], {"body": json.dumps(body), "last_updated": now.isoformat()})


def _active_key(app: dict, requested: object) -> dict:
    """The key `credentials.signing.kid` names in a replace body (the current one if none)."""
    current = internal_of(app).get("signing")
    if requested is None or (current and requested == current["kid"]):
        return current
    for key in signing_keys_of(app):
        if key["kid"] == requested:
            return key
    # Guess: the wording of a kid that is not one of the app's key credentials.
    raise ApiValidationFailed("kid", ["kid: Invalid kid: the key does not belong to this app"])


def user_name_template(app: dict) -> dict:
    """credentials.userNameTemplate of the app."""
    credentials = body_of(app).get("credentials") or {}
    return credentials.get("userNameTemplate") or DEFAULT_USERNAME_TEMPLATE


def app_link_name(app: dict) -> str:
    """The app link's name: OIN templates call it `login`, custom apps `<name>_link`."""
    return _link_name(app["name"])


def _link_name(name: str) -> str:
    return "login" if name in (OIN_NAMES[BOOKMARK], OIN_NAMES[BASIC_AUTH]) else f"{name}_link"


LOGO = "/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png"


def app_json(db: Database, app: dict, base_url: str) -> dict:
    """The Application object as the API returns it (Okta's createApplication examples)."""
    body = body_of(app)
    internal = body.pop(INTERNAL, {})
    href = f"{base_url}/api/v1/apps/{app['id']}"
    links: dict = {
        "uploadLogo": {"href": f"{href}/logo", "hints": {"allow": ["POST"]}},
        "appLinks": [
            {
                "name": app_link_name(app),
                "href": f"{base_url}/home/{app['name']}/{app['id']}/{internal.get('alnId')}",
                "type": "text/html",
            }
        ],
        "groups": {"href": f"{href}/groups"},
        "logo": [{"name": "medium", "href": f"{base_url}{LOGO}", "type": "image/png"}],
        "users": {"href": f"{href}/users"},
        "self": {"href": href},
    }
    if app["status"] == "ACTIVE":
        links["deactivate"] = {"href": f"{href}/lifecycle/deactivate"}
    else:
        links["activate"] = {"href": f"{href}/lifecycle/activate"}
    if app["sign_on_mode"] == SAML_2_0:
        links["metadata"] = {"href": f"{href}/sso/saml/metadata", "type": "application/xml"}
    result = {
        "id": app["id"],
        "orn": f"orn:okta:idp:{org(db).get('id')}:apps:{app['name']}:{app['id']}",
        "name": app["name"],
        "label": app["label"],
        "status": app["status"],
        "lastUpdated": okta_datetime(app["last_updated"]),
        "created": okta_datetime(app["created"]),
        "accessibility": body.get("accessibility"),
        "visibility": body.get("visibility"),
        "features": features.app_feature_names(db, app["id"]),
        "signOnMode": app["sign_on_mode"],
        "credentials": body.get("credentials"),
        "settings": body.get("settings"),
    }
    if "profile" in body:
        result["profile"] = body["profile"]
    result["_links"] = links
    return result


@transactional
def create_app(
    db: Database,
    now: datetime,
    body: dict,
    *,
    activate: bool = True,
    actor: dict | None = None,
    app_id: str | None = None,
    external_key: str | None = None,
    signing_key: dict | None = None,
) -> dict:
    """POST /api/v1/apps. `app_id`/`external_key`/`signing_key` give fixtures stable values."""
    label, mode = label_of(body), sign_on_mode_of(body)
    app_id = app_id or new_id(APP)
    subdomain = org(db).get("subdomain", "org")
    name = new_name(db, mode, body, subdomain, label)
    parts = build_parts(mode, body, app_id=app_id, previous=None)
    parts["visibility"] = visibility_of(body.get("visibility"), mode, _link_name(name), None)
    internal = {"alnId": new_id("aln")}
    if mode == SAML_2_0:  # last: a key costs ~60 ms, not to be made for a refused body
        internal["signing"] = signing_key or new_signing_key(subdomain, now)
        parts["credentials"]["signing"] = {"kid": internal["signing"]["kid"]}
    stamp = now.isoformat()
    db["apps"].insert(
        {
            "id": app_id,
            "seq": next_seq(db, "apps"),
            "name": name,
            "label": label,
            "status": "ACTIVE" if activate else "INACTIVE",
            "sign_on_mode": mode,
            "external_key": external_key or new_id(EXTERNAL_KEY),
            "created": stamp,
            "last_updated": stamp,
            "body": json.dumps({**parts, INTERNAL: internal}),
        }
    )
    app = require_app(db, app_id)
    _log(db, now, "application.lifecycle.create", "Create application", app, actor)
    if activate:
        _log(db, now, "application.lifecycle.activate", "Activate application", app, actor)
    return app


@transactional
def replace_app(
    db: Database, now: datetime, app_id: str, body: dict, *, actor: dict | None = None
) -> dict:
    """PUT /api/v1/apps/{id}: id, name, status, created and keys are system-assigned."""
    app = require_app(db, app_id)
    label, mode = label_of(body), sign_on_mode_of(body)
    if mode != app["sign_on_mode"]:
        # Guess: Okta refuses to turn an app into another sign-on mode.
        raise ApiValidationFailed("signOnMode", ["signOnMode: The sign-on mode cannot be changed"])
    stored = body_of(app)
    parts = build_parts(mode, body, app_id=app["id"], previous=stored)
    if mode == SAML_2_0:
        # Rotation: naming another of the app's keys makes it the one the app signs with.
        signing = (body.get("credentials") or {}).get("signing")
        requested = signing.get("kid") if isinstance(signing, dict) else None
        stored[INTERNAL]["signing"] = _active_key(app, requested)
        parts["credentials"]["signing"] = {"kid": stored[INTERNAL]["signing"]["kid"]}
    parts["visibility"] = visibility_of(
        body.get("visibility"), mode, app_link_name(app), stored.get("visibility")
    )
    db["apps"].update(
        app["id"],
        {
            "label": label,
            "last_updated": now.isoformat(),
            "body": json.dumps({**parts, INTERNAL: stored[INTERNAL]}),
        },
    )
    app = require_app(db, app["id"])
    _log(db, now, "application.lifecycle.update", "Update application", app, actor)
    return app


@transactional
def activate_app(db: Database, now: datetime, app_id: str, *, actor: dict | None = None) -> dict:
    """POST …/lifecycle/activate; activating an ACTIVE app changes nothing."""
    app = require_app(db, app_id)
    if app["status"] != "ACTIVE":
        db["apps"].update(app["id"], {"status": "ACTIVE", "last_updated": now.isoformat()})
        _log(db, now, "application.lifecycle.activate", "Activate application", app, actor)
    return require_app(db, app["id"])


@transactional
def deactivate_app(db: Database, now: datetime, app_id: str, *, actor: dict | None = None) -> dict:
    """POST …/lifecycle/deactivate; assignments are kept (not reconciled away: a guess)."""
    app = require_app(db, app_id)
    if app["status"] != "INACTIVE":
        db["apps"].update(app["id"], {"status": "INACTIVE", "last_updated": now.isoformat()})
        _log(db, now, "application.lifecycle.deactivate", "Deactivate application", app, actor)
    return require_app(db, app["id"])


@transactional
def delete_app(db: Database, now: datetime, app_id: str, *, actor: dict | None = None) -> None:
    """DELETE /api/v1/apps/{id}: only INACTIVE apps (E0000056 otherwise)."""
    app = require_app(db, app_id)
    if app["status"] != "INACTIVE":
        raise DeleteAppForbidden()
    _log(db, now, "application.lifecycle.delete", "Delete application", app, actor)
    # Nothing is pushed for an inactive app, and a deleted one has nowhere to push to.
    outbox.drop_pending(db, app["id"])
    # App users, group assignments, features, the connection and push mappings cascade.
    db.execute("delete from apps where id = ?", [app["id"]])
    # Guess: the app's own groups (APP_GROUPs it imported or pushed) go with it.
    groups.delete_app_groups_of(db, app["id"])


def list_apps(
    db: Database,
    *,
    q: str | None = None,
    filter_: str | None = None,
    after: str | None = None,
    limit: int = 20,
) -> tuple[list[dict], str | None]:
    """Apps in creation order; `q` is a name/label prefix, `filter` one `eq` expression."""
    where, params = [], {}
    if q:
        where.append("(name like :q escape '\\' or label like :q escape '\\')")
        params["q"] = like.starts_with(q)
    if filter_:
        attribute, value = parse_filter(filter_)
        where.append(_FILTER_COLUMNS[attribute])
        params["value"] = value
    return page(db, table="apps", where=where, params=params, after=after, limit=limit)


def parse_filter(expression: str) -> tuple[str, str]:
    """(attribute, value) of `attr eq "value"`; Okta supports a single `eq` expression."""
    match = _FILTER.match(expression)
    if not match or match.group(1) not in _FILTER_COLUMNS:
        raise InvalidSearchCriteria()
    return match.group(1), match.group(2)


def _log(db: Database, now: datetime, event: str, message: str, app: dict, actor: dict | None):
    system_log.record(db, now, event, message, actor=actor, targets=[system_log.app_target(app)])


# --- validation and defaults ---------------------------------------------------------------
# Okta words validation causes as "<field>: <message>" (Core Okta API errors). The messages
# below follow the phrasing Okta uses for schema checks; the exact per-field wording for apps
# is a guess.
