"""URL rules that compile their URL builders on first use.

Werkzeug compiles two Python functions per rule (building a URL with and without unknown arguments) when the rule
is added: with some 440 rules that is most of the time `create_app` takes. Matching does not need them, and most
rules are never built into a URL, so each builder is compiled the first time `url_for` asks for it."""
from __future__ import annotations

from typing import Any, Callable

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            if not compiled:
                compiled.append(Rule._compile_builder(rule, append_unknown))
            return compiled[0](rule, *args, **kwargs)

        return build
