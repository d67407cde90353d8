"""The benches' steady rate: what the portal took per second once the bucket's burst was spent."""
from __future__ import annotations

from bench.rest_governor import steady_rate


def test_the_steady_rate_counts_from_the_burst_th_request_on_and_can_weigh_each_request():
    stamps = [3.0, 0.0, 1.0, 2.0, 0.0]  # in any order; two in the burst at 0 s
    assert steady_rate(stamps, 1) == 3 / 3  # three requests after the one at index 1, over 3 s
    assert steady_rate(stamps, 1, weights=[50, 1, 1, 10, 1]) == (1 + 10 + 50) / 3  # the commands they carried
    assert steady_rate(stamps, 4) == steady_rate([1.0, 1.0, 1.0], 1) == 0.0  # nothing after the burst, no time


def test_returning_orders_come_back_from_the_first_customers_in_turn():
    from bench.sync_throughput import customer_of

    assert [customer_of(n, 10, 0.0) for n in range(10)] == list(range(10))
    assert [customer_of(n, 10, 0.4) for n in range(10)] == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]


def test_the_operating_ceiling_is_set_by_the_method_costing_most_per_order():
    from bench.sync_throughput import operating_ceiling

    limits = {"operating_limit": 480, "operating_window": 600,
              "method_costs": {"crm.deal.productrows.set": 0.04, "crm.contact.add": 0.01}}
    ceiling, why = operating_ceiling(limits, {"crm.contact.add": 1.0, "crm.deal.productrows.set": 1.0})
    assert round(ceiling, 2) == 20.0 and "crm.deal.productrows.set" in why
    assert operating_ceiling({"operating_limit": None}, {"crm.contact.add": 1.0}) == (0.0, "no operating limit")



def test_the_least_time_follows_the_request_bucket_or_the_operating_budget_whichever_binds():
    from bench.portal_limits import least_seconds

    # 100 orders of 5 commands = 10 requests: 4 in the burst, then 2 a second -> the 10th at 3 s
    assert least_seconds(100, 5.0, 0.0, burst=4, drain=2.0, limit=None) == 3.0
    # a budget of 9.5 s per 60 s window at 1 s an order: 10 orders at once (the one crossing the limit runs),
    # the rest a window later, when the first minute's bucket frees
    assert least_seconds(20, 5.0, 1.0, burst=100, drain=2.0, limit=9.5, window=60.0) == 60.0
    assert least_seconds(10, 5.0, 1.0, burst=100, drain=2.0, limit=9.5, window=60.0) == 0.0
    assert least_seconds(0, 5.0, 1.0, burst=1, drain=1.0, limit=None) == 0.0
