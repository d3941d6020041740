"""Responses the ACS refuses (reference §5.2): each ends on /sessions/unauthorized with no
session and no 500. SonarQube gives these refusals no public message, so the page shows its
generic text; the reason, worded as Spring Security and OpenSAML word it, goes to the log."""

import base64
import logging
import re
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.sonar.saml_idp_helper import ATTRIBUTES, encode, post_to_acs, start_login

FAILED = "SAML authentication failed: "
UNPARSABLE = "Unable to parse inputstream, it contained invalid XML"


@pytest.fixture
def acs(saml_sonar, caplog):
    """Post a SAMLResponse after a real start; returns (response, logged reason)."""
    caplog.set_level(logging.WARNING, logger="mock_sonar.views.saml")

    def post(saml_response: str, relay_state: str | None = "", *, start: bool = True):
        state = start_login(saml_sonar) if start else None
        if relay_state == "":
            relay_state = state
        caplog.clear()
        response = post_to_acs(saml_sonar, saml_response, relay_state)
        reasons = [r.getMessage() for r in caplog.records if r.getMessage().startswith(FAILED)]
        return response, reasons[0][len(FAILED) :] if reasons else None

    return post


def assert_refused(client, response) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == "/sessions/unauthorized"
    cookies = response.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if c.startswith(("JWT-SESSION=", "AUTHENTICATION-ERROR="))]
    assert client.get_cookie("JWT-SESSION") is None
    page = client.get("/sessions/unauthorized")
    assert page.status_code == 200
    assert "You're not authorized to access this page. Please contact the administrator." in (
        page.get_data(as_text=True)
    )
    assert "Reason:" not in page.get_data(as_text=True)


def response_id(xml: str) -> str:
    return re.search(r'<ns0:Response [^>]*ID="([^"]+)"', xml).group(1)


def assertion_id(xml: str) -> str:
    return re.search(r'<ns1:Assertion [^>]*ID="([^"]+)"', xml).group(1)


def test_a_tampered_assertion_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES)
    tampered = xml.replace("sonar-developers", "sonar-administrators")
    response, reason = acs(encode(tampered))
    assert_refused(saml_sonar, response)
    assert reason == f"Invalid signature for object [{response_id(xml)}]"


def test_an_unsigned_response_and_assertion_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES, sign_response=False, sign_assertion=False)
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == (
        "Either the response or one of the assertions is unsigned. "
        "Please either sign the response or all of the assertions."
    )


@pytest.mark.parametrize(("sign_response", "sign_assertion"), [(True, False), (False, True)])
def test_either_signature_is_enough(saml_sonar, idp, acs, sign_response, sign_assertion):
    xml = idp.response(
        attributes=ATTRIBUTES, sign_response=sign_response, sign_assertion=sign_assertion
    )
    response, reason = acs(encode(xml))
    assert reason is None
    assert response.headers["Location"] == "/"


def test_a_response_signed_by_another_key_is_refused(saml_sonar, idp, saml_keys, acs):
    xml = idp.response(saml_keys["other"], attributes=ATTRIBUTES)
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == f"Invalid signature for object [{response_id(xml)}]"


def test_an_assertion_signed_by_another_key_is_refused(saml_sonar, idp, saml_keys, acs):
    xml = idp.response(saml_keys["other"], attributes=ATTRIBUTES, sign_response=False)
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == f"Invalid signature for object [{assertion_id(xml)}]"


def test_a_wrong_audience_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES, audience="https://other-sp.example")
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    aid = assertion_id(xml)
    assert reason == (
        f"Invalid assertion [{aid}] for SAML response [{response_id(xml)}]: Condition "
        f"'{{urn:oasis:names:tc:SAML:2.0:assertion}}AudienceRestriction' of type 'null' in "
        f"assertion '{aid}' was not valid.: None of the audiences within Assertion '{aid}' "
        "matched the list of valid audiances"
    )


def test_a_wrong_issuer_is_refused(saml_sonar, idp, acs):
    # Spring finds no verification key for another issuer: the signature check fails first.
    xml = idp.response(attributes=ATTRIBUTES, issuer="http://www.okta.com/someone-else")
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == f"Invalid signature for object [{response_id(xml)}]"


def test_a_wrong_issuer_in_an_unsigned_response_is_named(saml_sonar, idp, acs):
    xml = idp.response(
        attributes=ATTRIBUTES, sign_response=False, issuer="http://www.okta.com/someone-else"
    )
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == (
        f"Invalid issuer [http://www.okta.com/someone-else] for SAML response [{response_id(xml)}]"
    )


