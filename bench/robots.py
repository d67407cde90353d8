"""500 robot runs through a standard-plan sandbox portal, answered by 2 worker processes on the `robots` queue.

Setup (not timed): install the app, connect a shop, sync a few orders so their deals have a shop customer;
then the bucket is emptied. Each run is `POST /_sandbox/robots/run` of `customer_profile` on one of those deals
(the portal posts the call to the app's handler from its outbox); runs are started at `--rate` per second
(0: as fast as the sandbox takes them). Each run costs one REST call, its `bizproc.event.send` reply, which
the workers send on the REST seam's high lane.

Figures (one JSON line, last): runs, replied (workflows completed with the app's return values), ack_p50_ms /
ack_p99_ms (the handler's HTTP answer: the sandbox's outbound log entry of the delivery, written when the
answer arrived, minus the workflow's start; the outbox is idle when a run starts, so nothing queues in
between), reply_p50_ms / reply_p99_ms (workflow start until `bizproc.event.send` completed it, portal clock),
seconds, rate, workers, plan.

Goal: all replied, ack_p99_ms < 50, reply_p50_ms < 1000. Exits 1 when missed. The standard plan drains 2
requests per second after a burst of 50, so runs started faster than that queue their replies behind the
portal's limit (see the README).

    python -m bench.robots [--runs 500] [--workers 2] [--rate 1.8]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time

from bench.harness import connect_shop, order_event, start_gunicorn, start_stack, wait_ready

PLAN, CODE, DEALS, TIMEOUT = "standard", "customer_profile", 10, 900


def _work(env: dict, barrier) -> None:
    """A worker process: one RQ worker on the robots queue until the parent terminates it (warm shutdown)."""
    import logging

    import redis

    from app import create_app
    from bitrix_app.jobs.worker import make_worker

    app = create_app({**env, "LOG_LEVEL": "WARNING"})
    logging.getLogger("rq").setLevel(logging.WARNING)
    conn = redis.Redis.from_url(env["REDIS_URL"])
    worker = make_worker(app, conn, ["robots"], simple=True)
    barrier.wait(timeout=120)
    worker.work(burst=False, logging_level="WARNING")


def prepare_deals(stack, shop_id: str, secret: str) -> list[int]:
    """Sync DEALS orders (in this process) and answer their deal ids."""
    import requests
    from sqlalchemy import select

    from bitrix_app.orders.adapters.signatures import sign_generic
    from bitrix_app.store.db import transaction
    from bitrix_app.store.shop_models import OrderRecord

    body = json.dumps({"events": [order_event(n, prefix="R") for n in range(DEALS)]}).encode()
    res = requests.post(f"{stack.live.url}/shop/v1/{shop_id}/events", data=body, timeout=60, headers={
        "Content-Type": "application/json", "X-Signature": sign_generic(body, secret)})
    res.raise_for_status()
    stack.work()
    with transaction(stack.app.extensions["bitrix_app"]["sessions"]) as s:
        deals = [d for d in s.scalars(select(OrderRecord.deal_id).where(OrderRecord.shop_id == shop_id)) if d]
    if len(deals) != DEALS:
        raise SystemExit(f"setup: {len(deals)} of {DEALS} orders became deals")
    return deals


def start_runs(stack, deals: list[int], runs: int, rate: float) -> list[str]:
    """Start the runs at `rate` per second; after each, wait until the outbox delivered it."""
    ids, started = [], time.monotonic()
    for n in range(runs):
        if rate > 0:
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        run = stack.control("robots/run", {"code": CODE, "document_id": f"DEAL_{deals[n % len(deals)]}"})
        ids.append(run["workflow_id"])
        stack.control("outbox/drain")
    return ids


def wait_replied(stack, ids: list[str], timeout: float) -> list[dict]:
    wanted, deadline = set(ids), time.monotonic() + timeout
    while True:
        flows = [w for w in stack.control("workflows", method="GET") if w["id"] in wanted]
        if all(w["status"] != "running" for w in flows) or time.monotonic() > deadline:
            return flows
        time.sleep(0.25)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def figures(stack, flows: list[dict], mark: int) -> dict:
    deliveries = stack.control("outbound?kind=robot", method="GET")["outbound"][mark:]
    flows = sorted(flows, key=lambda w: w["started_at"])  # one sender thread: deliveries keep this order
    acks = [(d["ts"] - w["started_at"]) * 1000 for d, w in zip(deliveries, flows) if d["status"] == 200]
    done = [w for w in flows if w["status"] == "completed" and w["return_values"].get("status") == "ok"]
    replies = [(w["completed_at"] - w["started_at"]) * 1000 for w in done]
    return {"runs": len(flows), "replied": len(done), "handler_errors": sum(d["status"] != 200 for d in deliveries),
            "ack_p50_ms": round(percentile(acks, 0.5), 1), "ack_p99_ms": round(percentile(acks, 0.99), 1),
            "reply_p50_ms": round(percentile(replies, 0.5), 1), "reply_p99_ms": round(percentile(replies, 0.99), 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=1.8, help="runs started per second; 0: no pacing")
    parser.add_argument("--web-workers", type=int, default=2,
                        help="gunicorn sync workers serving the app (the Procfile's web command); 0: a thread of this process")
    args = parser.parse_args(argv)
    stack = start_stack(plan=PLAN)
    procs, web = [], None
    try:
        shop_id, secret = connect_shop(stack)
        deals = prepare_deals(stack, shop_id, secret)
        stack.control("limits", {"reset": True})
        stack.redis().delete(f"bitrix_app:gov:{stack.member_id}:bucket")
        if args.web_workers:  # the production web server takes over the app's address
            stack.live.stop()
            web = start_gunicorn(stack.env, stack.live.port, args.web_workers)
            wait_ready(stack.live.url, web)
        mark = stack.control("outbound?kind=robot", method="GET")["count"]
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(args.workers + 1)
        procs = [ctx.Process(target=_work, args=(stack.env, barrier)) for _ in range(args.workers)]
        for p in procs:
            p.start()
        barrier.wait(timeout=120)
        began = time.monotonic()
        ids = start_runs(stack, deals, args.runs, args.rate)
        flows = wait_replied(stack, ids, TIMEOUT)
        seconds = time.monotonic() - began
        return {**figures(stack, flows, mark), "seconds": round(seconds, 1), "rate": args.rate,
                "workers": args.workers, "web_workers": args.web_workers, "plan": PLAN,
                "database": stack.app.extensions["bitrix_app"]["engine"].dialect.name}
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=30)
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        stack.stop()


if __name__ == "__main__":
    result = main()
    print(json.dumps(result))
    ok = result["replied"] == result["runs"] and result["ack_p99_ms"] < 50 and result["reply_p50_ms"] < 1000
    sys.exit(0 if ok else 1)
