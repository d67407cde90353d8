"""Batch requests of a PortalClient: one `batch` request per group, concurrent, answers kept per group.

A request that fails as a whole (portal unreachable, retries exhausted, outcome unknown) costs only
its own labels (`BatchResult.failed`); the other requests' answers are returned with them.
"""
from __future__ import annotations

import asyncio

from .batching import BatchResult, command, resolve
from .errors import MethodBudgetExhausted, OutcomeUnknown, PortalBlocked, PortalError, PortalUnavailable, TokenExpired

LIMIT_CODES = ("OPERATION_TIME_LIMIT", "QUERY_LIMIT_EXCEEDED")


async def run_groups(client, bx, groups: list[dict], halt: bool, writes: bool) -> BatchResult:
    """Send the groups, then the commands the portal refused for its limits. `client`: a PortalClient."""
    out = BatchResult()
    stopped = await _send_groups(client, bx, groups, out, halt, writes)
    if groups and len(stopped) == len(groups):
        raise next(iter(stopped.values()))  # nothing ran anywhere: the job layer waits for the budget
    await _retry_limited(client, bx, groups, out, halt, writes)
    return out


async def _send_groups(client, bx, groups: list[dict], out: BatchResult, halt: bool,
                       writes: bool) -> dict[int, MethodBudgetExhausted]:
    """One request per group, `client.concurrency` at a time; returns the groups a spent method
    budget stopped before sending (by index). TokenExpired, PortalBlocked and the portal's refusal
    of a whole request (a PortalError under 500) raise, once every request has ended."""
    gate = asyncio.Semaphore(client.concurrency)
    stopped: dict[int, MethodBudgetExhausted] = {}

    async def one(n: int, group: dict) -> None:
        labels = list(group)
        params = {"halt": int(halt), "cmd": {label: command(*group[label]) for label in labels}}
        try:
            async with gate:
                body = await client._send(bx, "batch", params, tuple({client._labels[l] for l in labels}), writes)
        except (TokenExpired, PortalBlocked):
            raise
        except MethodBudgetExhausted as exc:
            stopped[n] = exc
            out.fail(labels, str(exc))
            out.hold(labels, exc.retry_at)
        except (PortalUnavailable, OutcomeUnknown) as exc:
            out.fail(labels, f"{type(exc).__name__}: {exc}")
        except PortalError as exc:
            if (exc.status or 0) < 500:
                raise
            out.fail(labels, f"{type(exc).__name__}: {exc}")
        else:
            out.merge(body, labels)

    # every request runs to its end (none is abandoned half-sent) before a whole-portal problem raises
    outcomes = await asyncio.gather(*(one(n, group) for n, group in enumerate(groups)), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return stopped


async def _retry_limited(client, bx, groups: list[dict], out: BatchResult, halt: bool, writes: bool) -> None:
    """Commands refused for rate or budget reasons (they did not run) are sent again once the limit
    allows; a group's refused commands travel together, references to answers in hand filled in."""
    for _ in range(3):
        retry = []
        for group in groups:
            limited = {l: group[l] for l in group if out.error_code(l) in LIMIT_CODES}
            for label in limited:
                if out.error_code(label) == "OPERATION_TIME_LIMIT":
                    out.hold([label], client.governor.block_method(client._labels[label]))
            if limited:
                retry.append({l: (method, resolve(params, out.results)) for l, (method, params) in limited.items()})
        if not retry:
            return
        refused = {l: out.errors[l] for group in retry for l in group}
        stopped = await _send_groups(client, bx, retry, out, halt, writes)
        for n in stopped:  # the budget is spent and nothing was sent: the refusals stand
            for label in retry[n]:
                out.failed.pop(label)
                out.errors[label] = refused[label]
        if stopped:
            return
