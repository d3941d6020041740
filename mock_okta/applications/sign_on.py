"""The settings of each sign-on mode: validated, and filled in with Okta's defaults.

`apps.py` stores and serves applications; this module knows what a `SAML_2_0`, `BOOKMARK`,
`AUTO_LOGIN`, `BASIC_AUTH` or `OPENID_CONNECT` app's settings and credentials may hold.
"""

import base64
import json
import re
import secrets
from urllib.parse import urlparse

from cryptography import x509
from sqlite_utils import Database

from mock_okta import fields
from mock_okta.applications import saml_checks
from mock_okta.errors import ApiValidationFailed

SAML_2_0, BOOKMARK, AUTO_LOGIN, BASIC_AUTH, OPENID_CONNECT = (
    "SAML_2_0",
    "BOOKMARK",
    "AUTO_LOGIN",
    "BASIC_AUTH",
    "OPENID_CONNECT",
)
SECURE_PASSWORD_STORE = "SECURE_PASSWORD_STORE"
SIGN_ON_MODES = (
    SAML_2_0,
    BOOKMARK,
    AUTO_LOGIN,
    BASIC_AUTH,
    OPENID_CONNECT,
    SECURE_PASSWORD_STORE,
)
#: OIN app definitions ("key names") of the template modes (Okta's createApplication examples).
OIN_NAMES = {
    BOOKMARK: "bookmark",
    BASIC_AUTH: "template_basic_auth",
    OPENID_CONNECT: "oidc_client",
    SECURE_PASSWORD_STORE: "template_sps",  # SecurePasswordStoreApplication
}
DEFAULT_USERNAME_TEMPLATE = {"template": "${source.login}", "type": "BUILT_IN"}
#: Okta's IdP issuer template; `${org.externalKey}` is the app's external key.
ISSUER_TEMPLATE = "http://www.okta.com/${org.externalKey}"

NAMEID_FORMATS = (
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName",
)
AUTHN_CONTEXTS = (
    "urn:federation:authentication:windows",
    "oasis:names:tc:SAML:2.0:ac:classes:Kerberos",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
)
ATTRIBUTE_NAMESPACES = (
    "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
)
GROUP_FILTERS = ("STARTS_WITH", "EQUALS", "CONTAINS", "REGEX")
_UNSPECIFIED_NAMESPACE = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
#: The custom SAML app's signOn defaults (Okta's Saml2.0ResponseEx).
_SAML_DEFAULTS = {
    "defaultRelayState": None,
    "idpIssuer": ISSUER_TEMPLATE,
    "subjectNameIdTemplate": "${user.userName}",
    "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    "responseSigned": True,
    "assertionSigned": True,
    "signatureAlgorithm": "RSA_SHA256",
    "digestAlgorithm": "SHA256",
    "honorForceAuthn": True,
    "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    "spIssuer": None,
    "requestCompressed": False,
    "allowMultipleAcsEndpoints": False,
    "acsEndpoints": [],
    "samlSignedRequestEnabled": False,
    "attributeStatements": [],
    "inlineHooks": [],
}
_SAML_OPTIONAL = (
    "audienceOverride",
    "destinationOverride",
    "recipientOverride",
    "ssoAcsUrlOverride",
    "samlAssertionLifetimeSeconds",
    "slo",
    "participateSlo",
    "spCertificate",
    "assertionEncryption",
    "configuredAttributeStatements",
)
_SCHEMES = (
    "ADMIN_SETS_CREDENTIALS",
    "EDIT_PASSWORD_ONLY",
    "EDIT_USERNAME_AND_PASSWORD",
    "EXTERNAL_PASSWORD_SYNC",
    "SHARED_USERNAME_AND_PASSWORD",
)
_GRANT_TYPES = (
    "authorization_code",
    "client_credentials",
    "implicit",
    "interaction_code",
    "password",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
)
_AUTH_METHODS = (
    "client_secret_basic",
    "client_secret_jwt",
    "client_secret_post",
    "none",
    "private_key_jwt",
)

_BLANK = fields.BLANK
_PATTERN = "Does not match required pattern"
_TYPE = fields.TYPE


def _fail(causes: list[str]) -> None:
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)


