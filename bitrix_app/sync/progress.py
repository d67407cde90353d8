"""Drain a portal in this process with a progress bar (`shops import --sync`)."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from bitrix_app import services
from bitrix_app.inbox.admin import counts
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

from .drain import run


def drain_with_progress(member_id: str) -> dict:
    with transaction(services.session_factory()) as s:
        due = s.scalar(select(func.count()).select_from(InboxEvent).where(
            InboxEvent.member_id == member_id, InboxEvent.status == InboxStatus.PENDING,
            InboxEvent.next_attempt_at <= services.clock().now()))
    with click.progressbar(length=due or 0, label="syncing", file=click.get_text_stream("stderr")) as bar:
        outcome = run(member_id, on_window=bar.update, sliced=False)
    with transaction(services.session_factory()) as s:
        return {"drain": outcome["status"], **counts(s, member_id)}
