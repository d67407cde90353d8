"""Drain a portal in this process with a progress bar (`shops import --sync`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import func, select

from bitrix_app.inbox.admin import counts
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

from .drain import drain

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope


def drain_with_progress(scope: "PortalScope") -> dict:
    member_id = scope.member_id
    with scope.transaction() as s:
        due = s.scalar(select(func.count()).select_from(InboxEvent).where(
            InboxEvent.member_id == member_id, InboxEvent.status == InboxStatus.PENDING,
            InboxEvent.next_attempt_at <= scope.now()))
    with click.progressbar(length=due or 0, label="syncing", file=click.get_text_stream("stderr")) as bar:
        outcome = drain(scope, on_window=bar.update, sliced=False)
    with scope.transaction() as s:
        return {"drain": outcome["status"], **counts(s, member_id)}