def label_of(body: dict) -> str:
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        _fail([f"label: {_BLANK}"])
    problem = fields.text_cause("label", label)
    _fail([problem] if problem else [])
    return label.strip()


def sign_on_mode_of(body: dict) -> str:
    mode = body.get("signOnMode")
    if not isinstance(mode, str) or not mode:
        _fail([f"signOnMode: {_BLANK}"])
    if mode.upper() not in SIGN_ON_MODES:
        # Simulator limit: other modes (SWA plugin, WS-Fed, SAML 1.1) are not emulated.
        _fail([f"signOnMode: Unsupported sign-on mode '{mode}'"])
    return mode.upper()


def new_name(db: Database, mode: str, body: dict, subdomain: str, label: str) -> str:
    """OIN templates carry their key name; custom apps get `<org>_<label slug>_<n>`."""
    given = body.get("name")
    if mode in OIN_NAMES:
        if given not in (None, OIN_NAMES[mode]):
            # Guess at the wording: the name is the OIN app definition of this sign-on mode.
            _fail([f"name: The app name '{given}' is not valid for signOnMode {mode}"])
        return OIN_NAMES[mode]
    if given is not None:
        # Okta Apps API: "If you specify name for a custom SAML 2.0 app instance, the POST
        # request returns an error." (wording of the cause is a guess)
        _fail(["name: The name of a custom app instance is generated and cannot be set"])
    slug = re.sub(r"[^a-z0-9]", "", label.lower()) or "app"
    taken = {
        row["name"]
        for row in db.query("select name from apps where name like ?", [f"{subdomain}_{slug}_%"])
    }
    number = 1
    while f"{subdomain}_{slug}_{number}" in taken:
        number += 1
    return f"{subdomain}_{slug}_{number}"


def build_parts(mode: str, body: dict, *, app_id: str, previous: dict | None) -> dict:
    """accessibility, credentials, settings (and profile) of an app from a request body."""
    settings = body.get("settings") or {}
    credentials = body.get("credentials") or {}
    if not isinstance(settings, dict) or not isinstance(credentials, dict):
        _fail([f"{'settings' if not isinstance(settings, dict) else 'credentials'}: {_TYPE}"])
    builders = {
        SAML_2_0: _saml,
        BOOKMARK: _bookmark,
        AUTO_LOGIN: _auto_login,
        BASIC_AUTH: _basic_auth,
        OPENID_CONNECT: _oidc,
        SECURE_PASSWORD_STORE: _secure_password_store,
    }
    parts = builders[mode](settings, credentials, app_id=app_id, previous=previous)
    parts["accessibility"] = _accessibility(body.get("accessibility"))
    parts["settings"] = {**_settings_envelope(settings), **parts["settings"]}
    if body.get("profile") is not None:
        if not isinstance(body["profile"], dict):
            _fail([f"profile: {_TYPE}"])
        parts["profile"] = body["profile"]
    return parts


def _settings_envelope(settings: dict) -> dict:
    """What every app's settings carry (Okta's createApplication response examples)."""
    notes = settings.get("notes") if isinstance(settings.get("notes"), dict) else {}
    return {
        "app": {},
        "notifications": {
            "vpn": {"network": {"connection": "DISABLED"}, "message": None, "helpUrl": None}
        },
        "manualProvisioning": bool(settings.get("manualProvisioning", False)),
        "implicitAssignment": bool(settings.get("implicitAssignment", False)),
        "notes": {"admin": notes.get("admin"), "enduser": notes.get("enduser")},
        "emOptInStatus": "DISABLED",
    }


def _accessibility(given: object) -> dict:
    result = {"selfService": False, "errorRedirectUrl": None, "loginRedirectUrl": None}
    if given is None:
        return result
    if not isinstance(given, dict):
        _fail([f"accessibility: {_TYPE}"])
    if "selfService" in given and not isinstance(given["selfService"], bool):
        _fail([f"selfService: {_TYPE}"])
    for key in result:
        if key in given:
            result[key] = given[key]
    return result


