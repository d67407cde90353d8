"""The method table, and the runtime that runs one method through the portal's checks."""
from __future__ import annotations

import dataclasses
import importlib
import random
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from . import batch
from .auth import check_access
from .context import CallContext, MethodSpec
from .errors import method_not_found
from .limits import OperatingBudget, RateLimiter, owner_key

if TYPE_CHECKING:  # pragma: no cover
    from .state import Portal

AREAS = ("crm_deals", "crm_contacts", "crm_leads", "crm_meta", "crm_activity", "events", "placement", "bizproc",
         "app_methods")


def all_methods() -> dict[str, MethodSpec]:
    """Every REST method the sandbox serves, keyed by lower-case name."""
    table: dict[str, MethodSpec] = {}
    for area in AREAS:
        module = importlib.import_module(f"sandbox.methods.{area}")
        table.update({name.lower(): spec for name, spec in module.METHODS.items()})
    table["batch"] = batch.BATCH_SPEC
    return table


@dataclass
class Outcome:
    """One method's answer plus what its `time` object needs."""

    result: Any
    start: float
    finish: float
    processing: float
    operating: float
    operating_reset_at: int


class Runtime:
    """Server-side state that is not the portal's data: the method table, limits, fault dice."""

    def __init__(self, portal: "Portal", methods: dict[str, MethodSpec] | None = None):
        self.portal = portal
        self.methods: dict[str, MethodSpec] = {}
        self.add_methods(methods if methods is not None else all_methods())
        self.rate = RateLimiter(portal.config)
        self.operating = OperatingBudget(portal.config, portal.clock.now)
        self.rng = random.Random()
        self.rng_lock = threading.Lock()
        self.oauth_codes: dict[str, dict] = {}  # code -> {"client_id", "user_id", "expires_at"}
        self.pending_ui: dict[str, str] = {}  # APP_SID -> client_id of installs waiting for installFinish

    def add_methods(self, table: dict[str, MethodSpec]) -> None:
        """Add or replace methods (names are matched case-insensitively)."""
        for name, spec in table.items():
            if name.lower() == "batch":
                spec = dataclasses.replace(spec, func=partial(batch.run_batch, self))
            self.methods[name.lower()] = spec

    def lookup(self, name: str) -> MethodSpec:
        spec = self.methods.get(name.lower())
        if spec is None:
            raise method_not_found()
        return spec

    def roll(self) -> float:
        """One draw of the fault dice (seeded through the control API)."""
        with self.rng_lock:
            return self.rng.random()

    def invoke(self, spec: MethodSpec, ctx: CallContext, params: dict) -> Outcome:
        """Access checks, the operating budget, then the method itself under the portal lock."""
        check_access(spec, ctx)
        if spec.name == "batch":
            return self._invoke_batch(spec, ctx, params)
        key = (spec.name.lower(), owner_key(ctx))
        self.operating.check(key)
        clock = self.portal.clock
        start, t0 = clock.now(), time.perf_counter()
        try:
            with self.portal.lock:
                result = spec.func(ctx, params)
        finally:
            processing = time.perf_counter() - t0
            cost = self.portal.config.method_costs.get(spec.name, spec.cost)
            operating, reset_at = self.operating.add(key, cost)
        return Outcome(result, start, clock.now(), processing, operating, reset_at)

    def _invoke_batch(self, spec: MethodSpec, ctx: CallContext, params: dict) -> Outcome:
        # The batch itself is not counted; its `time` shows the busiest command's figure.
        clock = self.portal.clock
        start, t0 = clock.now(), time.perf_counter()
        payload, operating, reset_at = spec.func(ctx, params)
        return Outcome(payload, start, clock.now(), time.perf_counter() - t0, operating, reset_at)
