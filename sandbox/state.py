"""The portal's state: one Bitrix24 portal held in memory, guarded by one lock."""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

PLANS: dict[str, tuple[int, float] | None] = {
    "standard": (50, 2.0),  # bucket size X, drain Y per second
    "enterprise": (250, 5.0),
    "unlimited": None,
}

ALL_SCOPES = frozenset({"crm", "bizproc", "placement", "user", "im", "basic", "app", "event", "messageservice"})


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    webhook_code: str = "sandbox"
    plan: str = "standard"
    access_ttl: int = 3600
    refresh_ttl: int = 180 * 86400
    operating_limit: float = 480.0  # seconds of processing per method and app ...
    operating_window: int = 600  # ... within this many seconds (10 one-minute buckets)
    method_costs: dict[str, float] = field(default_factory=dict)  # override simulated cost per method
    oauth_domain: str = "oauth.bitrix.info"
    event_delay: float = 0.0  # seconds the queue server holds an event before delivery
    tls: bool = False  # serve HTTPS with a certificate issued at start (sandbox.tls)
    tls_dir: str | None = None  # where the CA and the certificate go (default: a fresh temporary directory)

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def protocol(self) -> str:
        """The PROTOCOL a portal puts in an app's address: "1" over HTTPS, "0" over HTTP."""
        return "1" if self.tls else "0"

    @property
    def limits(self) -> tuple[int, float] | None:
        return PLANS[self.plan]


class Clock:
    """Wall clock plus an offset that tests and the control API can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        return self.now()


@dataclass
class LocalApp:
    """A local application registered in the portal (Developer resources > Local application)."""

    client_id: str
    client_secret: str
    handler_url: str  # the app's main page
    install_url: str  # "Initial installation path"
    scopes: frozenset[str]
    api_only: bool  # "Application uses API only": ONAPPINSTALL callback instead of the install page
    application_token: str = field(default_factory=lambda: secrets.token_hex(16))
    installed: bool = False
    version: int = 1
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Token:
    access_token: str
    refresh_token: str
    client_id: str
    user_id: int
    expires_at: float
    scopes: frozenset[str]


@dataclass
class RefreshGrant:
    refresh_token: str
    client_id: str
    user_id: int
    expires_at: float
    used: bool = False


def _token() -> str:
    # real portal tokens are ~70 hex characters
    return secrets.token_hex(35)


class Portal:
    """One portal. Every mutation happens under `lock`."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.lock = threading.RLock()
        self.clock = Clock()
        self.domain = f"{config.host}:{config.port}"
        self.member_id = hashlib.md5(f"sandbox-member-{self.domain}".encode()).hexdigest()
        self.users: dict[int, dict] = {
            1: {"ID": "1", "NAME": "Anna", "LAST_NAME": "Admin", "EMAIL": "admin@sandbox.test", "ADMIN": True},
            2: {"ID": "2", "NAME": "Boris", "LAST_NAME": "Sales", "EMAIL": "boris@sandbox.test", "ADMIN": False},
            3: {"ID": "3", "NAME": "Vera", "LAST_NAME": "Sales", "EMAIL": "vera@sandbox.test", "ADMIN": False},
        }
        self.apps: dict[str, LocalApp] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_grants: dict[str, RefreshGrant] = {}
        self.tables: dict[str, dict[int, dict]] = {}
        self.next_ids: dict[str, int] = {}  # table -> the id it hands out next
        self.indexes: dict[str, Any] = {}  # lookups built over tables (rebuilt when stale; never saved)
        self.event_bindings: list[dict] = []
        self.robots: dict[tuple[str, str], dict] = {}  # (client_id, CODE) -> registration
        self.placements: list[dict] = []
        self.workflows: dict[str, dict] = {}
        self.call_log: list[dict] = []
        self.outbound_log: list[dict] = []
        self.faults: dict[str, Any] = {}
        self.outbox = None  # set by the server (sandbox.outbound.Outbox)

    # ---- users and apps
    def is_admin(self, user_id: int) -> bool:
        return bool(self.users.get(user_id, {}).get("ADMIN"))

    @property
    def client_endpoint(self) -> str:
        return f"{self.config.scheme}://{self.domain}/rest/"

    @property
    def server_endpoint(self) -> str:
        return f"{self.config.scheme}://{self.domain}/rest/"

    # ---- tables
    def table(self, name: str) -> dict[int, dict]:
        return self.tables.setdefault(name, {})

    def next_id(self, name: str) -> int:
        with self.lock:
            given = self.next_ids.get(name, 1)
            self.next_ids[name] = given + 1
            return given

    # ---- tokens
    def issue_tokens(self, app: LocalApp, user_id: int) -> Token:
        now = self.clock.now()
        tok = Token(_token(), _token(), app.client_id, user_id, now + self.config.access_ttl, app.scopes)
        self.tokens[tok.access_token] = tok
        self.refresh_grants[tok.refresh_token] = RefreshGrant(
            tok.refresh_token, app.client_id, user_id, now + self.config.refresh_ttl
        )
        return tok

    def revoke_app_tokens(self, client_id: str) -> None:
        for store in (self.tokens, self.refresh_grants):
            for key in [k for k, v in store.items() if v.client_id == client_id]:
                del store[key]

    def expire_tokens(self, client_id: str | None = None) -> int:
        """Force access tokens to expire now (control API / faults)."""
        n = 0
        for tok in self.tokens.values():
            if client_id is None or tok.client_id == client_id:
                tok.expires_at = self.clock.now() - 1
                n += 1
        return n

    # ---- events (implemented in sandbox.eventbus)
    def fire_event(self, name: str, data: dict, ctx=None) -> None:
        from .eventbus import fire

        fire(self, name, data, ctx)