def visibility_of(given: object, mode: str, link: str, previous: dict | None) -> dict:
    # OIDC apps are hidden from the dashboard by default (Okta's OpenidConnectResponseEx).
    hidden = mode == OPENID_CONNECT
    result = previous or {
        "autoLaunch": False,
        "autoSubmitToolbar": False,
        "hide": {"iOS": hidden, "web": hidden},
        "appLinks": {link: True},
    }
    if given is None:
        return result
    if not isinstance(given, dict):
        _fail([f"visibility: {_TYPE}"])
    result = json.loads(json.dumps(result))
    for key in ("autoLaunch", "autoSubmitToolbar"):
        if key in given:
            if not isinstance(given[key], bool):
                _fail([f"{key}: {_TYPE}"])
            result[key] = given[key]
    hide = given.get("hide") or {}
    if not isinstance(hide, dict):
        _fail([f"hide: {_TYPE}"])
    for key in ("iOS", "web"):
        if key in hide:
            result["hide"][key] = bool(hide[key])
    links = given.get("appLinks") or {}
    if isinstance(links, dict) and isinstance(links.get(link), bool):
        result["appLinks"][link] = links[link]
    return result


def _user_name_template(credentials: dict) -> dict:
    given = credentials.get("userNameTemplate")
    if given is None:
        return dict(DEFAULT_USERNAME_TEMPLATE)
    if not isinstance(given, dict):
        _fail([f"userNameTemplate: {_TYPE}"])
    result = {
        "template": given.get("template") or DEFAULT_USERNAME_TEMPLATE["template"],
        "type": given.get("type") or "BUILT_IN",
    }
    problem = fields.text_cause("userNameTemplate.template", result["template"])
    _fail([problem] if problem else [])
    if result["type"] not in ("NONE", "BUILT_IN", "CUSTOM"):
        _fail([f"userNameTemplate.type: {_PATTERN}"])
    for key in ("userSuffix", "pushStatus"):
        if given.get(key) is not None:
            problem = fields.text_cause(f"userNameTemplate.{key}", given[key])
            _fail([problem] if problem else [])
            result[key] = given[key]
    return result


def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _saml(settings: dict, credentials: dict, *, app_id: str, previous: dict | None) -> dict:
    given = settings.get("signOn")
    if not isinstance(given, dict):
        _fail([f"ssoAcsUrl: {_BLANK}", f"audience: {_BLANK}"])
    sign_on = _saml_sign_on(given)
    app_settings = settings.get("app") if isinstance(settings.get("app"), dict) else {}
    return {
        "credentials": {"userNameTemplate": _user_name_template(credentials), "signing": {}},
        "settings": {"app": app_settings, "signOn": sign_on},
    }


def _saml_sign_on(given: dict) -> dict:
    """settings.signOn of a custom SAML 2.0 app, with Okta's defaults and checks."""
    _fail(saml_checks.shape_causes(given))
    causes = []
    for field in ("ssoAcsUrl", "audience"):
        if not isinstance(given.get(field), str) or not given[field].strip():
            causes.append(f"{field}: {_BLANK}")
    acs = given.get("ssoAcsUrl")
    # In the order Okta returns them (Saml2.0ResponseEx).
    result = {
        "defaultRelayState": None,
        "ssoAcsUrl": acs,
        "idpIssuer": None,
        "audience": given.get("audience"),
        "recipient": acs,
        "destination": acs,
        **_SAML_DEFAULTS,
    }
    for key in list(result):
        if given.get(key) is not None:
            result[key] = given[key]
    for key in _SAML_OPTIONAL:
        if given.get(key) is not None:
            result[key] = given[key]
    for field in ("ssoAcsUrl", "recipient", "destination"):
        if result.get(field) and not _is_url(result[field]):
            causes.append(f"{field}: {_PATTERN}")
    for field in (
        "responseSigned",
        "assertionSigned",
        "honorForceAuthn",
        "requestCompressed",
        "samlSignedRequestEnabled",
    ):
        if not isinstance(result[field], bool):
            causes.append(f"{field}: {_TYPE}")
    choices = {
        "signatureAlgorithm": ("RSA_SHA1", "RSA_SHA256"),
        "digestAlgorithm": ("SHA1", "SHA256"),
        "subjectNameIdFormat": NAMEID_FORMATS,
        "authnContextClassRef": AUTHN_CONTEXTS,
    }
    for field, allowed in choices.items():
        if result[field] not in allowed:
            causes.append(f"{field}: {_PATTERN}")
    if result["responseSigned"] is False and result["assertionSigned"] is False:
        # Okta: "Either (or both) responseSigned or assertionSigned must be TRUE."
        causes.append("assertionSigned: Either responseSigned or assertionSigned must be true")
    causes += _attribute_statement_causes(result["attributeStatements"])
    causes += _encryption_causes(result.get("assertionEncryption"))
    causes += _participate_slo_causes(result.get("participateSlo"))
    _fail(causes)
    result["attributeStatements"] = [_statement(s) for s in result["attributeStatements"]]
    if result["samlSignedRequestEnabled"]:
        # Okta help (AIW SAML field reference): "When you enable Signed Requests, Okta deletes
        # any previously defined static SSO URLs and reads the SSO URLs from the signed SAML
        # request instead." Guess: the Apps API does as the console does.
        result["acsEndpoints"] = []
    return result


