"""2,000 shop orders become deals in a standard-plan (or `--plan enterprise`) sandbox portal, drained by 2 worker
processes (`--workers`).

Every order is a new customer (own phone and e-mail) with 1 to 5 items; with `--returning SHARE` that share of
the orders (the last ones posted) comes from customers of earlier orders, with the same phone, e-mail and name. The events are posted through the
signed HTTP API in batches of 500 first (not timed); then 2 spawned processes run burst workers on the
`sync` queue (again and again, so drains scheduled for later are picked up) and the clock runs until no
inbox event of the shop is pending. The drain holds a per-portal lease, so with one portal one drainer
works at a time: the portal's rate limit is the bottleneck, not the workers.

Figures (one JSON line, last): orders, deals, lost, duplicates (from the sandbox's deal table, by
ORIGIN_ID), inbox (events by status), http_requests, http_503 (the sandbox call log, OAuth server calls
excluded), seconds, orders_per_s, requests_per_order, commands_per_order (batch sizes plus single calls,
per order), commands_per_request, ceiling_orders_per_s = drain rate x 50 / commands_per_order (the
steady state when every request is a full batch; see ceiling_derivation), burst_requests,
requests_per_s_after_burst (how close the drain runs to the portal's rate once the burst is spent),
rate_bound_seconds (the least time the portal's limit allows for these requests: the part beyond the
burst at the drain rate; seconds close to it mean the portal, not the app, sets the pace), command_mix
(commands per order by method, batched commands and single calls together), returning_share, least_seconds
and efficiency (below).

The bucket starts full: its burst (50 requests on the standard plan) is spent at once, before the 2/s
drain paces the rest, so a run this short can beat the steady-state ceiling; the longer the run, the
closer it gets to the ceiling from above.

operating_ceiling_orders_per_s: the portal also limits each method's processing time (480 s per 10 minutes);
the method with the largest processing time per order in the measured mix reaches it first in a long run
(`crm.deal.productrows.set`, one per order), so the goal is measured against the lower of the two ceilings
(goal_ceiling_orders_per_s).

orders_per_s_after_burst: commands the portal took per second once the burst was spent, over
commands_per_order. A backlog bigger than one drain slice (default 120 s) is drained by slices handing over
to each other; this figure shows whether the handovers cost any of the portal's rate.

least_seconds: the least time the portal's two limits allow for this run's orders (bench/portal_limits.py:
the request bucket and the busiest method's operating budget, stepped through as a perfect client would
spend them), and efficiency = least_seconds / seconds. The operating budget starts full like the bucket: a
whole window's processing time may be spent at once, and what the request burst spent is freed only a window
later, so when the operating limit is the lower ceiling the rate after the request burst reads low (the
burst's orders are not counted, their processing time is) and efficiency is the figure to read
(steady_basis says which one the goal used).

Goal: 0 lost, 0 duplicates, 0 503 answers, orders_per_s >= 90 % of the goal ceiling, and then either
orders_per_s_after_burst >= 95 % of it (the request rate binds) or efficiency >= 95 % (the operating budget
binds). Exits 1 when missed.

    python -m bench.sync_throughput [--orders 2000] [--workers 2] [--plan standard|enterprise] [--returning SHARE]
                                    [--timeout SECONDS] [--timeline FILE]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time

import requests

from bench.harness import connect_shop, inbox_counts, order_event, start_stack
from bench.portal_limits import least_seconds
from bench.rest_governor import steady_rate

DRAIN_RATE, BURST = {"standard": 2.0, "enterprise": 5.0}, {"standard": 50, "enterprise": 250}
MAX_COMMANDS, POST_BATCH, TIMEOUT = 50, 500, 900  # TIMEOUT: the least wait; 0.1 s per order above that
LANE_RESERVE = 4  # places of the bucket the sync's `normal` lane leaves free for staff-facing calls


def method_costs(limits: dict, mix: dict[str, float]) -> dict[str, float]:
    """Seconds of processing an order costs each method of `mix` (commands per order by method)."""
    from sandbox.registry import all_methods

    methods = all_methods()
    return {m: n * limits.get("method_costs", {}).get(m, methods[m].cost) for m, n in mix.items() if m in methods}


def operating_ceiling(limits: dict, mix: dict[str, float]) -> tuple[float, str]:
    """Orders/s the portal's operating-time limit allows (each method may spend `operating_limit` seconds of
    processing per `operating_window`): the method with the largest cost per order in `mix` sets it."""
    costs = method_costs(limits, mix)
    if not limits.get("operating_limit") or not costs:
        return 0.0, "no operating limit"
    method, cost = max(costs.items(), key=lambda kv: kv[1])
    ceiling = limits["operating_limit"] / limits["operating_window"] / cost
    return ceiling, (f"{limits['operating_limit']:g} s per {limits['operating_window']} s for {method} / "
                     f"{cost:g} s per order = {ceiling:.2f} orders/s")


def _work(env: dict, barrier, stop) -> None:
    """A worker process: burst workers on the sync queue until the parent says stop."""
    import logging

    import redis

    from app import create_app
    from bitrix_app.jobs.worker import make_worker

    app = create_app({**env, "LOG_LEVEL": "WARNING"})
    logging.getLogger("rq").setLevel(logging.WARNING)
    conn = redis.Redis.from_url(env["REDIS_URL"])
    barrier.wait(timeout=120)
    while not stop.is_set():
        make_worker(app, conn, ["sync"], simple=True).work(burst=True, with_scheduler=True)
        stop.wait(0.2)
    conn.close()


def customer_of(n: int, count: int, returning: float) -> int:
    """The customer of order `n`: the first orders bring new customers, the last `returning` share of them
    come back from those in turn."""
    new = max(1, round(count * (1 - returning)))
    return n if n < new else (n - new) % new


def post_orders(url: str, secret: str, count: int, returning: float = 0.0) -> int:
    """Post `count` order.created events in signed batches; returns how many were accepted."""
    from bitrix_app.orders.adapters.signatures import sign_generic

    accepted = 0
    with requests.Session() as http:
        for first in range(0, count, POST_BATCH):
            events = [order_event(n, items=1 + n % 5, prefix="S", customer=customer_of(n, count, returning))
                      for n in range(first, min(count, first + POST_BATCH))]
            body = json.dumps({"events": events}).encode()
            res = http.post(url, data=body, timeout=120, headers={
                "Content-Type": "application/json", "X-Signature": sign_generic(body, secret)})
            if res.status_code not in (200, 202):
                raise SystemExit(f"posting events failed: {res.status_code} {res.text[:300]}")
            accepted += res.json()["accepted"]
    return accepted


def deal_figures(stack, shop_id: str, orders: int) -> dict:
    """Deals of the shop in the sandbox's own table: how many, which orders have none, which have several."""
    portal = stack.sandbox.portal
    with portal.lock:
        origins = [str(d.get("ORIGIN_ID")) for d in portal.table("crm_deal").values()
                   if d.get("ORIGINATOR_ID") == shop_id]
    wanted = {f"S{n}" for n in range(orders)}
    return {"deals": len(origins), "lost": len(wanted - set(origins)),
            "duplicates": len(origins) - len(set(origins))}


