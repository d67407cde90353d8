"""A running stack on loopback: the sandbox portal, the app served over HTTP, and its services."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

import requests
from werkzeug.serving import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


class LiveApp:
    """Binds a free port first; the Flask app (which must know its own URL) is attached after."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.app = None
        self._server = make_server(host, port, self._wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, app) -> "LiveApp":
        self.app = app
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_port


ROOT = Path(__file__).resolve().parent.parent


PRODUCT_TARGET = "app:create_app()"


def gunicorn_command(port: int, workers: int, worker_class: str = "sync", target: str = PRODUCT_TARGET,
                     threads: int | None = None, keepalive: int | None = None) -> list[str]:
    """The Procfile's web command on 127.0.0.1:port; `target` may be another app factory (the benches' floors)
    so that it is served by exactly the same command line. gthread gets 4 threads unless `threads` says."""
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        raise SystemExit("gunicorn is not installed next to this Python; install the project's dependencies")
    cmd = [str(binary), "--workers", str(workers), "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}",
           "--log-level", "warning", "--backlog", "2048"]
    if threads is not None or worker_class == "gthread":
        cmd += ["--threads", str(threads if threads is not None else 4)]
    if keepalive is not None:
        cmd += ["--keep-alive", str(keepalive)]
    return cmd + [target]


def start_gunicorn(env: dict, port: int, workers: int, worker_class: str = "sync", target: str = PRODUCT_TARGET,
                   threads: int | None = None, keepalive: int | None = None) -> subprocess.Popen:
    """Run `gunicorn_command(...)` from the project folder with this stack's settings."""
    cmd = gunicorn_command(port, workers, worker_class, target, threads, keepalive)
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env, "LOG_LEVEL": "WARNING"})


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            requests.get(f"{url}/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


APP_ENV = {"SECRET_KEY": "bench-secret", "B24_CLIENT_ID": "local.shop.app", "B24_CLIENT_SECRET": "bench-secret-2"}


@dataclass
class Stack:
    sandbox: Any
    live: LiveApp
    app: Any
    env: dict = field(default_factory=dict)
    member_id: str = ""

    def control(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        res = requests.request(method, f"{self.sandbox.base_url}/_sandbox/{path}", json=body, timeout=60,
                               verify=self.sandbox.ca_file or True)
        res.raise_for_status()
        return res.json()

    def install(self, mode: str = "callback") -> dict:
        ans = self.control("install", {"app_url": self.live.url, "client_id": APP_ENV["B24_CLIENT_ID"],
                                       "client_secret": APP_ENV["B24_CLIENT_SECRET"], "mode": mode})
        self.member_id = ans["member_id"]
        return ans

    def redis(self):
        """A plain client of the stack's Redis (an embedded server's client would start a second server in
        RQ's scheduler, which rebuilds its connection from the client's class)."""
        import redis

        return redis.Redis.from_url(self.env["REDIS_URL"])

    def work(self) -> None:
        from bitrix_app.jobs.worker import run_burst

        conn = self.redis()
        try:
            run_burst(self.app, conn)
        finally:
            conn.close()

    def stop(self) -> None:
        self.live.stop()
        self.sandbox.stop()
        conn = self.app.extensions["bitrix_app"]["redis"]
        if getattr(conn, "socket_file", None):  # the embedded server this stack started: do not leave it running
            conn.shutdown(nosave=True)
            conn._cleanup()  # its files; with the server gone this only tidies up


def start_stack(plan: str = "standard", workdir: str | None = None, app_port: int = 0, sandbox_port: int = 0,
                tls: bool = False) -> Stack:
    """Sandbox + migrated app + live HTTP server; embedded SQLite/Redis unless DATABASE_URL/REDIS_URL are set.

    `tls`: the sandbox serves HTTPS (its CA kept in `<workdir>/tls`) and the app trusts it via B24_CA_BUNDLE."""
    from app import create_app
    from bitrix_app.store.migrate import upgrade
    from sandbox import SandboxConfig, SandboxServer

    workdir = workdir or tempfile.mkdtemp(prefix="shop-app-")
    sandbox = SandboxServer(SandboxConfig(port=sandbox_port, plan=plan, tls=tls,
                                          tls_dir=os.path.join(workdir, "tls") if tls else None))
    sandbox.start()
    live = LiveApp(port=app_port)
    env = {**APP_ENV, "APP_BASE_URL": live.url, "B24_OAUTH_URL": f"{sandbox.base_url}/oauth/token/",
           "INSTANCE_DIR": workdir}
    if plan in ("standard", "enterprise"):
        env["B24_DEFAULT_PLAN"] = plan  # the governor paces the portal by the plan it is on
    if sandbox.ca_file:
        env["B24_CA_BUNDLE"] = sandbox.ca_file
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/app.db"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    upgrade(env["DATABASE_URL"])
    app = create_app(env)
    live.start(app)
    from bitrix_app.redis_conn import socket_url

    env["REDIS_URL"] = env.get("REDIS_URL") or socket_url(app.extensions["bitrix_app"]["redis"])
    return Stack(sandbox=sandbox, live=live, app=app, env=env)


def connect_shop(stack: Stack, name: str = "Bench shop") -> tuple[str, str]:
    """Install the app in the sandbox portal, run its setup jobs, connect one generic shop: (shop_id, secret)."""
    from bitrix_app.shops.connections import add_shop
    from bitrix_app.shops.settings import ensure_settings
    from bitrix_app.store.db import transaction

    stack.install()
    stack.work()
    ext = stack.app.extensions["bitrix_app"]
    with transaction(ext["sessions"]) as s:
        shop, secret = add_shop(s, ext["cipher"], stack.member_id, name, "generic", ext["clock"].now())
        ensure_settings(s, stack.member_id, ext["clock"].now())
    return shop.shop_id, secret


def order_event(n: int, items: int = 2, prefix: str = "B", customer: int | None = None) -> dict:
    """order.created of order `<prefix><n>` by customer `customer` (default: one of its own, `n`): each
    customer number has its own phone and e-mail, the same in every order it places."""
    stamp = "2026-11-02T10:00:00+00:00"
    lines = [{"sku": f"SKU-{k}", "name": f"Product {k}", "category": "bench", "price": f"{10 + k}.50",
              "quantity": 1 + k % 3} for k in range(items)]
    total = sum(float(i["price"]) * i["quantity"] for i in lines)
    order_id, c = f"{prefix}{n}", n if customer is None else customer
    data = {"order_id": order_id, "number": f"N-{order_id}", "status": "new",
            "customer": {"email": f"buyer{c}@{prefix.lower()}.example.com", "phone": f"+7 9{c:09d}",
                         "first_name": "Buyer", "last_name": f"No {c}", "consent": {"email": True, "sms": False}},
            "items": lines, "total": f"{total:.2f}", "currency": "EUR", "created_at": stamp, "updated_at": stamp,
            "utm": {"source": "bench", "medium": "email", "campaign": "load"}}
    return {"event_id": f"order.created:{order_id}", "type": "order.created", "occurred_at": stamp, "data": data}


def inbox_counts(stack: Stack, shop_id: str) -> dict[str, int]:
    """Rows of the shop in the inbox, by status."""
    from sqlalchemy import func, select

    from bitrix_app.store.db import transaction
    from bitrix_app.store.shop_models import InboxEvent

    with transaction(stack.app.extensions["bitrix_app"]["sessions"]) as s:
        rows = s.execute(select(InboxEvent.status, func.count()).where(InboxEvent.shop_id == shop_id)
                         .group_by(InboxEvent.status)).all()
    return {status: int(count) for status, count in rows}
