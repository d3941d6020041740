"""./devenv.sh up / status / down against a temporary DEVENV_HOME on free ports."""

import os
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_okta.config import DEFAULT_API_TOKEN
from okta_sonar_devenv.browserless import Browser

ROOT = Path(__file__).resolve().parents[1]
DEVENV = ROOT / "devenv.sh"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return True
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def port_answers(port: int) -> bool:
    """Something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def devenv(tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    """Run devenv.sh with its own DEVENV_HOME and ports; always `down` afterwards."""
    sonar_port = free_port()
    okta_port = free_port()
    while okta_port == sonar_port:
        okta_port = free_port()
    env = {
        **os.environ,
        "DEVENV_HOME": str(tmp_path / "devenv"),
        "SONAR_PORT": str(sonar_port),
        "OKTA_PORT": str(okta_port),
    }
    try:
        yield env, sonar_port
    finally:
        subprocess.run([str(DEVENV), "down"], env=env, cwd=ROOT, capture_output=True, timeout=120)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEVENV), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.devenv
def test_up_status_up_again_down(devenv: tuple[dict[str, str], int]) -> None:
    env, port = devenv
    url = f"http://localhost:{port}"
    pidfile = Path(env["DEVENV_HOME"]) / "run" / "sonar.pid"

    up = run(env, "up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert url in up.stdout
    pid = int(pidfile.read_text().strip())
    assert pid_alive(pid)

    with requests.get(f"{url}/api/system/status", timeout=10) as r:
        assert r.status_code == 200
        assert r.json()["status"] == "UP"
    with requests.get(
        f"{url}/api/authentication/validate", auth=("admin", "admin"), timeout=10
    ) as r:
        assert r.status_code == 200
        assert r.json() == {"valid": True}

    status = run(env, "status")
    assert status.returncode == 0, status.stderr
    assert re.search(rf"^sonar\s+running\s+pid {pid}\b.*{re.escape(url)}", status.stdout, re.M)

    again = run(env, "up")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already running" in again.stdout
    assert int(pidfile.read_text().strip()) == pid

    down = run(env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert not pid_alive(pid)
    assert not pidfile.exists()
    assert not port_answers(port)

    assert "not running" in run(env, "down").stdout


def saml_login(sonar_url: str, okta_url: str, username: str) -> str:
    """Log in with SAML from SonarQube through Okta's sign-in page; returns the login."""
    browser = Browser()
    try:
        page = browser.get(f"{sonar_url}/sessions/init/saml", params={"return_to": "/"})
        assert page.url.startswith(f"{okta_url}/login/login.htm"), page.url
        handover = browser.submit(page, username=username, password="Passw0rd!")
        browser.submit(handover, "appForm")
        me = browser.get(f"{sonar_url}/api/users/current")
        assert me.status_code == 200, me.text
        return me.json()["login"]
    finally:
        browser.close()


@pytest.mark.devenv
def test_saml_works_out_of_the_box_and_after_a_reset(devenv: tuple[dict[str, str], int]) -> None:
    env, sonar_port = devenv
    sonar_url, okta_url = f"http://localhost:{sonar_port}", f"http://localhost:{env['OKTA_PORT']}"
    keys = Path(env["DEVENV_HOME"]) / "keys"

    up = run(env, "up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["okta-sonarqube-idp.pem", "sonarqube-sp.pem"]
    idp_key = (keys / "okta-sonarqube-idp.pem").read_text()
    assert saml_login(sonar_url, okta_url, "dave.lee@example.com").startswith("dave-lee")

    reset = run(env, "reset")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert run(env, "up").returncode == 0
    # The key files survive a reset, so both apps still agree on the IdP certificate.
    assert (keys / "okta-sonarqube-idp.pem").read_text() == idp_key
    assert saml_login(sonar_url, okta_url, "erin.kowalski@example.com").startswith("erin")


@pytest.mark.devenv
def test_up_from_the_provisioned_fixture_reaches_the_guides_end_state(
    devenv: tuple[dict[str, str], int],
) -> None:
    env, sonar_port = devenv
    env = {**env, "DEVENV_FIXTURE": "fixtures/provisioned.json"}
    sonar_url, okta_url = f"http://localhost:{sonar_port}", f"http://localhost:{env['OKTA_PORT']}"

    up = run(env, "up")
    assert up.returncode == 0, up.stdout + up.stderr
    ssws = {"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}
    with requests.post(
        f"{okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": 30}, headers=ssws, timeout=40
    ) as r:
        assert r.status_code == 200, r.text
    with requests.get(f"{okta_url}/_mock/tasks", headers=ssws, timeout=10) as r:
        assert r.json() == []
    with requests.get(
        f"{sonar_url}/api/users/search",
        params={"q": "dave"},
        auth=("admin", "admin"),
        timeout=10,
    ) as r:
        (dave,) = r.json()["users"]
    assert (dave["managed"], dave["externalIdentity"]) == (True, "dave.lee@example.com")
    assert saml_login(sonar_url, okta_url, "dave.lee@example.com") == dave["login"]
