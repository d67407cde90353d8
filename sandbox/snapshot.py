"""A portal's state saved and put back: a test suite builds a portal once (an app installed, orders synced) and
returns to that state before each test instead of building it again.

Saved: the portal's data (CRM tables, apps, tokens, event bindings, robots, placements, workflows, the call and
delivery logs, the bridge's recorded calls), its clock, faults, plan and limits, the method table, pending OAuth
codes and installs, and the operating-time buckets. Not saved: the leaky bucket (it runs on real time; put back
empty) and deliveries still queued (discarded on restore)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import Runtime

PORTAL_STATE = ("users", "apps", "tokens", "refresh_grants", "tables", "next_ids", "event_bindings", "robots",
                "placements", "workflows", "call_log", "outbound_log", "faults")
CONFIG_STATE = ("plan", "operating_limit", "method_costs")


@dataclass(frozen=True)
class Snapshot:
    portal: dict[str, Any]
    config: dict[str, Any]
    clock_offset: float
    methods: dict[str, Any]
    runtime: dict[str, Any]


def take(runtime: "Runtime") -> Snapshot:
    """The portal as it is now. Deliveries to the app should have been drained first."""
    portal = runtime.portal
    with portal.lock:
        return Snapshot(
            portal=copy.deepcopy({name: getattr(portal, name) for name in PORTAL_STATE}),
            config=copy.deepcopy({name: getattr(portal.config, name) for name in CONFIG_STATE}),
            clock_offset=portal.clock.offset,
            methods=dict(runtime.methods),
            runtime=copy.deepcopy({"oauth_codes": runtime.oauth_codes, "pending_ui": runtime.pending_ui,
                                   "operating": runtime.operating._buckets}),
        )


def restore(runtime: "Runtime", snapshot: Snapshot) -> None:
    """Put the portal back as `take` found it (a copy: the snapshot can be restored again)."""
    portal = runtime.portal
    if portal.outbox is not None:
        portal.outbox.discard()
    saved = copy.deepcopy(snapshot.portal)
    with portal.lock:
        for name in PORTAL_STATE:
            setattr(portal, name, saved[name])
        for name, value in copy.deepcopy(snapshot.config).items():
            setattr(portal.config, name, value)
        portal.clock.offset = snapshot.clock_offset
        runtime.methods = dict(snapshot.methods)
        state = copy.deepcopy(snapshot.runtime)
        runtime.oauth_codes, runtime.pending_ui = state["oauth_codes"], state["pending_ui"]
        runtime.operating._buckets = state["operating"]
    runtime.rate.reset()