#: participateSlo.bindingType (Okta Apps API, SloParticipate).
SLO_BINDING_TYPES = ("POST", "REDIRECT")


def _participate_slo_causes(setting: object) -> list[str]:
    """{"enabled", "logoutRequestUrl", "sessionIndexRequired", "bindingType"}."""
    # Guess: the causes are worded like the other settings' (Okta documents none).
    if setting is None:
        return []
    if not isinstance(setting, dict):
        return [f"participateSlo: {_TYPE}"]
    causes = []
    for field in ("enabled", "sessionIndexRequired"):
        if not isinstance(setting.get(field, False), bool):
            causes.append(f"participateSlo.{field}: {_TYPE}")
    if setting.get("bindingType", "POST") not in SLO_BINDING_TYPES:
        causes.append(f"participateSlo.bindingType: {_PATTERN}")
    url = setting.get("logoutRequestUrl")
    if setting.get("enabled") is True and not _is_url(url):
        causes.append(f"participateSlo.logoutRequestUrl: {_PATTERN}")
    return causes


def _attribute_statement_causes(statements: object) -> list[str]:
    if not isinstance(statements, list):
        return [f"attributeStatements: {_TYPE}"]
    causes = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("type") not in ("EXPRESSION", "GROUP"):
            causes.append(f"attributeStatements.type: {_PATTERN}")
            continue
        if not isinstance(statement.get("name"), str) or not statement["name"].strip():
            causes.append(f"attributeStatements.name: {_BLANK}")
        causes += _statement_text_causes(statement)
        namespace = statement.get("namespace", _UNSPECIFIED_NAMESPACE)
        if namespace not in ATTRIBUTE_NAMESPACES:
            causes.append(f"attributeStatements.namespace: {_PATTERN}")
        if statement["type"] == "EXPRESSION":
            values = statement.get("values")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                causes.append(f"attributeStatements.values: {_TYPE}")
        else:
            if statement.get("filterType") not in GROUP_FILTERS:
                causes.append(f"attributeStatements.filterType: {_PATTERN}")
            if not isinstance(statement.get("filterValue"), str):
                causes.append(f"attributeStatements.filterValue: {_BLANK}")
            elif statement["filterType"] == "REGEX" and not _compiles(statement["filterValue"]):
                causes.append(f"attributeStatements.filterValue: {_PATTERN}")
    return causes


def _statement_text_causes(statement: dict) -> list[str]:
    """No control character in a statement's name, values or filter (they go into XML)."""
    texts = [("name", statement.get("name")), ("filterValue", statement.get("filterValue"))]
    values = statement.get("values")
    texts += [("values", value) for value in (values if isinstance(values, list) else [])]
    return [
        fields.cause(f"attributeStatements.{field}", fields.CONTROL)
        for field, text in texts
        if isinstance(text, str) and fields.has_controls(text)
    ]


#: The simulator's own `assertionEncryption` (Okta's public API has none: only the Admin
#: Console sets it, terraform-provider-okta issue #1874): block ciphers and key transports.
ENCRYPTION_ALGORITHMS = ("AES128_CBC", "AES256_CBC", "AES128_GCM", "AES256_GCM")
KEY_TRANSPORT_ALGORITHMS = ("RSA_OAEP", "RSA_15")


