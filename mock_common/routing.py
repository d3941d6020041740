"""URL rules that cost nothing until a URL is built from them.

Werkzeug compiles two Python functions per URL rule (its URL builders, used by `url_for`) when
the rule is added. Each app has about 130 rules, and those compilations were three quarters of
the time `create_app` takes (measured: ~70 ms of ~100 ms per app). Test suites build an app
per test but build URLs from few of its rules, so the builders are compiled on first use.
"""

from collections.abc import Callable

from flask import Flask
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A werkzeug Rule whose URL builders are compiled when first called."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # `Rule.compile` binds what this returns as a method: `build(self, **values)`.
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(rule: Rule, *args: object, **kwargs: object) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:  # two threads may both compile: the results are the same
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            return compiled(*args, **kwargs)

        return build


class SimulatorApp(Flask):
    """Flask with URL builders compiled on first use (`LazyBuilderRule`)."""

    url_rule_class = LazyBuilderRule
