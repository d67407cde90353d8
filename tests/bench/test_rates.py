"""The benches' steady rate: what the portal took per second once the bucket's burst was spent."""
from __future__ import annotations

from bench.rest_governor import steady_rate


def test_the_steady_rate_counts_from_the_burst_th_request_on_and_can_weigh_each_request():
    stamps = [3.0, 0.0, 1.0, 2.0, 0.0]  # in any order; two in the burst at 0 s
    assert steady_rate(stamps, 1) == 3 / 3  # three requests after the one at index 1, over 3 s
    assert steady_rate(stamps, 1, weights=[50, 1, 1, 10, 1]) == (1 + 10 + 50) / 3  # the commands they carried
    assert steady_rate(stamps, 4) == steady_rate([1.0, 1.0, 1.0], 1) == 0.0  # nothing after the burst, no time
