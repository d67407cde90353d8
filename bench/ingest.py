"""The shop events endpoint under gunicorn: how many signed single-event posts per second it accepts.

Runs the production web command (the Procfile's `gunicorn --workers 2 "app:create_app()"`) against a
migrated database with one connected shop, and drives it from this process over loopback with
`--connections` concurrent HTTP/1.1 clients (keep-alive where the worker class offers it; gunicorn's
default sync workers close every connection, so those clients reconnect). Every request is one
`order.created` event of its own (or `--batch` of them), signed with the shop secret; the requests are
built before the clock starts. A short warm-up is not timed.

Database: SQLite under a temporary folder (the embedded default), or the one DATABASE_URL names.
Redis: the harness's embedded server, or REDIS_URL.

Prints one JSON line last: events_per_s, p50_ms, p99_ms, errors, requests, accepted, in_inbox,
batch, workers, worker_class, connections, database, cpus, loadavg_before (other work on the machine
skews every figure here), client_cpu_share (the load generator's share of one core; it runs on the
same cores as the server), server_cpu_ms_per_request (CPU the gunicorn workers spent per request;
the database server's own CPU is not in it) and cpu_bound_events_per_s (cpus x 1000 x batch / that:
what the workers could reach with every core to themselves). Goal: >= 1,000 accepted events/s with
p99 < 50 ms, no errors, and every accepted event in the inbox. Exits 1 when the goal is missed.

    python -m bench.ingest [--requests 20000] [--connections 8] [--workers 2] [--worker-class sync] [--batch 1]
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


from bench.harness import connect_shop, inbox_counts, order_event, start_gunicorn, start_stack, wait_ready

WARMUP = 400
GOAL_RATE, GOAL_P99_MS = 1000.0, 50.0


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


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--batch", type=int, default=1, help="events per request (1: single-event posts)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    stack = start_stack(plan="standard")
    proc = None
    try:
        shop_id, secret = connect_shop(stack)
        port = _free_port()
        proc = start_gunicorn(stack.env, port, args.workers, args.worker_class)
        wait_ready(f"http://127.0.0.1:{port}", proc)
        warm = drive(port, build_requests(shop_id, secret, port, 0, WARMUP), args.connections)
        timed = build_requests(shop_id, secret, port, WARMUP, args.requests, args.batch)
        cpu_before = workers_cpu_seconds(proc.pid)
        seconds, statuses, latencies = drive(port, timed, args.connections)
        cpu_after = workers_cpu_seconds(proc.pid)
        cpu_ms = (cpu_after - cpu_before) * 1000 / len(statuses) if cpu_before is not None else None
        accepted = statuses.count(202)
        in_inbox = sum(inbox_counts(stack, shop_id).values())
        return {
            "events_per_s": round(accepted * args.batch / seconds, 1), "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2), "errors": len(statuses) - accepted,
            "requests": len(statuses), "accepted": accepted, "seconds": round(seconds, 2),
            "in_inbox": in_inbox, "expected_in_inbox": accepted * args.batch + warm[1].count(202),
            "batch": args.batch,
            "client_cpu_share": round(drive.client_cpu, 2),
            "server_cpu_ms_per_request": round(cpu_ms, 3) if cpu_ms else None,
            "cpu_bound_events_per_s": round(os.cpu_count() * 1000 * args.batch / cpu_ms) if cpu_ms else None,
            "workers": args.workers, "worker_class": args.worker_class, "connections": args.connections,
            "database": stack.app.extensions["bitrix_app"]["engine"].dialect.name,
            "cpus": os.cpu_count(), "loadavg_before": round(load_before, 2),
        }
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        stack.stop()


if __name__ == "__main__":
    figures = main()
    print(json.dumps(figures))
    ok = (figures["events_per_s"] >= GOAL_RATE and figures["p99_ms"] < GOAL_P99_MS and figures["errors"] == 0
          and figures["in_inbox"] == figures["expected_in_inbox"])
    sys.exit(0 if ok else 1)
