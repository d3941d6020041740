"""Fixture files: JSON documents, optionally built on another fixture with `"extends"`.

A fixture whose top level has `"extends": "default.json"` (a path relative to the fixture's own
file, else one of the `shipped` fixtures when the caller names their folder; the base may extend
another) is the base fixture with this file merged on top. The merge
rule, applied at every level:

* objects: every key of either side is kept; a key on both sides has the two values merged;
* lists of objects: merged by the first of `id`, `login`, `name` that every item on both sides
  has. An item whose key matches a base item is merged into it in place; the others are appended
  in the file's order. Lists of objects without such a common key are replaced;
* anything else (strings, numbers, booleans, null, lists of strings such as member ids): the
  extending file's value replaces the base value.

Nothing can be removed by extending: a fixture that needs less than its base is a fixture of
its own. The resolved fixture has no `extends` key; it is what the apps seed and remember.
"""

import json
from pathlib import Path
from typing import Any

EXTENDS = "extends"
#: The keys that identify the items of a list of objects, tried in this order.
IDENTITY_KEYS = ("id", "login", "name")


class FixtureError(ValueError):
    """A fixture file that cannot be read, parsed or resolved; the message names the file."""


def load_fixture(path: Path, shipped: Path | None = None) -> dict:
    """The fixture at `path` with its `extends` chain resolved; a base not found beside the
    extending file is looked up in the `shipped` folder, if given."""
    return _load(Path(path), (), shipped)


def _load(path: Path, seen: tuple[Path, ...], shipped: Path | None) -> dict:
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise FixtureError(f"{path}: circular extends: {chain}")
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise FixtureError(f"{path}: cannot be read: {error.strerror or error}") from error
    except json.JSONDecodeError as error:
        raise FixtureError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: a fixture must be a JSON object")
    base_name = data.pop(EXTENDS, None)
    if base_name is None:
        return data
    if not isinstance(base_name, str) or not base_name:
        raise FixtureError(f"{path}: '{EXTENDS}' must be the path of a fixture file")
    base_path = path.parent / base_name
    if shipped is not None and not base_path.exists() and (shipped / base_name).is_file():
        base_path = shipped / base_name
    base = _load(base_path, (*seen, resolved), shipped)
    return merge(base, data)


def merge(base: Any, override: Any) -> Any:
    """`override` merged on top of `base` by the module's rule; neither argument is changed."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        key = _identity_key(base + override)
        if key is not None:
            return _merge_by(key, base, override)
    return override


def _identity_key(items: list) -> str | None:
    """The first identity key every item has, if all items are objects."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    return next((k for k in IDENTITY_KEYS if all(k in item for item in items)), None)


def _merge_by(key: str, base: list[dict], override: list[dict]) -> list[dict]:
    merged = list(base)
    position = {item[key]: index for index, item in enumerate(merged)}
    for item in override:
        if item[key] in position:
            index = position[item[key]]
            merged[index] = merge(merged[index], item)
        else:
            position[item[key]] = len(merged)
            merged.append(item)
    return merged
