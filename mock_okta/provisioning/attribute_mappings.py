"""To App attribute mappings: which Okta expression feeds which SCIM attribute of the app user.

One table (`TO_APP`) is the whole mapping: the create body (`scim_user`), the profile pushes
(`apply_to`), the decision whether a profile change is pushed at all (`pushed_sources`), and
the console's To App "Attribute Mappings" list all read it. Rows are in the order of Okta's
SCIM 2.0 app template; each holds the app attribute's variable name, the Okta Expression
Language value (evaluated by `directory.expressions`), and the attribute's external name and
namespace in Okta's syntax (`emails.^[primary==true].value`: the element of `emails` whose
`primary` is true, its `value`).

Sources: Okta's SCIM 2.0 reference (the create body and the PUT, whose `middleName` change
shows the name sub-attributes are mapped); SCIM app attribute lists published by vendors from
Okta's template (external names `emails.^[primary==true].value`,
`phoneNumbers.^[primary==true].value`, the type expressions
`(user.email != null && user.email != '') ? 'work' : ''`); reference/okta.md §1.3 (title,
phones, addresses, locale, userType and the enterprise extension under its URN, empty ones
omitted). Where the external name is not public the row says `# Guess`.
"""

import copy
import re
from dataclasses import dataclass
from typing import Any

