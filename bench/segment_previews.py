"""The segments screen's live preview, timed: dry runs of random custom rules like the ones a marketer builds
(figures, lifecycle, channel and bought-item conditions, sometimes a nested group) on the benchmark's history."""
from __future__ import annotations

import random
import time

from bench.segment_synth import Spec, catalog


def _rule(rng: random.Random, skus: list, categories: list, depth: int = 0) -> dict:
    """A random custom rule like the ones a marketer builds: 2-4 conditions, sometimes a nested group."""
    def condition() -> dict:
        pick = rng.randrange(7)
        if pick == 0:
            return {"field": "orders", "op": rng.choice((">=", "<", "=")), "value": rng.randint(1, 6)}
        if pick == 1:
            return {"field": "revenue", "op": rng.choice((">=", "<")), "value": rng.choice((500, 2000, 10000))}
        if pick == 2:
            return {"field": "days_since_last_order", "op": rng.choice(("<=", ">")), "value": rng.choice((30, 90, 365))}
        if pick == 3:
            return {"field": "lifecycle", "op": "in", "value": rng.sample(["NEW_ACTIVE", "PROMISING_SLEEPING",
                                                                            "LOYAL_LOST", "LOYAL_ACTIVE"], 2)}
        if pick == 4:
            return {"field": "channel", "op": rng.choice(("eq", "ne")), "value": rng.choice(("google", "email", "vk"))}
        if pick == 5:
            return {"field": "skus_bought", "op": rng.choice(("includes", "excludes")),
                    "value": rng.sample(skus, 2), "within_days": rng.choice((90, 365))}
        return {"field": "categories_bought", "op": "includes", "value": rng.sample(categories, 1)}

    parts = [condition() for _ in range(rng.randint(2, 4))]
    if depth == 0 and rng.random() < 0.5:
        inner = _rule(rng, skus, categories, 1)
        parts.append({"not": inner} if rng.random() < 0.5 else inner)
    return {rng.choice(("all", "any")): parts}


def time_previews(sessions, preview, spec: Spec, count: int, now) -> list[float]:
    """`count` dry runs of random custom rules, each timed in its own transaction (rolled back)."""
    rng = random.Random(f"previews-{spec.seed}")
    skus, _, _ = catalog(spec.seed)
    codes = [sku for sku, _, _, _ in skus[:200]]
    categories = sorted({cat for _, cat, _, _ in skus})
    took = []
    for _ in range(count):
        draft = {"kind": "custom", "params": _rule(rng, codes, categories)}
        with sessions() as s:
            started = time.perf_counter()
            preview(s, spec.member_id, draft, now)
            took.append((time.perf_counter() - started) * 1000)
            s.rollback()
    return took
