"""Okta's SCIM session reads the proxy environment once per target, with requests' rules,
and sends only the credential configured for the app."""

import pytest
import requests

from mock_okta.provisioning import client
from mock_okta.provisioning.client import ScimSession

URLS = [
    "http://127.0.0.1:9000/api/scim/v2/Users",
    "http://localhost:9000/api/scim/v2/Users?filter=x",
    "https://scim.example.com/scim/v2/Users",
    "http://sonar.internal:9000/api/scim/v2/Groups",
]


@pytest.fixture
def proxied(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,.internal")


@pytest.mark.parametrize("url", URLS)
def test_the_settings_are_the_ones_requests_would_use(proxied, url):
    expected = requests.Session().merge_environment_settings(url, {}, None, None, None)
    session = ScimSession()
    for _ in range(2):  # computed, then remembered
        assert session.merge_environment_settings(url, {}, None, None, None) == expected


def test_loopback_bypasses_the_proxy_and_others_use_it(proxied):
    session = ScimSession()
    loopback = session.merge_environment_settings(URLS[0], {}, None, None, None)
    outside = session.merge_environment_settings(URLS[2], {}, None, None, None)
    assert "http" not in loopback["proxies"]
    assert "https" not in loopback["proxies"]
    assert outside["proxies"]["https"] == "http://proxy.example.com:3128"


def response(body: bytes, content_type: str) -> requests.Response:
    answer = requests.Response()
    answer._content = body
    answer.headers["Content-Type"] = content_type
    answer.encoding = requests.utils.get_encoding_from_headers(answer.headers)
    return answer


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/scim+json", '{"familyName":"Müller"}'),  # no charset: JSON is UTF-8
        ("application/scim+json; charset=utf-8", '{"familyName":"Müller"}'),
        ("text/plain; charset=iso-8859-1", '{"familyName":"MÃ¼ller"}'),  # as declared
    ],
)
def test_the_wire_log_reads_a_body_as_its_charset_or_json_says(content_type, expected):
    body = '{"familyName":"Müller"}'.encode()
    assert client._body_text(response(body, content_type)) == expected


def test_a_netrc_entry_for_the_server_does_not_replace_the_configured_token(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    request = requests.Request("GET", URLS[0], headers={"Authorization": "Bearer configured-token"})
    # What requests itself would send: the netrc entry wins over the header.
    assert requests.Session().prepare_request(request).headers["Authorization"].startswith("Basic ")
    prepared = ScimSession().prepare_request(request)
    assert prepared.headers["Authorization"] == "Bearer configured-token"
