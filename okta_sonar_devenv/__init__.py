"""Both simulators together, driven from outside: the guide's demo, and the Python API and
pytest plugin for other people's tests (`start_devenv`, `connect_devenv`, `Devenv`)."""

from okta_sonar_devenv.environment import (
    SONARQUBE_APP,
    Devenv,
    DevenvError,
    connect_devenv,
    start_devenv,
)

__all__ = ["SONARQUBE_APP", "Devenv", "DevenvError", "connect_devenv", "start_devenv"]
