"""Run a sandbox portal on a loopback port: in a background thread (tests) or in the foreground (CLI)."""
from __future__ import annotations

import dataclasses
import os
import shutil
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from . import snapshot, tls
from .context import MethodSpec
from .outbound import Outbox
from .registry import Runtime
from .server import create_sandbox_app
from .state import Portal, SandboxConfig


POLL_INTERVAL = 0.01


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: benchmarks send thousands."""

    def log_request(self, code="-", size="-") -> None:
        pass


class SandboxServer:
    """One portal behind one werkzeug server; `port=0` picks a free port."""

    def __init__(self, config: SandboxConfig, log_requests: bool = False):
        handler = WSGIRequestHandler if log_requests else _QuietHandler
        self.tls = tls.prepare(config.host, config.tls_dir) if config.tls else None
        context = self.tls.server_context() if self.tls else None
        # Bind first: the portal's domain and endpoints must carry the real port.
        self._server = make_server(config.host, config.port, self._wsgi, threaded=True, request_handler=handler,
                                   ssl_context=context)
        host = "127.0.0.1" if config.host in ("0.0.0.0", "", "::") else config.host
        self.config = dataclasses.replace(config, host=host, port=self._server.server_port)
        self.portal = Portal(self.config)
        self.portal.outbox = Outbox(self.portal)
        self.runtime = Runtime(self.portal)
        self.app = create_sandbox_app(self.portal, self.runtime)
        self._thread: threading.Thread | None = None
        self._outbox_started = False

    def _wsgi(self, environ, start_response):
        return self.app(environ, start_response)

    @property
    def base_url(self) -> str:
        return f"{self.config.scheme}://{self.config.host}:{self.config.port}"

    @property
    def ca_file(self) -> str | None:
        """The CA certificate a client trusts to reach this portal over HTTPS (None over HTTP)."""
        return self.tls.ca_file if self.tls else None

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/rest/1/{self.config.webhook_code}/"

    @property
    def methods(self) -> dict[str, MethodSpec]:
        """The live method table (lower-case names)."""
        return self.runtime.methods

    def add_methods(self, table: dict[str, MethodSpec]) -> None:
        """Serve extra methods (tests register small tables of their own)."""
        self.runtime.add_methods(table)

    def snapshot(self) -> "snapshot.Snapshot":
        """The portal's state now, to `restore` later (see sandbox.snapshot)."""
        self.portal.outbox.drain()
        return snapshot.take(self.runtime)

    def restore(self, saved: "snapshot.Snapshot") -> None:
        snapshot.restore(self.runtime, saved)

    def _start_outbox(self) -> None:
        if not self._outbox_started:
            self.portal.outbox.start()
            self._outbox_started = True

    def start(self) -> "SandboxServer":
        self._start_outbox()
        self._thread = threading.Thread(target=self._serve, name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        # A short poll keeps stop() quick: shutdown() waits for the loop's next poll.
        self._server.serve_forever(poll_interval=POLL_INTERVAL)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._start_outbox()
        try:
            self._serve()
        finally:
            self._close()

    def stop(self) -> None:
        """Stop a server started with start() (shutdown() would wait forever on one never served)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._close()

    def _close(self) -> None:
        self._server.server_close()
        if self.tls and self.config.tls_dir is None:  # the temporary directory issued at start
            shutil.rmtree(os.path.dirname(self.tls.ca_file), ignore_errors=True)
        if self._outbox_started:
            self.portal.outbox.stop()
            self._outbox_started = False
