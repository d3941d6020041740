"""Fixtures: both apps live, seeded from a fixture, talking over loopback (see world.py)."""

import pytest

from tests.e2e.world import FIXTURE, FIXTURES, live_world


@pytest.fixture
def world(tmp_path, devenv_keys):
    """Okta and SonarQube from the default fixture, live, talking over loopback."""
    with live_world(tmp_path, devenv_keys, FIXTURE) as state:
        yield state


@pytest.fixture
def provisioned_world(tmp_path, devenv_keys):
    """Both apps from fixtures/provisioned.json: the guide's end state once Okta's queue is idle."""
    with live_world(tmp_path, devenv_keys, FIXTURES / "provisioned.json") as state:
        yield state
