"""A running stack on loopback: the sandbox portal, the app served over HTTP, and its services."""
from __future__ import annotations

import os
import tempfile
import threading
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
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, app) -> "LiveApp":
        self.app = app
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


APP_ENV = {"SECRET_KEY": "bench-secret", "B24_CLIENT_ID": "local.shop.app", "B24_CLIENT_SECRET": "bench-secret-2"}


@dataclass
class Stack:
    sandbox: Any
    live: LiveApp
    app: Any
    env: dict = field(default_factory=dict)
    member_id: str = ""

    def control(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        res = requests.request(method, f"{self.sandbox.base_url}/_sandbox/{path}", json=body, timeout=60)
        res.raise_for_status()
        return res.json()

    def install(self, mode: str = "callback") -> dict:
        ans = self.control("install", {"app_url": self.live.url, "client_id": APP_ENV["B24_CLIENT_ID"],
                                       "client_secret": APP_ENV["B24_CLIENT_SECRET"], "mode": mode})
        self.member_id = ans["member_id"]
        return ans

    def work(self) -> None:
        from bitrix_app import services
        from bitrix_app.jobs.worker import run_burst

        run_burst(self.app, services.redis(self.app))

    def stop(self) -> None:
        self.live.stop()
        self.sandbox.stop()


def start_stack(plan: str = "standard", workdir: str | None = None, app_port: int = 0, sandbox_port: int = 0) -> Stack:
    """Sandbox + migrated app + live HTTP server; embedded SQLite/Redis unless DATABASE_URL/REDIS_URL are set."""
    from app import create_app
    from bitrix_app.store.migrate import upgrade
    from sandbox import SandboxConfig, SandboxServer

    workdir = workdir or tempfile.mkdtemp(prefix="shop-app-")
    sandbox = SandboxServer(SandboxConfig(port=sandbox_port, plan=plan))
    sandbox.start()
    live = LiveApp(port=app_port)
    env = {**APP_ENV, "APP_BASE_URL": live.url, "B24_OAUTH_URL": f"{sandbox.base_url}/oauth/token/",
           "INSTANCE_DIR": workdir}
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/app.db"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    upgrade(env["DATABASE_URL"])
    app = create_app(env)
    live.start(app)
    from bitrix_app.redis_conn import socket_url

    env["REDIS_URL"] = env.get("REDIS_URL") or socket_url(app.extensions["bitrix_app"]["redis"])
    return Stack(sandbox=sandbox, live=live, app=app, env=env)
