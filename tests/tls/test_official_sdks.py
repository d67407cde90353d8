"""Bitrix24's official Python SDK, unchanged, against the sandbox over HTTPS.

b24pysdk builds `https://{domain}/rest` and calls it with requests, so it reaches the sandbox only over
TLS; it trusts the sandbox's CA through REQUESTS_CA_BUNDLE, as an operator would configure it."""
from __future__ import annotations

import pytest
from b24pysdk import BitrixWebhook, Client
from b24pysdk.errors import BitrixAPIError

DEALS = 120  # more than two pages and two batches


@pytest.fixture
def webhook(sandbox_factory, monkeypatch):
    sandbox = sandbox_factory(tls=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.ca_file)
    return BitrixWebhook(domain=sandbox.portal.domain, webhook_token=f"1/{sandbox.config.webhook_code}")


def test_b24pysdk_round_trip_over_https(webhook):
    client = Client(webhook)
    first = client.crm.deal.add(fields={"TITLE": "SDK deal 000", "OPPORTUNITY": 10}).result
    assert client.crm.deal.get(bitrix_id=int(first)).result["TITLE"] == "SDK deal 000"

    added = webhook.call_batches({f"d{i:03d}": ("crm.deal.add", {"fields": {"TITLE": f"SDK deal {i:03d}"}})
                                  for i in range(1, DEALS)})
    ids = added["result"]["result"]
    assert sorted(ids) == [f"d{i:03d}" for i in range(1, DEALS)]  # keyed answers
    assert len(set(ids.values())) == DEALS - 1

    listed = webhook.call_list("crm.deal.list", {"select": ["ID", "TITLE"]})["result"]
    assert sorted(row["TITLE"] for row in listed) == [f"SDK deal {i:03d}" for i in range(DEALS)]
    fast = list(webhook.call_list_fast("crm.deal.list", {"select": ["ID", "TITLE"]})["result"])
    assert sorted(int(row["ID"]) for row in fast) == sorted(int(row["ID"]) for row in listed)


def test_b24pysdk_reports_a_missing_deal(webhook):
    with pytest.raises(BitrixAPIError) as err:
        Client(webhook).crm.deal.get(bitrix_id=999999).result
    assert "Not found" in str(err.value)
