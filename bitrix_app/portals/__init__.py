"""Portals: install and uninstall, callback verification, page access and roles, the portal's REST client, its
tokens and settings.

The public face: code outside bitrix_app.portals imports these names from here, never a module inside nor a name
from one; the face holds only names outsiders use.
Names load on first use (module `__getattr__`): the modules behind them import jobs and shops, which import portals
again, so importing them all here would close an import cycle at package import.

Use cases take the caller's scope (`bitrix_app.scope`): `AppServices` for app-wide work (install, events, keep-alive),
`PortalScope` for one portal's (setup, currency refresh); job entry points build it from their arguments.
`build_client` is what the scope's client is made with (`create_app` wires it in).
"""
from __future__ import annotations

import importlib

# module -> the names it lends the face: a name as the module spells it, or (face name, the module's name) where the
# module's own is too generic for the face (`get`, `read`, `install`) or would clash with another module's.
# No face name is a module's name: `from bitrix_app.portals import install` must mean one thing.
_FACE = {
    "access": ("ADMIN", "STAFF", "PageAccess", "PortalUnreachable", "UserRejected", "Viewer", "role_at_least"),
    "api_tokens": ("Grant", ("issue_page_token", "issue"), ("read_page_token", "read"), ("tokens_equal", "equal")),
    "app_admins": (("app_admin_ids", "get"), ("set_app_admins", "set_users")),
    "clients": ("build_client", "client_for"),
    "crypto": ("SecretCipher",),
    "currencies": ("for_ingest", ("known_currencies", "known"), ("refresh_currencies", "refresh")),
    "desired": ("LIFECYCLE_CELLS", "STAGES", "REPEAT_PIPELINE_NAME", "REPEAT_STAGES"),
    "events": (("receive_event", "receive"),),
    "health": ("portal_health",),
    "install": ("start_setup", ("install_portal", "install"), ("installation_from_callback", "from_callback"),
                ("installation_from_page", "from_page")),
    "installed": ("NOT_INSTALLED", "portal_installed"),
    "keepalive": ("keep_alive",),
    "lifecycle": (("PORTAL_ACTIVE", "ACTIVE"), ("PORTAL_DELETED", "DELETED"), ("USABLE_STATUSES", "USABLE")),
    "oauth": ("refresh_pair",),
    "repository": (("portal_record", "get"),),
    "setup": ("setup_portal",),
    "verify": ("CallbackRejected", "verify_callback"),
}
# face name -> (module, the module's name for it)
_HOME = {face: (module, attr) for module, entries in _FACE.items()
         for face, attr in (entry if isinstance(entry, tuple) else (entry, entry) for entry in entries)}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = home
    return getattr(importlib.import_module(f"{__name__}.{module}"), attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