def _encryption_causes(setting: object) -> list[str]:
    """{"enabled", "encryptionAlgorithm", "keyTransportAlgorithm", "x5c": [certificate]}."""
    # Guess: the causes are worded like the other settings' (Okta has no such API field).
    if setting is None:
        return []
    if not isinstance(setting, dict) or not isinstance(setting.get("enabled", False), bool):
        return [f"assertionEncryption: {_TYPE}"]
    causes = []
    if setting.get("encryptionAlgorithm", "AES256_CBC") not in ENCRYPTION_ALGORITHMS:
        causes.append(f"assertionEncryption.encryptionAlgorithm: {_PATTERN}")
    if setting.get("keyTransportAlgorithm", "RSA_OAEP") not in KEY_TRANSPORT_ALGORITHMS:
        causes.append(f"assertionEncryption.keyTransportAlgorithm: {_PATTERN}")
    x5c = setting.get("x5c")
    if setting.get("enabled") and not (
        isinstance(x5c, list) and x5c and isinstance(x5c[0], str) and _is_certificate(x5c[0])
    ):
        causes.append(f"assertionEncryption.x5c: {_PATTERN}")
    return causes


def _is_certificate(text: str) -> bool:
    try:
        x509.load_der_x509_certificate(base64.b64decode(text))
    except ValueError:
        return False
    return True


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _statement(statement: dict) -> dict:
    """An attribute statement as Okta stores it (namespace defaults to unspecified)."""
    result = {
        "type": statement["type"],
        "name": statement["name"],
        "namespace": statement.get("namespace", _UNSPECIFIED_NAMESPACE),
    }
    if statement["type"] == "EXPRESSION":
        result["values"] = list(statement["values"])
    else:
        result["filterType"] = statement["filterType"]
        result["filterValue"] = statement["filterValue"]
    return result


def _required_urls(given: object, fields: tuple[str, ...]) -> dict:
    if not isinstance(given, dict):
        _fail([f"{field}: {_BLANK}" for field in fields])
    causes = []
    for field in fields:
        if given.get(field) in (None, ""):
            causes.append(f"{field}: {_BLANK}")
        elif not _is_url(given[field]):
            causes.append(f"{field}: {_PATTERN}")
    _fail(causes)
    return given


def _bookmark(settings: dict, credentials: dict, *, app_id: str, previous: dict | None) -> dict:
    app = _required_urls(settings.get("app"), ("url",))
    request_integration = app.get("requestIntegration", False)
    if not isinstance(request_integration, bool):
        _fail([f"requestIntegration: {_TYPE}"])
    return {
        "credentials": {"userNameTemplate": _user_name_template(credentials), "signing": {}},
        "settings": {"app": {"requestIntegration": request_integration, "url": app["url"]}},
    }


def _scheme_credentials(credentials: dict) -> dict:
    scheme = credentials.get("scheme", "EDIT_USERNAME_AND_PASSWORD")
    if scheme not in _SCHEMES:
        _fail([f"scheme: {_PATTERN}"])
    result = {
        "scheme": scheme,
        "userNameTemplate": _user_name_template(credentials),
        "revealPassword": bool(credentials.get("revealPassword", False)),
        "signing": {},
    }
    if scheme == "SHARED_USERNAME_AND_PASSWORD" and credentials.get("userName"):
        result["userName"] = credentials["userName"]
    return result


def _auto_login(settings: dict, credentials: dict, *, app_id: str, previous: dict | None) -> dict:
    sign_on = _required_urls(settings.get("signOn"), ("loginUrl",))
    redirect = sign_on.get("redirectUrl")
    if redirect is not None and not _is_url(redirect):
        _fail([f"redirectUrl: {_PATTERN}"])
    app_settings = settings.get("app") if isinstance(settings.get("app"), dict) else {}
    return {
        "credentials": _scheme_credentials(credentials),
        "settings": {
            "app": app_settings,
            "signOn": {"redirectUrl": redirect, "loginUrl": sign_on["loginUrl"]},
        },
    }


def _basic_auth(settings: dict, credentials: dict, *, app_id: str, previous: dict | None) -> dict:
    app = _required_urls(settings.get("app"), ("url", "authURL"))
    return {
        "credentials": _scheme_credentials(credentials),
        "settings": {"app": {"loginUrlRegex": None, "url": app["url"], "authURL": app["authURL"]}},
    }


#: SecurePasswordStoreApplicationSettingsApplication's optional sign-in form fields.
_SPS_OPTIONAL = tuple(f"optionalField{n}{suffix}" for n in (1, 2, 3) for suffix in ("", "Value"))


