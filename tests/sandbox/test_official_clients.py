"""Cross-checks with an official client used unchanged: fast_bitrix24's synchronous `Bitrix` on the webhook.

fast_bitrix24 packs `call()` items and `get_by_ID()` ids into `batch` requests of 50 string commands,
pages `get_all()` with `start` and batches, retries 5xx answers, and throttles itself to the cloud's
request-rate limit (design/bitrix24-contract.md §4.3). The sandbox must satisfy it as a portal does.
(Payload parsing with b24pysdk is covered in test_robots.py, test_events.py and test_placements.py.)
"""
from __future__ import annotations

import requests
from fast_bitrix24 import Bitrix

DEALS = 120  # more than two pages and two batches


def titles() -> list[str]:
    return [f"Official client deal {i:03d}" for i in range(1, DEALS + 1)]


def round_trip(sandbox) -> None:
    """Create the deals in batches, read them back by list and by id, all with the exact titles.

    `call()` answers in the order its batches complete (they run concurrently), not in item order,
    so ids are matched to titles through the portal's own answers.
    """
    b = Bitrix(sandbox.webhook_url, verbose=False)
    ids = b.call("crm.deal.add", [{"fields": {"TITLE": t, "OPPORTUNITY": 10}} for t in titles()])
    assert len(ids) == DEALS and all(isinstance(i, int) and i > 0 for i in ids)
    assert len(set(ids)) == DEALS

    rows = b.get_all("crm.deal.list", {"select": ["ID", "TITLE"]})
    assert len(rows) == DEALS
    assert all(set(row) == {"ID", "TITLE"} for row in rows)
    listed = {int(row["ID"]): row["TITLE"] for row in rows}
    assert set(listed) == set(ids)
    assert sorted(listed.values()) == titles()

    got = b.get_by_ID("crm.deal.get", ids)
    assert len(got) == DEALS
    assert {int(k): v["TITLE"] for k, v in got.items()} == listed
    assert all(str(k) == v["ID"] for k, v in got.items())


def calls(sandbox) -> list[dict]:
    return requests.get(f"{sandbox.base_url}/_sandbox/calls", timeout=10).json()["calls"]


def test_fast_bitrix24_round_trip(sandbox):
    round_trip(sandbox)
    log = calls(sandbox)
    assert {c["method"] for c in log} <= {"batch", "crm.deal.list"}  # items and ids travel in batches
    assert all(c["http_status"] == 200 for c in log)


def test_fast_bitrix24_throttling_copes_with_the_standard_plan(sandbox_factory):
    """Standard plan: leaky bucket of 50 requests draining 2 per second; no request may be refused."""
    sandbox = sandbox_factory(plan="standard")
    limits = requests.get(f"{sandbox.base_url}/_sandbox/limits", timeout=10).json()
    assert limits["bucket"] == {"size": 50, "drain_per_second": 2.0}
    round_trip(sandbox)
    log = calls(sandbox)
    assert log and all(c["http_status"] == 200 and c["error"] is None for c in log)
