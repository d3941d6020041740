"""URL rules that cost little to add: parsed once per process, URL builders made on first use.

Adding a rule to a werkzeug Map parses its text into match parts and compiles two Python
functions (its URL builders, used by `url_for`). Each app has about 130 rules, and test suites
build an app per test: the builders were three quarters of `create_app` (~70 ms of ~100 ms),
and once they were made lazily, parsing the same texts again was two thirds of what remained.
Both only depend on the rule's text and the map's converter classes, never on the app.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from werkzeug.routing import Rule
from werkzeug.routing.rules import RulePart

#: A parsed rule text: its parts, its trace and how to make its converters again.
_Parsed = tuple[tuple[RulePart, ...], tuple[tuple[bool, str], ...], tuple[tuple, ...]]
#: (rule text, the map's converter classes by name) -> what werkzeug's parse of it yields.
_PARSED: dict[tuple[str, Hashable], _Parsed] = {}


class LazyBuilderRule(Rule):
    """A werkzeug Rule whose text is parsed once per process and whose URL builders are
    compiled when first called. Matching and building are werkzeug's own."""

    _recorded: list[tuple] | None = None

    def _parse_rule(self, rule: str) -> Iterable[RulePart]:
        # werkzeug's parse yields the parts and, on the way, appends to `_trace` and makes
        # the variables' converters (bound to this map); a cached parse replays both.
        key = (rule, _converter_classes(self.map.converters))
        parsed = _PARSED.get(key)
        if parsed is None:
            trace_start, self._recorded = len(self._trace), []
            try:
                parts = tuple(super()._parse_rule(rule))
                parsed = (parts, tuple(self._trace[trace_start:]), tuple(self._recorded))
            finally:
                self._recorded = None
            _PARSED[key] = parsed  # two threads may both parse: the results are the same
            return parts
        parts, trace, converters = parsed
        self._trace.extend(trace)
        for variable, converter, args, kwargs in converters:
            self._converters[variable] = self.get_converter(variable, converter, args, kwargs)
            self.arguments.add(variable)
        return parts

    def get_converter(
        self,
        variable_name: str,
        converter_name: str,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> Any:
        if self._recorded is not None:
            self._recorded.append((variable_name, converter_name, args, kwargs))
        return super().get_converter(variable_name, converter_name, args, kwargs)

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # `Rule.compile` binds what this returns as a method: `build(self, **values)`.
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(rule: Rule, *args: object, **kwargs: object) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:  # two threads may both compile: the results are the same
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            return compiled(*args, **kwargs)

        return build


def _converter_classes(converters: Mapping[str, type]) -> Hashable:
    return tuple(sorted(converters.items(), key=lambda item: item[0]))
