"""Batch commands: `method?query` strings with PHP-style queries, and the parsed batch answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote

from bitrix_app.phpform import flat

MAX_COMMANDS = 50


def command(method: str, params: Mapping[str, Any] | None = None) -> str:
    """`crm.deal.add?fields[TITLE]=...`: how a command travels inside `batch`."""
    if not params:
        return method
    query = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in flat(params))
    return f"{method}?{query}"


def chunks(labels: list[str], size: int = MAX_COMMANDS) -> list[list[str]]:
    return [labels[i:i + size] for i in range(0, len(labels), size)]


def _section(value: Any) -> dict:
    """PHP sends an empty map as [] and a 0..n-1 map as a list."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


@dataclass
class BatchResult:
    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    times: dict[str, dict] = field(default_factory=dict)

    def merge(self, body: Mapping[str, Any], labels: list[str]) -> None:
        inner = body.get("result") or {}
        results = _section(inner.get("result"))
        errors = _section(inner.get("result_error"))
        for label in labels:
            if label in errors:
                self.errors[label] = errors[label]
            elif label in results:
                self.results[label] = results[label]
        self.totals.update({k: int(v) for k, v in _section(inner.get("result_total")).items()})
        self.nexts.update({k: int(v) for k, v in _section(inner.get("result_next")).items()})
        self.times.update(_section(inner.get("result_time")))

    def error_code(self, label: str) -> str | None:
        err = self.errors.get(label)
        return None if err is None else str(err.get("error") or "")