from mock_okta.directory.expressions import Context, evaluate_value

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#: The userName row's value: the app user's userName (the Sign On tab's username format).
SIGN_ON_USER_NAME = "Configured in Sign On settings"
#: A change of the app user itself (its userName) rather than of the Okta profile.
APP_USER = "appUser"
_SELECTOR = re.compile(r"^(?P<attr>\w+)\.\^\[(?P<key>\w+)==(?P<value>[^\]]+)\]\.(?P<sub>\w+)$")
_SOURCE = re.compile(r"\buser\.([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class AttributeMapping:
    """One To App row: app attribute, Okta expression, SCIM external name and namespace."""

    attribute: str
    expression: str
    external_name: str
    namespace: str = CORE

    @property
    def sources(self) -> frozenset[str]:
        """The Okta profile attributes the expression reads (login for the userName)."""
        if self.expression == SIGN_ON_USER_NAME:
            return frozenset({"login", APP_USER})
        return frozenset(_SOURCE.findall(self.expression))


def _row(
    attribute: str, expression: str, external_name: str, namespace: str = CORE
) -> AttributeMapping:
    return AttributeMapping(attribute, expression, external_name, namespace)


def _typed(variable: str, kind: str) -> str:
    """Okta's type expression: the type only when the value is there."""
    return f"(user.{variable} != null && user.{variable} != '') ? '{kind}' : ''"


#: Okta's SCIM 2.0 template, To App, in its order.
TO_APP: tuple[AttributeMapping, ...] = (
    _row("userName", SIGN_ON_USER_NAME, "userName"),
    _row("givenName", "user.firstName", "name.givenName"),
    _row("familyName", "user.lastName", "name.familyName"),
    _row("middleName", "user.middleName", "name.middleName"),
    _row("honorificPrefix", "user.honorificPrefix", "name.honorificPrefix"),
    _row("honorificSuffix", "user.honorificSuffix", "name.honorificSuffix"),
    _row("email", "user.email", "emails.^[primary==true].value"),
    _row("emailType", _typed("email", "work"), "emails.^[primary==true].type"),
    _row("title", "user.title", "title"),
    _row("displayName", "user.displayName", "displayName"),
    _row("nickName", "user.nickName", "nickName"),
    _row("profileUrl", "user.profileUrl", "profileUrl"),
    _row("primaryPhone", "user.primaryPhone", "phoneNumbers.^[primary==true].value"),
    _row("primaryPhoneType", _typed("primaryPhone", "work"), "phoneNumbers.^[primary==true].type"),
    # Guess: the mobile phone's external name (the brief and the RFC 7643 canonical type
    # "mobile"; a vendor's list shows it as the non-primary phone instead).
    _row("mobilePhone", "user.mobilePhone", "phoneNumbers.^[type=='mobile'].value"),
    _row("streetAddress", "user.streetAddress", "addresses.^[primary==true].streetAddress"),
    _row("locality", "user.city", "addresses.^[primary==true].locality"),
    _row("region", "user.state", "addresses.^[primary==true].region"),
    _row("postalCode", "user.zipCode", "addresses.^[primary==true].postalCode"),
    _row("country", "user.countryCode", "addresses.^[primary==true].country"),
    _row("addressType", _typed("streetAddress", "work"), "addresses.^[primary==true].type"),
    _row("preferredLanguage", "user.preferredLanguage", "preferredLanguage"),
    _row("locale", "user.locale", "locale"),
    _row("timezone", "user.timezone", "timezone"),
    _row("userType", "user.userType", "userType"),
    _row("employeeNumber", "user.employeeNumber", "employeeNumber", ENTERPRISE),
    _row("costCenter", "user.costCenter", "costCenter", ENTERPRISE),
    _row("organization", "user.organization", "organization", ENTERPRISE),
    _row("division", "user.division", "division", ENTERPRISE),
    _row("department", "user.department", "department", ENTERPRISE),
    _row("managerValue", "user.managerId", "manager.value", ENTERPRISE),
    _row("managerDisplayName", "user.manager", "manager.displayName", ENTERPRISE),
)


def console_rows() -> list[tuple[str, str]]:
    """(attribute, value) as the To App "Attribute Mappings" list shows them."""
    return [(mapping.attribute, mapping.expression) for mapping in TO_APP]


def pushed_sources() -> frozenset[str]:
    """Okta attributes whose change is pushed (Update User Attributes); others send nothing."""
    return frozenset().union(*(mapping.sources for mapping in TO_APP))


def scim_user(user_name: str, profile: dict) -> dict:
    """The mapped attributes as a new SCIM User: `schemas`, then the rows' values in order.

    Empty values (null or "") are omitted (reference/okta.md §1.3); the enterprise extension
    and its URN in `schemas` only appear when one of its attributes has a value.
    """
    body: dict = {"schemas": [CORE]}
    for mapping in TO_APP:
        value = _value(mapping, user_name, profile)
        if not _empty(value):
            _set(body, mapping, value)
    return body


def apply_to(
    current: dict, user_name: str, profile: dict, changed: frozenset[str] | None = None
) -> dict:
    """The server's representation with Okta's mapped attributes applied (§1.4), a copy.

    `changed` None (a link): every mapped attribute with a value is applied, the server keeps
    the rest. Otherwise only the rows reading a changed attribute: "Okta modifies the
    attributes that were changed" (Okta SCIM 2.0 reference), so an out-of-sync attribute is
    not repaired (Okta's "Understanding SCIM"). Guess: a changed attribute that became empty
    is removed from the PUT (Okta does not say what it sends then).
    """
    body = copy.deepcopy(current)
    for mapping in TO_APP:
        if changed is not None and not mapping.sources & changed:
            continue
        value = _value(mapping, user_name, profile)
        if not _empty(value):
            _set(body, mapping, value)
        elif changed is not None:
            _remove(body, mapping)
    return body


# --- values -----------------------------------------------------------------------------------


def _value(mapping: AttributeMapping, user_name: str, profile: dict) -> Any:
    if mapping.expression == SIGN_ON_USER_NAME:
        return user_name
    value = evaluate_value(mapping.expression, Context(profile=profile))
    if mapping.external_name == "locale" and isinstance(value, str):
        # Okta profiles hold `en_US`; SCIM's locale is a language tag, `en-US` (§1.3's body).
        return value.replace("_", "-")
    return value


def _empty(value: Any) -> bool:
    return value is None or value == ""


# --- placing a value at an external name ------------------------------------------------------


def _target(body: dict, mapping: AttributeMapping, create: bool) -> dict | None:
    """The object the mapping's last name part lives in (the extension's, when it has one)."""
    if mapping.namespace == CORE:
        return body
    extension = body.get(ENTERPRISE)
    if not isinstance(extension, dict):
        if not create:
            return None
        extension = body[ENTERPRISE] = {}
        schemas = body.setdefault("schemas", [CORE])
        if ENTERPRISE not in schemas:
            schemas.append(ENTERPRISE)
    return extension


def _set(body: dict, mapping: AttributeMapping, value: Any) -> None:
    target = _target(body, mapping, create=True)
    selector = _SELECTOR.match(mapping.external_name)
    if selector:
        element = _element(target, selector, create=True)
        element[selector["sub"]] = value
    elif "." in mapping.external_name:
        parent, sub = mapping.external_name.split(".", 1)
        if not isinstance(target.get(parent), dict):
            target[parent] = {}
        target[parent][sub] = value
    else:
        target[mapping.external_name] = value


def _remove(body: dict, mapping: AttributeMapping) -> None:
    target = _target(body, mapping, create=False)
    if target is None:
        return
    selector = _SELECTOR.match(mapping.external_name)
    if selector:
        element = _element(target, selector, create=False)
        if element is not None:
            element.pop(selector["sub"], None)
            if set(element) <= {selector["key"], "type"}:
                target[selector["attr"]].remove(element)
            if not target[selector["attr"]]:
                del target[selector["attr"]]
    elif "." in mapping.external_name:
        parent, sub = mapping.external_name.split(".", 1)
        if isinstance(target.get(parent), dict):
            target[parent].pop(sub, None)
            if not target[parent]:
                del target[parent]
    else:
        target.pop(mapping.external_name, None)
    if mapping.namespace == ENTERPRISE and not body.get(ENTERPRISE):
        body.pop(ENTERPRISE, None)
        if ENTERPRISE in body.get("schemas", []):
            body["schemas"].remove(ENTERPRISE)


def _element(target: dict, selector: re.Match, create: bool) -> dict | None:
    """The multi-valued attribute's element the selector names; a new one when creating."""
    key, wanted = selector["key"], _literal(selector["value"])
    values = target.get(selector["attr"])
    if not isinstance(values, list):
        if not create:
            return None
        values = target[selector["attr"]] = []
    for element in values:
        if isinstance(element, dict) and element.get(key) == wanted:
            return element
    if not create:
        return None
    element = {key: wanted}
    values.append(element)
    return element


def _literal(text: str) -> Any:
    """A selector's value: `true`/`false`, or a (quoted) string."""
    if text in ("true", "false"):
        return text == "true"
    return text.strip("'\"")
