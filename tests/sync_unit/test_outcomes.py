"""Inbox outcomes: one set of kinds, and the final ones name the row's status."""
from __future__ import annotations

from datetime import datetime, timezone

from bitrix_app.inbox.outcomes import DONE, Kind, failed, retry, skipped, wait
from bitrix_app.store.statuses import InboxStatus


def test_every_outcome_is_one_of_the_kinds_and_the_final_ones_are_row_statuses():
    made = [DONE, skipped("stale"), failed("x" * 3000), retry("y" * 3000), wait(datetime.now(timezone.utc), "quiet")]
    assert [o.kind for o in made] == [Kind.DONE, Kind.SKIPPED, Kind.FAILED, Kind.RETRY, Kind.WAIT]
    assert all(type(o.kind) is Kind for o in made)
    assert {InboxStatus(k.value) for k in (Kind.DONE, Kind.SKIPPED, Kind.FAILED)} == set(InboxStatus) - {
        InboxStatus.PENDING}
    assert len(made[2].error) == len(made[3].error) == 2000  # the row keeps at most 2000 characters
