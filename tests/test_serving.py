"""`serve` runs each app on a production WSGI server: no development-server banner, an access
log, keep-alive, and a clean exit on SIGTERM (what `devenv.sh down` sends)."""

import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_sonar(tmp_path):
    port = free_port()
    database = str(tmp_path / "sonar.sqlite3")
    command = [sys.executable, "-m", "mock_sonar", "--db", database]
    subprocess.run([*command, "init"], check=True, capture_output=True)
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/api/system/status", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()


def test_serve_keeps_connections_alive_logs_requests_and_stops_cleanly(served_sonar):
    process, url = served_sonar
    with requests.Session() as http:
        first = http.get(f"{url}/api/system/status")
        second = http.get(f"{url}/api/system/status")
    assert first.status_code == second.status_code == 200
    assert first.headers.get("Connection", "").lower() != "close"
    assert "Server" not in first.headers

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    log = process.stdout.read()
    assert "development server" not in log
    assert log.count('"GET /api/system/status HTTP/1.1" 200 80') >= 2  # and the readiness polls


def test_stopping_a_served_app_wakes_its_loop_at_once(monkeypatch):
    """Tests serve and stop two apps each: stopping must not wait out the loop's poll."""
    from mock_common import serving

    monkeypatch.setattr(serving, "_POLL_SECONDS", 60.0)
    served = serving.ServedApp(lambda environ, start_response: [], "127.0.0.1", 0)
    loop = threading.Thread(target=served.serve_until_stopped, daemon=True)
    loop.start()
    time.sleep(0.1)  # the loop is inside its 60-second wait
    served.stop()
    loop.join(timeout=10)
    assert not loop.is_alive()
    served.stop()  # again, after the loop closed its wake-up: no error
