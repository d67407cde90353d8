"""What a REST method sees: the portal, who calls, with which app; and the method table shape."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from .state import LocalApp, Portal


@dataclass
class CallContext:
    """The caller of one REST method (inside a batch, each command shares its batch's context)."""

    portal: "Portal"
    user_id: int
    auth_kind: str  # "oauth" | "webhook"
    app: "LocalApp | None" = None  # the application whose token is used (oauth only)
    scopes: frozenset[str] = frozenset()
    client_ip: str = "127.0.0.1"
    in_batch: bool = False
    auth_connector: str = ""  # the request's `auth_connector` (offline-event loop suppression)

    @property
    def is_admin(self) -> bool:
        return self.portal.is_admin(self.user_id)

    @property
    def is_app(self) -> bool:
        return self.auth_kind == "oauth" and self.app is not None


@dataclass
class ListResult:
    """A list method's answer: the page, `total` and `next` (None when no further page)."""

    items: list
    total: int
    next: int | None = None


@dataclass(frozen=True)
class MethodSpec:
    """One REST method: `func(ctx, params) -> result | ListResult`; raises RestError."""

    name: str
    func: Callable[[CallContext, dict], Any]
    scope: str
    app_only: bool = False  # webhooks get ACCESS_DENIED "Application context required"
    admin_only: bool = False
    cost: float = 0.01  # simulated processing seconds, fed to the operating budget
    batchable: bool = True


def methods(*specs: MethodSpec) -> dict[str, MethodSpec]:
    """Build a module's constant method table."""
    return {s.name: s for s in specs}


def arg(params: dict, name: str, default: Any = None) -> Any:
    """Legacy methods accept a parameter in any letter case (`fields`, `FIELDS`, `Fields`)."""
    if name in params:
        return params[name]
    low = name.lower()
    for k, v in params.items():
        if isinstance(k, str) and k.lower() == low:
            return v
    return default


def flag(params: dict, name: str) -> bool:
    """A yes/no parameter (`1`, `true`, `Y` in any letter case) named in any letter case."""
    return str(arg(params, name) or "").lower() in ("1", "true", "y")