def _secure_password_store(
    settings: dict, credentials: dict, *, app_id: str, previous: dict | None
) -> dict:
    """An SWA app that posts the credentials to its sign-in form (`template_sps`)."""
    app = settings.get("app")
    if not isinstance(app, dict):
        _fail([f"{field}: {_BLANK}" for field in ("url", "usernameField", "passwordField")])
    causes = [
        f"{field}: {_BLANK}"
        for field in ("usernameField", "passwordField")
        if not isinstance(app.get(field), str) or not app[field].strip()
    ]
    if not isinstance(app.get("url"), str) or not _is_url(app["url"]):
        causes.insert(0, f"url: {_BLANK if not app.get('url') else _PATTERN}")
    _fail(causes)
    fields = ("url", "usernameField", "passwordField", *_SPS_OPTIONAL)
    return {
        "credentials": _scheme_credentials(credentials),
        "settings": {"app": {key: app.get(key) for key in fields}},
    }


def _oidc(settings: dict, credentials: dict, *, app_id: str, previous: dict | None) -> dict:
    client = settings.get("oauthClient")
    if not isinstance(client, dict):
        _fail([f"oauthClient: {_BLANK}"])
    causes = []
    grants = client.get("grant_types")
    if not isinstance(grants, list) or not grants:
        causes.append(f"grant_types: {_BLANK}")
    elif any(grant not in _GRANT_TYPES for grant in grants):
        causes.append(f"grant_types: {_PATTERN}")
    application_type = client.get("application_type", "web")
    if application_type not in ("browser", "native", "service", "web"):
        causes.append(f"application_type: {_PATTERN}")
    responses = client.get("response_types", ["code"])
    if not isinstance(responses, list) or any(
        r not in ("code", "id_token", "token") for r in responses
    ):
        causes.append(f"response_types: {_PATTERN}")
    redirects = client.get("redirect_uris", [])
    if not isinstance(redirects, list) or not all(isinstance(uri, str) for uri in redirects):
        causes.append(f"redirect_uris: {_TYPE}")
    _fail(causes)
    oauth_settings = {
        **client,
        "redirect_uris": redirects,
        "response_types": responses,
        "grant_types": grants,
        "application_type": application_type,
        "issuer_mode": client.get("issuer_mode", "DYNAMIC"),
        "idp_initiated_login": client.get("idp_initiated_login")
        or {"mode": "DISABLED", "default_scope": []},
        "wildcard_redirect": client.get("wildcard_redirect", "DISABLED"),
        "dpop_bound_access_tokens": client.get("dpop_bound_access_tokens", False),
    }
    return {
        "credentials": _oauth_credentials(credentials, application_type, app_id, previous),
        "settings": {"app": {}, "oauthClient": oauth_settings},
    }


def _oauth_credentials(
    credentials: dict, application_type: str, app_id: str, previous: dict | None
) -> dict:
    """credentials.oauthClient: Okta generates client_id (the app id) and the secret."""
    given = credentials.get("oauthClient") or {}
    if not isinstance(given, dict):
        _fail([f"oauthClient: {_TYPE}"])
    public = application_type in ("browser", "native")
    method = given.get("token_endpoint_auth_method", "none" if public else "client_secret_basic")
    if method not in _AUTH_METHODS:
        _fail([f"token_endpoint_auth_method: {_PATTERN}"])
    old = ((previous or {}).get("credentials") or {}).get("oauthClient") or {}
    result = {
        "autoKeyRotation": given.get("autoKeyRotation", True),
        # Today's Okta uses the app id as client_id.
        "client_id": app_id,
        "token_endpoint_auth_method": method,
        "pkce_required": given.get("pkce_required", public),
    }
    if method.startswith("client_secret"):
        secret = given.get("client_secret") or old.get("client_secret") or secrets.token_urlsafe(48)
        if not isinstance(secret, str) or not 14 <= len(secret) <= 100:
            # Okta Apps API, "Update the client authentication method".
            _fail(["client_secret: 'client_secret' must be at least '14' characters long."])
        result["client_secret"] = secret
    return {
        "userNameTemplate": _user_name_template(credentials),
        "signing": {},
        "oauthClient": result,
    }
