"""Run a Flask app on a free loopback port in a background thread, for real-HTTP tests.

The app is served the way `serve` serves it (waitress), without the access log: a test's
output is its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from mock_common.serving import served_in_thread


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1 with a free port; yields its base URL."""
    with served_in_thread(app) as url:
        yield url
