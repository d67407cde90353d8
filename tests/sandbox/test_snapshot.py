"""A portal's state saved and put back: records, ids, apps and tokens, the clock and limits return to the saved
state, and the same snapshot can be restored again."""
from __future__ import annotations

import requests

from tests.sandbox.crm_support import error, ok


def test_restore_returns_records_ids_apps_clock_and_limits(sandbox, installed):
    first = ok(sandbox, "crm.deal.add", fields={"TITLE": "Kept"})
    saved = sandbox.snapshot()

    ok(sandbox, "crm.deal.update", id=first, fields={"TITLE": "Changed"})
    ok(sandbox, "crm.deal.add", fields={"TITLE": "Added after"})
    requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": 3600}, timeout=10)
    requests.post(f"{sandbox.base_url}/_sandbox/limits", json={"plan": "standard"}, timeout=10)
    requests.post(f"{sandbox.base_url}/_sandbox/uninstall", json={"client_id": "local.test.app"}, timeout=10)

    for _ in range(2):  # a snapshot can be put back more than once
        sandbox.restore(saved)
        deals = ok(sandbox, "crm.deal.list", select=["ID", "TITLE"])
        assert [(int(d["ID"]), d["TITLE"]) for d in deals] == [(first, "Kept")]
        assert ok(sandbox, "crm.deal.add", fields={"TITLE": "Next"}) == first + 1  # ids go on from the saved one
        assert sandbox.portal.clock.offset == 0 and sandbox.portal.config.plan == "unlimited"
        assert sandbox.portal.apps["local.test.app"].installed
        profile = requests.post(f"{sandbox.portal.client_endpoint}profile",
                                data={"auth": installed["access_token"]}, timeout=10).json()
        assert "result" in profile  # the app's tokens are valid again


def test_a_restored_portal_forgets_later_methods_and_faults(sandbox):
    saved = sandbox.snapshot()
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"p_500": 1.0}, timeout=10)
    assert error(sandbox, "crm.deal.list")[0] == 500
    sandbox.restore(saved)
    assert ok(sandbox, "crm.deal.list") == []
