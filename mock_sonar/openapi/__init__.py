"""SonarQube's APIs as this simulator implements them, as OpenAPI 3 documents.

SonarQube publishes no file to derive them from (v1 is described by api/webservices/list, v2
is generated at run time, SCIM not at all), so they are data written by hand beside this
module: `web-api-v1.yaml`, `web-api-v2.yaml`, `scim.yaml`. The app serves them with its own
base URL as the server.
"""

import copy
import functools
from importlib import resources
from urllib.parse import urlsplit

import yaml

DOCUMENTS = ("web-api-v1", "web-api-v2", "scim")


@functools.cache
def _load(name: str) -> dict:
    if name not in DOCUMENTS:
        raise KeyError(name)
    return yaml.safe_load(resources.files(__name__).joinpath(f"{name}.yaml").read_text("utf-8"))


def document(name: str, base_url: str) -> dict:
    """One of `DOCUMENTS`, its server at `base_url` (keeping the document's own path)."""
    loaded = copy.deepcopy(_load(name))
    path = urlsplit(loaded["servers"][0]["url"]).path
    loaded["servers"] = [{"url": base_url.rstrip("/") + path}]
    return loaded
