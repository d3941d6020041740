"""The Flask class both apps are built with: cheap to build again and again (test suites build
one per test), with routing and templates as Flask's own."""

from typing import Any

from flask import Flask

from .routing import LazyBuilderRule
from .template_cache import COMPILED_TEMPLATES


class SimulatorApp(Flask):
    """Flask with URL rules parsed once per process and URL builders compiled on first use
    (`LazyBuilderRule`), and templates compiled once per process (`COMPILED_TEMPLATES`)."""

    url_rule_class = LazyBuilderRule
    jinja_options: dict[str, Any] = {**Flask.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
