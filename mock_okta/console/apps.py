"""Applications: the list and the app page's tabs (General, Sign On) and which tabs appear."""

from cryptography import x509
from sqlite_utils import Database

from mock_okta.applications import apps, scim_connection
from mock_okta.applications.sign_on import SAML_2_0
from mock_okta.saml import metadata as saml_metadata

#: The app page's tabs: key (the `tab` query value), label.
GENERAL, SIGN_ON, PROVISIONING, ASSIGNMENTS, PUSH_GROUPS = (
    "general",
    "signon",
    "provisioning",
    "assignments",
    "push-groups",
)
TAB_LABELS = {
    GENERAL: "General",
    SIGN_ON: "Sign On",
    PROVISIONING: "Provisioning",
    ASSIGNMENTS: "Assignments",
    PUSH_GROUPS: "Push Groups",
}
SIGN_ON_MODE_LABELS = {
    "SAML_2_0": "SAML 2.0",
    "BOOKMARK": "Bookmark",
    "AUTO_LOGIN": "Secure Web Authentication",
    "BASIC_AUTH": "Basic Authentication",
    "OPENID_CONNECT": "OpenID Connect",
}
_ALGORITHMS = {
    "RSA_SHA256": "RSA-SHA256",
    "RSA_SHA1": "RSA-SHA1",
    "SHA256": "SHA256",
    "SHA1": "SHA1",
}


def app_url(app: dict) -> str:
    """The app page's URL, as Okta's Admin Console builds it."""
    return f"/admin/app/{app['name']}/instance/{app['id']}/"


def list_apps(db: Database, *, q: str | None) -> list[dict]:
    """Applications: label, sign-on mode, status; `q` is a label prefix."""
    rows, _cursor = apps.list_apps(db, q=q or None, limit=200)
    return [
        {
            "id": row["id"],
            "label": row["label"],
            "name": row["name"],
            "status": row["status"],
            "url": app_url(row),
            "signOn": SIGN_ON_MODE_LABELS.get(row["sign_on_mode"], row["sign_on_mode"]),
        }
        for row in rows
    ]


def visible_tabs(db: Database, app: dict) -> list[tuple[str, str]]:
    """Provisioning appears once SCIM is chosen; Push Groups once Push Groups is selected."""
    keys = [GENERAL, SIGN_ON]
    if scim_connection.provisioning_enabled(db, app["id"]):
        keys.append(PROVISIONING)
    keys.append(ASSIGNMENTS)
    if scim_connection.push_groups_enabled(db, app["id"]):
        keys.append(PUSH_GROUPS)
    return [(key, TAB_LABELS[key]) for key in keys]


def general(db: Database, app: dict) -> dict:
    """General > App Settings."""
    visibility = apps.body_of(app).get("visibility") or {}
    hide = visibility.get("hide") or {}
    return {
        "label": app["label"],
        "status": app["status"],
        "hideWeb": bool(hide.get("web")),
        "hideIOS": bool(hide.get("iOS")),
        "autoSubmitToolbar": bool(visibility.get("autoSubmitToolbar")),
        "provisioning": "SCIM" if scim_connection.provisioning_enabled(db, app["id"]) else "NONE",
        "signOn": SIGN_ON_MODE_LABELS.get(app["sign_on_mode"], app["sign_on_mode"]),
    }


def sign_on(app: dict, base_url: str) -> dict | None:
    """Sign On > SAML 2.0: settings, metadata URL, statements, signing certificate."""
    if app["sign_on_mode"] != SAML_2_0:
        return None
    settings = apps.body_of(app)["settings"]["signOn"]
    statements = settings.get("attributeStatements") or []
    signing = apps.internal_of(app).get("signing") or {}
    return {
        "metadataUrl": saml_metadata.metadata_url(base_url, app["external_key"]),
        "ssoUrl": saml_metadata.sso_url(base_url, app["name"], app["external_key"]),
        "issuer": saml_metadata.entity_id(settings.get("idpIssuer"), app["external_key"]),
        "settings": _saml_rows(settings),
        "attributes": [s for s in statements if s.get("type", "EXPRESSION") != "GROUP"],
        "groupAttributes": [s for s in statements if s.get("type") == "GROUP"],
        "certificate": _certificate(signing),
    }


def _saml_rows(s: dict) -> list[tuple[str, str]]:
    """Okta's SAML Settings labels, in the console's order."""
    yes_no = {True: "Signed", False: "Unsigned"}
    return [
        ("Single Sign On URL", s.get("ssoAcsUrl") or ""),
        ("Recipient URL", s.get("recipient") or ""),
        ("Destination URL", s.get("destination") or ""),
        ("Audience Restriction", s.get("audience") or ""),
        ("Default Relay State", s.get("defaultRelayState") or ""),
        ("Name ID Format", (s.get("subjectNameIdFormat") or "").rsplit(":", 1)[-1]),
        ("Application username", s.get("subjectNameIdTemplate") or ""),
        ("Response", yes_no[bool(s.get("responseSigned"))]),
        ("Assertion Signature", yes_no[bool(s.get("assertionSigned"))]),
        ("Signature Algorithm", _ALGORITHMS.get(s.get("signatureAlgorithm"), "")),
        ("Digest Algorithm", _ALGORITHMS.get(s.get("digestAlgorithm"), "")),
        ("Assertion Encryption", "Encrypted" if s.get("assertionEncryption") else "Unencrypted"),
        ("Honor Force Authentication", "Yes" if s.get("honorForceAuthn") else "No"),
        ("Authentication context class", (s.get("authnContextClassRef") or "").rsplit(":", 1)[-1]),
    ]


def _certificate(signing: dict) -> dict | None:
    if not signing.get("certPem"):
        return None
    cert = x509.load_pem_x509_certificate(signing["certPem"].encode())
    return {
        "kid": signing.get("kid"),
        "created": cert.not_valid_before_utc.strftime("%b %d, %Y"),
        "expires": cert.not_valid_after_utc.strftime("%b %d, %Y"),
        "subject": cert.subject.rfc4514_string(),
        "pem": signing["certPem"],
    }


def settings_change(form: dict) -> dict:
    """General > App Settings > Save: the provisioning choice (None / SCIM)."""
    return {"enabled": form.get("provisioning") == "SCIM"}
