"""The `batch` method: up to 50 commands in one request, with `$result[...]` references."""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from .context import CallContext, ListResult, MethodSpec, arg
from .errors import RestError
from .phpquery import parse_query
from .timeobj import time_object

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Runtime

MAX_COMMANDS = 50
SECTIONS = ("result", "result_error", "result_total", "result_next", "result_time")
_REF = re.compile(r"\$result\[([^\[\]]*)\]((?:\[[^\[\]]*\])*)")
_TRUE = {"1", "true", "y", "yes", "on"}


def _unbound(ctx: CallContext, params: dict) -> Any:
    raise RestError("INTERNAL_SERVER_ERROR", "batch is served by the runtime", 500)


# The runtime replaces `func` with one bound to itself (registry.Runtime.add_methods).
BATCH_SPEC = MethodSpec("batch", _unbound, scope="", cost=0.0, batchable=False)


def not_allowed() -> RestError:
    return RestError("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405)


def length_exceeded() -> RestError:
    # Docs disagree (per command vs. whole request); live portals answer the commands past 50 this way.
    return RestError("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded", 400)


def truthy(value: Any) -> bool:
    """`halt` as PHP reads it: 1/true/"Y" stop at the first error."""
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def commands(cmd: Any) -> list[tuple[str, str]]:
    """`cmd` as a map label -> "method?query", or a list (labels 0..n-1)."""
    if isinstance(cmd, dict):
        return [(str(k), "" if v is None else str(v)) for k, v in cmd.items()]
    if isinstance(cmd, (list, tuple)):
        return [(str(i), "" if v is None else str(v)) for i, v in enumerate(cmd)]
    return []


def run_batch(runtime: "Runtime", ctx: CallContext, params: dict) -> tuple[dict, float, int | None]:
    """Run the commands in order; returns (payload, busiest `operating`, its reset time)."""
    out: dict[str, dict] = {name: {} for name in SECTIONS}
    halt = truthy(arg(params, "halt", False))
    busiest: tuple[float, int | None] = (0.0, None)
    for index, (label, command) in enumerate(commands(arg(params, "cmd"))):
        try:
            if index >= MAX_COMMANDS:
                raise length_exceeded()
            outcome = _run_one(runtime, ctx, command, out["result"])
        except RestError as err:
            out["result_error"][label] = err.body()
            if halt:
                break
            continue
        _record(out, label, outcome)
        if outcome.operating >= busiest[0]:
            busiest = (outcome.operating, outcome.operating_reset_at)
    return out, busiest[0], busiest[1]


def _record(out: dict, label: str, outcome) -> None:
    result = outcome.result
    if isinstance(result, ListResult):
        out["result"][label] = result.items
        out["result_total"][label] = result.total
        if result.next is not None:
            out["result_next"][label] = result.next
    else:
        out["result"][label] = result
    out["result_time"][label] = time_object(
        outcome.start, outcome.finish, outcome.processing, outcome.operating, outcome.operating_reset_at
    )


def _run_one(runtime: "Runtime", ctx: CallContext, command: str, results: dict):
    name, _, query = command.partition("?")
    name = name.strip().strip("/")
    if name.lower().endswith(".json"):
        name = name[: -len(".json")]
    spec = runtime.lookup(name)
    if not spec.batchable or spec.name.lower() == "batch":
        raise not_allowed()
    params = substitute(parse_query(query), results)
    params.pop("auth", None)  # every command runs with the batch's own auth
    sub = dataclasses.replace(ctx, in_batch=True)
    if "auth_connector" in params:
        sub.auth_connector = str(params["auth_connector"] or "")
    return runtime.invoke(spec, sub, params)


def substitute(value: Any, results: dict) -> Any:
    """Replace `$result[label][field][0]…` in parameter values by earlier commands' results."""
    if isinstance(value, dict):
        return {k: substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, results) for v in value]
    if not isinstance(value, str) or "$result[" not in value:
        return value
    whole = _REF.fullmatch(value)
    if whole:
        found, ref = _resolve(whole, results)
        if found and isinstance(ref, (dict, list)):
            return ref
    return _REF.sub(lambda m: _as_text(m, results), value)


def _resolve(match: re.Match, results: dict) -> tuple[bool, Any]:
    label = match.group(1)
    if label not in results:
        return False, None
    node = results[label]
    for key in re.findall(r"\[([^\[\]]*)\]", match.group(2)):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


def _as_text(match: re.Match, results: dict) -> str:
    found, value = _resolve(match, results)
    if not found:
        return match.group(0)  # an unresolved reference stays as written
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)
