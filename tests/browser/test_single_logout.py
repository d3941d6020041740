"""Okta's front-channel Single Logout in a real browser: signing out of Okta carries a
LogoutRequest, in a hidden iframe, to a SAML app the session signed in to, then goes on."""

from flask import Flask, request

from okta_sonar_devenv.live import live_server
from tests.browser import okta_console as okta


def wiki_sp(received: list[dict]) -> Flask:
    """A SAML app that takes any assertion and records the LogoutRequests it is sent."""
    app = Flask("wiki")

    @app.post("/acs")
    def acs() -> str:
        return "<h1>Wiki</h1>"

    @app.post("/saml/logout")
    def logout() -> str:
        received.append(dict(request.form))
        return "<p>signed out of the wiki</p>"

    return app


def test_signing_out_of_okta_sends_the_wiki_its_logout_request(world, page, screens):
    received: list[dict] = []
    with live_server(wiki_sp(received)) as wiki_url:
        created = world.okta.post(
            f"{world.okta_url}/api/v1/apps",
            json={
                "label": "Wiki",
                "signOnMode": "SAML_2_0",
                "settings": {
                    "signOn": {
                        "ssoAcsUrl": f"{wiki_url}/acs",
                        "audience": "wiki",
                        "participateSlo": {
                            "enabled": True,
                            "logoutRequestUrl": f"{wiki_url}/saml/logout",
                            "sessionIndexRequired": True,
                            "bindingType": "POST",
                        },
                    }
                },
            },
        )
        created.raise_for_status()
        wiki = created.json()
        world.okta.post(
            f"{world.okta_url}/api/v1/apps/{wiki['id']}/users",
            json={"id": "00ualicemartin000001", "scope": "USER"},
        ).raise_for_status()

        page.goto(f"{world.okta_url}/login/login.htm")
        okta.sign_in_at_okta(page, "alice.martin@example.com")
        page.goto(wiki["_links"]["appLinks"][0]["href"])
        page.wait_for_url(f"{wiki_url}/acs")
        screens.shot("signed in to the wiki")

        page.goto(f"{world.okta_url}/login/signout")
        # On as soon as the iframe has loaded, well before the 5 s fallback.
        page.wait_for_url(f"{world.okta_url}/login/login.htm", timeout=4000)
        screens.shot("signed out")

    assert len(received) == 1
    assert set(received[0]) == {"SAMLRequest"}
