"""The shop events endpoint under gunicorn beside its floor: signed single-event posts per second.

Method. One run starts a stack (sandbox portal, migrated database, one connected shop) and then, for each
worker class asked for, serves three apps in turn with the identical gunicorn command line (the Procfile's
web command: `--workers`, `--worker-class`, `--threads`, `--backlog 2048`, `--keep-alive`):

- `bench.floor_app:empty_app()`: Flask answering the events route with the product's 202 body after reading
  the body (the floor: what the server configuration and the framework cost);
- `bench.floor_app:hmac_app()`: the same plus the product's X-Signature check with the shop's secret;
- `app:create_app()`: the product.

Each is driven from this process over loopback by `--connections` concurrent HTTP/1.1 clients (keep-alive
where the worker class offers it; sync workers close every connection, so their clients reconnect) with
the same pattern of requests: fresh `order.created` events (or `--batch` of them a request), signed with
the shop secret, built before the clock starts; a warm-up of 400 requests is not timed. Other work on the
machine skews every figure (see loadavg_before; the load generator shares the cores).

Database: SQLite under a temporary folder (the embedded default), or the one DATABASE_URL names.
Redis: the harness's embedded server, or REDIS_URL.

One JSON line per worker class: floor_rps / hmac_rps (202 answers per second of the empty and HMAC apps),
events_per_s (events the product accepted per second), ratio (the product's accepted requests per second /
floor_rps; = events_per_s / floor_rps for single-event posts) and ratio_hmac (the same over hmac_rps);
p50_ms, p99_ms and server_cpu_ms_per_request (CPU the gunicorn workers spent per request; a database
server's own CPU is not in it) for the product, the same prefixed floor_ and hmac_ for the floors; errors
(non-202 answers of the product), floor_errors, hmac_errors, accepted, in_inbox (the shop's inbox rows the
product's run added, counted after it) vs expected_in_inbox; client_cpu_share (the load generator's share
of one core during the product's run), cpu_bound_events_per_s (cpus x 1000 x batch / CPU per request);
database (sqlite / postgresql), redis (embedded, or host:port/db of REDIS_URL), worker_class, workers,
threads, keepalive, connections, requests, batch, cpus, loadavg_before, goal_met. With `--all` (sync and
gthread in one go) a last line sums both up: per class its key figures, and the class with the most events/s.

Goal, per worker class: events_per_s >= 0.9 x floor_rps, p99 < 50 ms, no errors (floors included), every
accepted event in the inbox. Exits 1 when a class misses it.

    python -m bench.ingest [--requests 20000] [--connections 8] [--workers 2] [--worker-class sync|gthread]
                           [--all] [--threads 4] [--keepalive 5] [--batch 1]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.floor_app import SECRET_ENV, SHOP_ENV
from bench.harness import (PRODUCT_TARGET, connect_shop, inbox_counts, order_event, start_gunicorn, start_stack,
                           wait_ready)

WARMUP = 400
GOAL_RATIO, GOAL_P99_MS = 0.9, 50.0
TARGETS = {"floor": "bench.floor_app:empty_app()", "hmac": "bench.floor_app:hmac_app()", "app": PRODUCT_TARGET}
CLASSES = ("sync", "gthread")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_requests(shop_id: str, secret: str, port: int, first: int, count: int, batch: int = 1) -> list[bytes]:
    """Raw HTTP/1.1 requests, signed, each one order.created event (or {"events": [...]} of `batch`)."""
    from bitrix_app.orders.adapters.signatures import sign_generic

    out = []
    for n in range(first, first + count * batch, batch):
        events = [order_event(k, items=1 + k % 5, prefix="I") for k in range(n, n + batch)]
        body = json.dumps(events[0] if batch == 1 else {"events": events}, separators=(",", ":")).encode()
        head = (f"POST /shop/v1/{shop_id}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nX-Signature: {sign_generic(body, secret)}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        out.append(head.encode() + body)
    return out


async def _client(port: int, todo: list[bytes], statuses: list[int], latencies: list[float]) -> None:
    reader = writer = None
    while todo:
        raw = todo.pop()
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            await reader.readexactly(int(headers.get("content-length", "0")))
            statuses.append(int(lines[0].split()[1]))
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            statuses.append(0)
            if writer is not None:
                writer.close()
            reader = writer = None
        latencies.append(time.perf_counter() - started)
    if writer is not None:
        writer.close()


def drive(port: int, reqs: list[bytes], connections: int) -> tuple[float, list[int], list[float]]:
    """Send every request over `connections` concurrent clients; (seconds, statuses, latencies)."""
    todo = list(reversed(reqs))
    statuses: list[int] = []
    latencies: list[float] = []

    async def run() -> None:
        await asyncio.gather(*(_client(port, todo, statuses, latencies) for _ in range(connections)))

    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(run())
    seconds = time.perf_counter() - started
    drive.client_cpu = (time.process_time() - cpu) / seconds  # share of one core the load generator used
    return seconds, statuses, latencies


def workers_cpu_seconds(master: int) -> float | None:
    """CPU time (user + system) the gunicorn workers have used so far; None where /proc is missing."""
    try:
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick
    except (OSError, ValueError, AttributeError):
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def serve_and_drive(stack, target: str, cmd: dict, args, shop_id: str, secret: str, first: int) -> dict:
    """Serve `target` with gunicorn (`cmd`: worker_class, threads, keepalive), warm it up, time `args.requests`
    requests of events numbered from `first`; the figures of that run."""
    port = _free_port()
    env = {**stack.env, SECRET_ENV: secret, SHOP_ENV: shop_id}
    proc = start_gunicorn(env, port, args.workers, cmd["worker_class"], target, cmd["threads"], cmd["keepalive"])
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc)
        warm = drive(port, build_requests(shop_id, secret, port, first, WARMUP), args.connections)
        timed = build_requests(shop_id, secret, port, first + WARMUP, args.requests, args.batch)
        cpu_before = workers_cpu_seconds(proc.pid)
        seconds, statuses, latencies = drive(port, timed, args.connections)
        cpu_after = workers_cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    accepted = statuses.count(202)
    cpu_ms = (cpu_after - cpu_before) * 1000 / len(statuses) if cpu_before is not None else None
    return {"rps": accepted / seconds, "seconds": seconds, "accepted": accepted, "errors": len(statuses) - accepted,
            "requests": len(statuses), "warm_accepted": warm[1].count(202), "client_cpu": drive.client_cpu,
            "p50_ms": _ms(percentile(latencies, 0.50)), "p99_ms": _ms(percentile(latencies, 0.99)),
            "cpu_ms": round(cpu_ms, 3) if cpu_ms else None}


def redis_label() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "embedded"
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


def run_class(stack, shop_id: str, secret: str, args, worker_class: str, first: int) -> dict:
    """The empty floor, the HMAC floor and the product under one worker class; one JSON-able dict."""
    load_before = os.getloadavg()[0]
    cmd = {"worker_class": worker_class, "threads": args.threads if worker_class == "gthread" else 1,
           "keepalive": args.keepalive}
    span = WARMUP + args.requests * args.batch
    floor = serve_and_drive(stack, TARGETS["floor"], cmd, args, shop_id, secret, first)
    hmac = serve_and_drive(stack, TARGETS["hmac"], cmd, args, shop_id, secret, first + span)
    before = sum(inbox_counts(stack, shop_id).values())
    real = serve_and_drive(stack, TARGETS["app"], cmd, args, shop_id, secret, first + 2 * span)
    in_inbox = sum(inbox_counts(stack, shop_id).values()) - before
    cpu_ms = real["cpu_ms"]
    figures = {
        "worker_class": worker_class, "floor_rps": round(floor["rps"], 1), "hmac_rps": round(hmac["rps"], 1),
        "events_per_s": round(real["accepted"] * args.batch / real["seconds"], 1),
        "ratio": round(real["rps"] / floor["rps"], 3) if floor["rps"] else None,
        "ratio_hmac": round(real["rps"] / hmac["rps"], 3) if hmac["rps"] else None,
        "p50_ms": real["p50_ms"], "p99_ms": real["p99_ms"], "server_cpu_ms_per_request": cpu_ms,
        "floor_p50_ms": floor["p50_ms"], "floor_p99_ms": floor["p99_ms"],
        "floor_server_cpu_ms_per_request": floor["cpu_ms"],
        "hmac_p50_ms": hmac["p50_ms"], "hmac_p99_ms": hmac["p99_ms"], "hmac_server_cpu_ms_per_request": hmac["cpu_ms"],
        "errors": real["errors"], "floor_errors": floor["errors"], "hmac_errors": hmac["errors"],
        "requests": real["requests"], "accepted": real["accepted"], "seconds": round(real["seconds"], 2),
        "in_inbox": in_inbox, "expected_in_inbox": (real["accepted"] + real["warm_accepted"]) * args.batch,
        "batch": args.batch, "client_cpu_share": round(real["client_cpu"], 2),
        "cpu_bound_events_per_s": round(os.cpu_count() * 1000 * args.batch / cpu_ms) if cpu_ms else None,
        "database": stack.app.extensions["bitrix_app"]["engine"].dialect.name, "redis": redis_label(),
        "workers": args.workers, "threads": cmd["threads"], "keepalive": args.keepalive,
        "connections": args.connections, "cpus": os.cpu_count(), "loadavg_before": round(load_before, 2),
    }
    figures["goal_met"] = goal_met(figures)
    return figures


def goal_met(f: dict) -> bool:
    return bool(f["ratio"] is not None and f["ratio"] >= GOAL_RATIO and f["p99_ms"] < GOAL_P99_MS
                and f["errors"] == 0 and f["floor_errors"] == 0 and f["hmac_errors"] == 0
                and f["in_inbox"] == f["expected_in_inbox"])


def summary(runs: list[dict]) -> dict:
    keys = ("floor_rps", "hmac_rps", "events_per_s", "ratio", "p99_ms", "server_cpu_ms_per_request", "goal_met")
    return {"summary": {r["worker_class"]: {k: r[k] for k in keys} for r in runs},
            "most_events_per_s": max(runs, key=lambda r: r["events_per_s"])["worker_class"],
            "database": runs[0]["database"], "redis": runs[0]["redis"], "goal_met": all(r["goal_met"] for r in runs)}


def main(argv: list[str] | None = None) -> list[dict]:
    """Run the classes asked for, printing each one's JSON line (and the summary after --all); their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=CLASSES, default="sync")
    parser.add_argument("--all", action="store_true", help="run sync and gthread workers in one go")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (sync: 1)")
    parser.add_argument("--keepalive", type=int, default=5, help="gunicorn --keep-alive seconds")
    parser.add_argument("--batch", type=int, default=1, help="events per request (1: single-event posts)")
    args = parser.parse_args(argv)
    stack = start_stack(plan="standard")
    runs: list[dict] = []
    try:
        shop_id, secret = connect_shop(stack)
        span = 3 * (WARMUP + args.requests * args.batch)
        for n, worker_class in enumerate(CLASSES if args.all else (args.worker_class,)):
            runs.append(run_class(stack, shop_id, secret, args, worker_class, n * span))
            print(json.dumps(runs[-1]), flush=True)
    finally:
        stack.stop()
    if args.all:
        print(json.dumps(summary(runs)), flush=True)
    return runs


if __name__ == "__main__":
    sys.exit(0 if all(r["goal_met"] for r in main()) else 1)