def test_an_expired_assertion_is_refused(saml_sonar, idp, acs):
    issued = datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
    xml = idp.response(attributes=ATTRIBUTES, now=issued)
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == (
        f"Invalid assertion [{assertion_id(xml)}] for SAML response [{response_id(xml)}]: "
        f"Assertion '{assertion_id(xml)}' with NotOnOrAfter condition of "
        "'2020-01-01T10:05:00Z' is no longer valid"
    )


def test_an_assertion_within_the_clock_skew_is_accepted(saml_sonar, idp, acs):
    issued = datetime.now(UTC) - timedelta(minutes=8)
    response, reason = acs(encode(idp.response(attributes=ATTRIBUTES, now=issued)))
    assert reason is None
    assert response.headers["Location"] == "/"


def test_a_not_yet_valid_assertion_is_refused(saml_sonar, idp, acs):
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    xml = idp.response(attributes=ATTRIBUTES, not_before=later)
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    stamp = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert reason.endswith(
        f"Assertion '{assertion_id(xml)}' with NotBefore condition of '{stamp}' is not yet valid"
    )


def test_a_replayed_response_is_refused(saml_sonar, idp, acs):
    saml_response = encode(idp.response(attributes=ATTRIBUTES))
    first, _ = acs(saml_response)
    assert first.headers["Location"] == "/"
    saml_sonar.get("/sessions/logout")
    again, reason = acs(saml_response)
    assert_refused(saml_sonar, again)
    assert reason == "A message with the same ID was already processed"


def test_a_wrong_destination_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES, destination="http://elsewhere.test/acs")
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == (
        f"Invalid destination [http://elsewhere.test/acs] for SAML response [{response_id(xml)}]"
    )


def test_a_wrong_recipient_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES, recipient="http://elsewhere.test/acs")
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason.endswith(
        f"No subject confirmation methods were met for assertion with ID '{assertion_id(xml)}'"
    )


def test_a_failed_status_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES, status="urn:oasis:names:tc:SAML:2.0:status:Responder")
    response, reason = acs(encode(xml))
    assert_refused(saml_sonar, response)
    assert reason == (
        "Invalid status [urn:oasis:names:tc:SAML:2.0:status:Responder] for SAML response "
        f"[{response_id(xml)}]"
    )


XXE = """<?xml version="1.0"?>
<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&xxe;</saml:Issuer>
</samlp:Response>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_b">
  &lol2;
</samlp:Response>"""
DTD_ONLY = """<?xml version="1.0"?>
<!DOCTYPE samlp:Response SYSTEM "http://attacker.example/saml.dtd">
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_d"/>"""


@pytest.mark.parametrize("document", [XXE, BOMB, DTD_ONLY], ids=["xxe", "entities", "dtd"])
def test_xml_with_a_dtd_or_entities_is_refused(saml_sonar, acs, document):
    response, reason = acs(base64.b64encode(document.encode()).decode())
    assert_refused(saml_sonar, response)
    assert reason == UNPARSABLE


def test_a_dtd_inside_a_signed_response_is_refused(saml_sonar, idp, acs):
    xml = idp.response(attributes=ATTRIBUTES)
    with_dtd = xml.replace("?>", '?>\n<!DOCTYPE x [<!ENTITY e "v">]>', 1)
    response, reason = acs(encode(with_dtd))
    assert_refused(saml_sonar, response)
    assert reason == UNPARSABLE


@pytest.mark.parametrize(
    ("saml_response", "expected"),
    [
        ("%%% not base64 %%%", "Failed to decode SAMLResponse"),
        (base64.b64encode(b"\xff\xfe\x00garbage").decode(), "Failed to decode SAMLResponse"),
        (base64.b64encode(b"hello, not XML").decode(), UNPARSABLE),
        (base64.b64encode(b"<html/>").decode(), "Invalid response class: html"),
    ],
)
def test_garbage_is_refused(saml_sonar, acs, saml_response, expected):
    response, reason = acs(saml_response)
    assert_refused(saml_sonar, response)
    assert reason == expected


def test_a_missing_saml_response_is_refused(saml_sonar):
    relay_state = start_login(saml_sonar)
    response = saml_sonar.post("/oauth2/callback/saml", data={"RelayState": relay_state})
    assert_refused(saml_sonar, response)


