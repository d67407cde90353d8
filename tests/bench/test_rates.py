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


def test_the_last_window_rate_counts_what_the_requests_of_its_last_seconds_carried():
    from bench.rest_governor import last_window_rate

    stamps = [0.0, 5.0, 8.0, 10.0, 12.0]
    assert last_window_rate(stamps, 5.0) == 3 / 5  # the requests after 7 s (at 8, 10 and 12 s) over 5 s
    assert last_window_rate(stamps, 5.0, weights=[50, 50, 10, 20, 30]) == 60 / 5
    assert last_window_rate(stamps, 20.0) == last_window_rate([], 5.0) == 0.0  # shorter than one window