def _commands(call: dict) -> int:
    return call["batch_size"] if call.get("batch_size") is not None else 1


def call_figures(stack, mark: int, plan: str) -> dict:
    calls = [c for c in stack.control(f"calls?since={mark}", method="GET")["calls"]
             if not str(c.get("method", "")).startswith("oauth")]
    commands = sum(_commands(c) for c in calls)
    stamps, burst = [c["ts"] for c in calls], BURST[plan] - LANE_RESERVE
    methods: dict[str, int] = {}
    by_command: dict[str, int] = {}  # what ran: each command of a batch, and every single call
    for c in calls:
        methods[c["method"]] = methods.get(c["method"], 0) + 1
        for method, n in (c.get("batch_methods") or {c["method"]: 1}).items():
            by_command[method] = by_command.get(method, 0) + n
    return {"http_requests": len(calls), "http_503": sum(c["http_status"] == 503 for c in calls),
            "commands": commands, "methods": methods, "by_command": by_command,
            "requests_per_s_after_burst": round(steady_rate(stamps, burst), 3),
            "commands_per_s_after_burst": steady_rate(stamps, burst, [_commands(c) for c in calls])}


def write_timeline(stack, mark: int, path: str, step: float = 10.0) -> None:
    """The run's calls in `step`-second slots from the first one: requests, 503s and commands by method."""
    calls = [c for c in stack.control(f"calls?since={mark}", method="GET")["calls"]
             if not str(c.get("method", "")).startswith("oauth")]
    if not calls:
        return
    start, slots = min(c["ts"] for c in calls), {}
    for c in calls:
        slot = slots.setdefault(int((c["ts"] - start) // step), {"requests": 0, "http_503": 0, "commands": {}})
        slot["requests"] += 1
        slot["http_503"] += c["http_status"] == 503
        for method, n in (c.get("batch_methods") or {c["method"]: 1}).items():
            slot["commands"][method] = slot["commands"].get(method, 0) + n
    with open(path, "w") as out:
        for n in sorted(slots):
            out.write(json.dumps({"t": n * step, **slots[n]}) + "\n")


def wait_drained(stack, shop_id: str, total: int, timeout: float) -> tuple[float, dict]:
    """Poll the inbox until none of the shop's events is pending; (seconds, counts by status)."""
    started = time.monotonic()
    while True:
        counts = inbox_counts(stack, shop_id)
        if sum(counts.values()) >= total and not counts.get("pending"):
            return time.monotonic() - started, counts
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, counts
        time.sleep(1.0)  # each look counts the inbox in this process, which also serves the sandbox


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plan", choices=sorted(BURST), default="standard",
                        help="the portal's plan: standard (2 requests/s, burst 50) or enterprise (5/s, burst 250)")
    parser.add_argument("--returning", type=float, default=0.0,
                        help="share of the orders (0 to 0.9) placed by customers of earlier orders")
    parser.add_argument("--timeout", type=float, default=None, help="seconds to wait for the drain")
    parser.add_argument("--timeline", metavar="FILE", help="write the portal's calls per 10 s (requests, commands "
                                                            "by method) to FILE as JSON lines")
    args = parser.parse_args(argv)
    if not 0.0 <= args.returning <= 0.9:
        parser.error("--returning is a share from 0 to 0.9")
    stack = start_stack(plan=args.plan)
    procs, stop = [], None
    try:
        shop_id, secret = connect_shop(stack)
        stack.control("limits", {"reset": True})
        stack.redis().delete(f"bitrix_app:gov:{stack.member_id}:bucket")
        mark = stack.control("calls", method="GET")["total"]
        accepted = post_orders(f"{stack.live.url}/shop/v1/{shop_id}/events", secret, args.orders, args.returning)
        ctx = mp.get_context("spawn")
        barrier, stop = ctx.Barrier(args.workers + 1), ctx.Event()
        procs = [ctx.Process(target=_work, args=(stack.env, barrier, stop)) for _ in range(args.workers)]
        for p in procs:
            p.start()
        barrier.wait(timeout=120)
        seconds, inbox = wait_drained(stack, shop_id, accepted, args.timeout or max(TIMEOUT, 0.1 * args.orders))
        stop.set()
        figures = {"orders": args.orders, **deal_figures(stack, shop_id, args.orders), "inbox": inbox}
        limits = stack.control("limits", method="GET")
        calls = call_figures(stack, mark, args.plan)
        if args.timeline:
            write_timeline(stack, mark, args.timeline)
        per_order = calls["commands"] / args.orders
        drain = DRAIN_RATE[args.plan]
        ceiling = drain * MAX_COMMANDS / per_order if per_order else 0.0
        mix = {m: round(n / args.orders, 3) for m, n in sorted(calls["by_command"].items(), key=lambda kv: -kv[1])}
        op_ceiling, op_derivation = operating_ceiling(limits, mix)
        after_burst = round(calls["commands_per_s_after_burst"] / per_order, 2) if per_order else 0.0
        operating_bound = bool(op_ceiling) and op_ceiling < ceiling
        least = least_seconds(args.orders, per_order, max(method_costs(limits, mix).values(), default=0.0), BURST[args.plan] - LANE_RESERVE,
                              drain, limits.get("operating_limit"), float(limits.get("operating_window") or 600))
        figures.update({
            "http_requests": calls["http_requests"], "http_503": calls["http_503"], "seconds": round(seconds, 2),
            "orders_per_s": round(args.orders / seconds, 2),
            "requests_per_order": round(calls["http_requests"] / args.orders, 4),
            "commands_per_order": round(per_order, 3),
            "commands_per_request": round(calls["commands"] / max(1, calls["http_requests"]), 1),
            "ceiling_orders_per_s": round(ceiling, 2),
            "ceiling_derivation": f"{drain:g} req/s drain x {MAX_COMMANDS} commands/request / "
                                  f"{per_order:.3f} commands/order = {ceiling:.2f} orders/s",
            "operating_ceiling_orders_per_s": round(op_ceiling, 2), "operating_ceiling_derivation": op_derivation,
            "goal_ceiling_orders_per_s": round(min(ceiling, op_ceiling or ceiling), 2),
            "burst_requests": BURST[args.plan], "requests_per_s_after_burst": calls["requests_per_s_after_burst"],
            "orders_per_s_after_burst": after_burst,
            "least_seconds": round(least, 1), "efficiency": round(least / seconds, 3) if seconds else 0.0,
            "steady_basis": "efficiency" if operating_bound else "orders_per_s_after_burst",
            "rate_bound_seconds": round(max(0, calls["http_requests"] - BURST[args.plan] + LANE_RESERVE) / drain, 1),
            "methods": calls["methods"], "command_mix": mix, "returning_share": args.returning,
            "workers": args.workers, "plan": args.plan,
            "database": stack.app.extensions["bitrix_app"]["engine"].dialect.name,
        })
        return figures
    finally:
        if stop is not None:
            stop.set()
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
        stack.stop()


if __name__ == "__main__":
    result = main()
    print(json.dumps(result))
    ok = (result["lost"] == 0 and result["duplicates"] == 0 and result["http_503"] == 0
          and result["orders_per_s"] >= 0.9 * result["goal_ceiling_orders_per_s"]
          and (result["http_requests"] <= result["burst_requests"]  # a run within the burst has no "after"
               or (result["efficiency"] >= 0.95 if result["steady_basis"] == "efficiency"
                   else result["orders_per_s_after_burst"] >= 0.95 * result["goal_ceiling_orders_per_s"])))
    sys.exit(0 if ok else 1)