def test_a_missing_oauthstate_cookie_is_refused(saml_sonar, idp, acs):
    relay_state = start_login(saml_sonar)
    saml_sonar.delete_cookie("OAUTHSTATE")
    response, reason = acs(encode(idp.response(attributes=ATTRIBUTES)), relay_state, start=False)
    assert_refused(saml_sonar, response)
    assert reason == "Cookie 'OAUTHSTATE' is missing"


def test_a_relay_state_mismatch_is_refused_and_the_state_cookie_dropped(saml_sonar, idp, acs):
    response, reason = acs(encode(idp.response(attributes=ATTRIBUTES)), "forged-state")
    assert_refused(saml_sonar, response)
    assert reason == "CSRF state value is invalid"
    assert any(c.startswith("OAUTHSTATE=;") for c in response.headers.getlist("Set-Cookie"))
    assert saml_sonar.get_cookie("OAUTHSTATE") is None


def test_an_unsolicited_idp_initiated_response_is_refused(saml_sonar, idp, acs):
    response, reason = acs(encode(idp.response(attributes=ATTRIBUTES)), None, start=False)
    assert_refused(saml_sonar, response)
    assert reason == "Cookie 'OAUTHSTATE' is missing"


def test_saml_switched_off_refuses_the_login(saml_sonar, idp):
    relay_state = start_login(saml_sonar)
    saml_sonar.application.test_client().post(
        "/api/settings/set",
        data={"key": "sonar.auth.saml.enabled", "value": "false"},
        headers={"Authorization": "Basic YWRtaW46YWRtaW4="},
    )
    response = post_to_acs(saml_sonar, encode(idp.response(attributes=ATTRIBUTES)), relay_state)
    assert_refused(saml_sonar, response)
    assert saml_sonar.get("/sessions/init/saml").headers["Location"] == "/sessions/unauthorized"


def test_an_unexpected_failure_is_not_a_500(saml_sonar, idp, acs, monkeypatch):
    from mock_sonar.saml import login as saml_login

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(saml_login, "register", broken)
    response, _ = acs(encode(idp.response(attributes=ATTRIBUTES)))
    assert_refused(saml_sonar, response)


# --- the HTTP-Redirect binding (a GET) never logs anyone in ----------------------------------


def get_acs(client, saml_response: str, relay_state: str):
    """The same response sent in a GET, as the HTTP-Redirect binding sends messages."""
    query = urlencode({"SAMLResponse": saml_response, "RelayState": relay_state})
    return client.get(f"/oauth2/callback/saml?{query}")


@pytest.fixture
def get_refusal(saml_sonar, caplog):
    """GET a response after a real start; returns (response, logged reason)."""
    caplog.set_level(logging.WARNING, logger="mock_sonar.views.saml")

    def send(saml_response: str):
        state = start_login(saml_sonar)
        caplog.clear()
        response = get_acs(saml_sonar, saml_response, state)
        reasons = [r.getMessage() for r in caplog.records if r.getMessage().startswith(FAILED)]
        return response, reasons[0][len(FAILED) :] if reasons else None

    return send


def test_a_plain_base64_response_in_a_get_is_refused(saml_sonar, idp, get_refusal):
    response, reason = get_refusal(encode(idp.response(attributes=ATTRIBUTES)))
    assert_refused(saml_sonar, response)
    assert reason == "Unable to inflate string"


def test_a_deflated_response_in_a_get_is_refused_too(saml_sonar, idp, get_refusal):
    xml = idp.response(attributes=ATTRIBUTES).encode()
    deflater = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    deflated = base64.b64encode(deflater.compress(xml) + deflater.flush()).decode()
    response, reason = get_refusal(deflated)
    assert_refused(saml_sonar, response)
    assert reason == "A SAML Response must not use the HTTP-Redirect binding (GET)"


def test_a_get_checks_the_csrf_state_first(saml_sonar, idp, caplog):
    caplog.set_level(logging.WARNING, logger="mock_sonar.views.saml")
    start_login(saml_sonar)
    response = get_acs(saml_sonar, encode(idp.response(attributes=ATTRIBUTES)), "forged")
    assert_refused(saml_sonar, response)
    assert f"{FAILED}CSRF state value is invalid" in caplog.text


def test_the_same_response_posted_logs_in(saml_sonar, idp):
    state = start_login(saml_sonar)
    response = post_to_acs(saml_sonar, encode(idp.response(attributes=ATTRIBUTES)), state)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert saml_sonar.get_cookie("JWT-SESSION") is not None
