"""Use cases take their services from the scope they are given: no module of the core looks the app's services
up globally (`webedge.services`, Flask's `current_app`), except `bitrix_app/scope.py`, which edges call to build
a scope."""
from __future__ import annotations

import ast
from pathlib import Path

from bitrix_app.clock import FrozenClock
from bitrix_app.scope import AppServices

from .conftest import MEMBER

ROOT = Path(__file__).resolve().parents[2] / "bitrix_app"
EDGE_BUILDERS = {"scope.py"}


def _global_lookups(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "webedge":
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.module == "bitrix_app" and any(
                alias.name == "services" for alias in node.names):
            found.append(f"line {node.lineno}: from bitrix_app import services")
        elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "webedge" for alias in node.names):
            found.append(f"line {node.lineno}: import webedge")
        elif isinstance(node, ast.ImportFrom) and node.module == "flask" and any(
                alias.name == "current_app" for alias in node.names):
            found.append(f"line {node.lineno}: from flask import current_app")
    return found


def test_no_module_of_the_core_looks_services_up_globally():
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel not in EDGE_BUILDERS and (found := _global_lookups(path)):
            offenders[rel] = found
    assert offenders == {}


def test_a_sync_context_reads_the_services_of_its_scope(ctx, client, factory):
    assert ctx.member_id == MEMBER and ctx.client is client
    assert ctx.sessions is factory and not hasattr(ctx, "factory")  # one name for the sessions
    assert ctx.clock is ctx.scope.clock and ctx.cipher is ctx.scope.cipher and ctx.redis is ctx.scope.redis


def test_a_scope_carries_the_apps_config_for_the_drains_slice_limits(factory):
    from bitrix_app.sync.drain import SliceLimits

    services = AppServices(factory, FrozenClock(), None, None, None, lambda member_id, lane="normal": None,
                           {"SYNC_SLICE_WINDOWS": 2, "SYNC_SLICE_SECONDS": 5})
    limits = SliceLimits.from_settings(services.for_portal(MEMBER).config)
    assert (limits.windows, limits.seconds) == (2, 5.0)
