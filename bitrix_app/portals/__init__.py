"""Portals: install and uninstall, callback verification, page access and roles, the portal's REST client, its
tokens and settings.

The public face: code outside bitrix_app.portals imports these names from here, never from a module inside.
Names load on first use (module `__getattr__`): the modules behind them import jobs and shops, which import portals
again, so importing them all here would close an import cycle at package import.

Use cases take the caller's scope (`bitrix_app.scope`): `AppServices` for app-wide work (install, events, keep-alive),
`PortalScope` for one portal's (setup, currency refresh); job entry points build it from their arguments.
`build_client` / `build_tokens` are what the scope's client is made with (`create_app` wires `build_client` in).
"""
from __future__ import annotations

import importlib

_FACE = {
    "access": ("ADMIN", "STAFF", "PageAccess", "PortalUnreachable", "UserRejected", "Viewer", "role_at_least"),
    "api_tokens": ("Grant",),
    "clients": ("build_client", "build_tokens", "client_for"),
    "crypto": ("SecretCipher",),
    "currencies": ("for_ingest",),
    "desired": ("LIFECYCLE_CELLS", "STAGES"),
    "install": ("start_setup",),
    "installed": ("NOT_INSTALLED", "portal_installed"),
    "keepalive": ("keep_alive",),
    "oauth": ("refresh_pair",),
    "setup": ("setup_portal",),
    "status": ("overview_of",),
    "tokens": ("TokenManager",),
    "verify": ("CallbackRejected", "verify_callback"),
}
_HOME = {name: module for module, names in _FACE.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
