"""4 worker processes push 3,000 batched REST commands through the seam at a standard-plan portal.

Prints one JSON line last: commands, http_requests, http_503, http_429, seconds,
requests_per_s (after the burst is spent), drain_rate. Goal: no 503/429, requests_per_s >= 90 %
of the drain rate: every process obeys one Redis bucket, so together they never overrun the portal.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time

COMMANDS, PROCESSES = 3000, 4
BURST = 39  # what the bulk lane may take of the standard plan's 50 before it waits on the 2/s drain


def _push(env: dict, member_id: str, start: int, count: int, barrier, results) -> None:
    from app import create_app
    from bitrix_app.portals import client_for

    app = create_app(env)
    with app.app_context():
        commands = {f"d{i}": ("crm.deal.add", {"fields": {"TITLE": f"Bench deal {i}", "OPPORTUNITY": i}})
                    for i in range(start, start + count)}
        barrier.wait(timeout=60)
        result = client_for(member_id, lane="bulk").batch(commands)
        results.put({"ok": len(result.results), "errors": len(result.errors)})


def steady_rate(stamps: list[float], burst: int, weights: list[float] | None = None) -> float:
    """Requests per second once the bucket's burst is spent (from the burst-th request on); with `weights`
    (one per request, e.g. the commands it carried), what they carry per second instead."""
    order = sorted(range(len(stamps)), key=stamps.__getitem__)
    if len(order) <= burst + 1 or stamps[order[-1]] <= stamps[order[burst]]:
        return 0.0
    carried = sum(weights[i] for i in order[burst + 1:]) if weights is not None else len(order) - 1 - burst
    return carried / (stamps[order[-1]] - stamps[order[burst]])


def main() -> dict:
    from bench.harness import start_stack

    stack = start_stack(plan="standard")
    try:
        stack.install()
        stack.work()
        stack.control("limits", {"reset": True})
        stack.app.extensions["bitrix_app"]["redis"].delete(f"bitrix_app:gov:{stack.member_id}:bucket")
        mark = stack.control("calls", method="GET")["count"]
        ctx = mp.get_context("spawn")
        barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
        share = COMMANDS // PROCESSES
        procs = [ctx.Process(target=_push, args=(stack.env, stack.member_id, i * share, share, barrier, results))
                 for i in range(PROCESSES)]
        started = time.monotonic()
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=600) for _ in procs]
        seconds = time.monotonic() - started
        for p in procs:
            p.join()
        calls = [c for c in stack.control(f"calls?since={mark}", method="GET")["calls"] if c.get("method") != "oauth/token"]
        return {
            "commands": sum(o["ok"] for o in outcomes), "command_errors": sum(o["errors"] for o in outcomes),
            "http_requests": len(calls), "http_503": sum(c["http_status"] == 503 for c in calls),
            "http_429": sum(c["http_status"] == 429 for c in calls), "seconds": round(seconds, 2),
            "requests_per_s": round(steady_rate([c["ts"] for c in calls], BURST), 3), "drain_rate": 2.0,
            "processes": PROCESSES,
        }
    finally:
        stack.stop()


if __name__ == "__main__":
    figures = main()
    print(json.dumps(figures))
    sys.exit(0 if figures["http_503"] == 0 and figures["http_429"] == 0 else 1)
