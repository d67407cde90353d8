"""Batch commands: `method?query` strings with PHP-style queries, and the parsed batch answer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from bitrix_app.phpform import flat

MAX_COMMANDS = 50
_REF = re.compile(r"\$result\[([^\[\]]*)\]((?:\[[^\[\]]*\])*)")
_KEY = re.compile(r"\[([^\[\]]*)\]")


def command(method: str, params: Mapping[str, Any] | None = None) -> str:
    """`crm.deal.add?fields[TITLE]=...`: how a command travels inside `batch`."""
    if not params:
        return method
    query = "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in flat(params))
    return f"{method}?{query}"


def pack(units: list[dict], size: int = MAX_COMMANDS) -> list[dict]:
    """Whole units (commands that refer to each other by `$result[...]`) into groups of at most `size`."""
    groups: list[dict] = []
    current: dict = {}
    for unit in units:
        if current and len(current) + len(unit) > size:
            groups.append(current)
            current = {}
        current.update(unit)
    if current:
        groups.append(current)
    return groups


def chunks(labels: list[str], size: int = MAX_COMMANDS) -> list[list[str]]:
    return [labels[i:i + size] for i in range(0, len(labels), size)]


def checked_groups(groups: Sequence[Mapping[str, tuple]]) -> list[dict]:
    """Groups as sent by `batch_groups`: at most 50 commands each, labels unique across all of them."""
    seen: set[str] = set()
    out = []
    for n, group in enumerate(groups):
        if len(group) > MAX_COMMANDS:
            raise ValueError(f"group {n} has {len(group)} commands; one batch request takes {MAX_COMMANDS}")
        repeated = seen.intersection(group)
        if repeated:
            raise ValueError(f"labels used in more than one group: {sorted(repeated)}")
        seen.update(group)
        if group:
            out.append(dict(group))
    return out


def resolve(value: Any, results: Mapping[str, Any]) -> Any:
    """Fill `$result[label][key]…` references with answers already in hand.

    A command re-sent without the rest of its group would otherwise refer to a label that is not
    in its request; references to labels without an answer are left as they are.
    """
    if isinstance(value, Mapping):
        return {k: resolve(v, results) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, results) for v in value]
    if not isinstance(value, str) or "$result[" not in value:
        return value
    return _REF.sub(lambda m: _answer(m, results), value)


def _answer(ref: re.Match, results: Mapping[str, Any]) -> str:
    if ref.group(1) not in results:
        return ref.group(0)
    value = results[ref.group(1)]
    for key in _KEY.findall(ref.group(2)):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return ref.group(0)
    if isinstance(value, (dict, list)) or value is None:
        return ref.group(0)
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _section(value: Any) -> dict:
    """PHP sends an empty map as [] and a 0..n-1 map as a list."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


@dataclass
class BatchResult:
    """Every label ends in at most one of `results`, `errors` (the portal answered the command with
    an error) and `failed` (label -> short reason: the whole request failed; for writes, the
    command may or may not have run). A label in none of them got no answer (e.g. after `halt`).

    `held` marks the labels a spent method budget kept from running (their request was never sent, or the
    portal refused the command with OPERATION_TIME_LIMIT), with the moment (epoch seconds) the budget is
    expected to have room again: not a failure, work to do then."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    times: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    held: dict[str, float] = field(default_factory=dict)

    def ok(self, label: str) -> bool:
        """The command ran and answered without an error."""
        return label in self.results and label not in self.errors and label not in self.failed

    def problem(self, label: str, method: str) -> str | None:
        """Why a command did not succeed, in words for a log or an inbox row; None when it did."""
        if label in self.held:
            return f"{method}: not run yet, the portal's time budget for the method is spent"
        if label in self.failed:
            return f"{method}: outcome unknown ({self.failed[label]})"
        if label in self.errors:
            err = self.errors[label]
            return f"{method}: {err.get('error')}: {err.get('error_description')}"
        if label not in self.results:
            return f"{method}: no answer"
        return None

    def fail(self, labels: list[str], reason: str) -> None:
        for label in labels:
            self.results.pop(label, None)
            self.errors.pop(label, None)
            self.held.pop(label, None)
            self.failed[label] = reason

    def hold(self, labels: list[str], until: float) -> None:
        """These commands did not run for a spent method budget; they may once `until` (epoch seconds)."""
        for label in labels:
            self.held[label] = until

    def held_until(self, labels) -> float | None:
        """When every one of `labels` that did not succeed was only held back by a budget: the latest
        moment one of them may run; None when any of them failed otherwise (or all succeeded)."""
        waiting = [label for label in labels if label not in self.results or label in self.errors
                   or label in self.failed]
        if not waiting or any(label not in self.held for label in waiting):
            return None
        return max(self.held[label] for label in waiting)

    def merge(self, body: Mapping[str, Any], labels: list[str]) -> None:
        inner = body.get("result") or {}
        results = _section(inner.get("result"))
        errors = _section(inner.get("result_error"))
        for label in labels:
            if label in errors:
                self.errors[label] = errors[label]
            elif label in results:
                self.errors.pop(label, None)
                self.held.pop(label, None)
                self.results[label] = results[label]
        self.totals.update({k: int(v) for k, v in _section(inner.get("result_total")).items()})
        self.nexts.update({k: int(v) for k, v in _section(inner.get("result_next")).items()})
        self.times.update(_section(inner.get("result_time")))

    def error_code(self, label: str) -> str | None:
        err = self.errors.get(label)
        return None if err is None else str(err.get("error") or "")
