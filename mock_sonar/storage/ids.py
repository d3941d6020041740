"""SonarQube-style identifiers."""

import base64
import os
import time


def new_uuid() -> str:
    """A 20-character URL-safe id like SonarQube's UuidFactory (`AYgE5F7pEoXHSow6lKjD`).

    Like the real factory it starts with the time, so ids created later sort later
    most of the time; the rest is random.
    """
    millis = int(time.time() * 1000).to_bytes(6, "big")
    return base64.urlsafe_b64encode(millis + os.urandom(9)).decode("ascii")
