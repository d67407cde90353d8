"""Run the actions of pending entries, a campaign's entries in groups, action by action.

Per entry and action the result is kept; a later run only repeats what is not final (error, deferred), and an
action after an error waits for it (a to-do needs its deal, a message its promo code). An entry is done when
every action is done or skipped; with an error it is retried with backoff and failed after MAX_ATTEMPTS; a
deferred message (quiet hours) makes it wait until then.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.db import transaction
from bitrix_app.store.statuses import CampaignEntryStatus

from . import actions, definitions
from .context import CampaignContext, targets

if TYPE_CHECKING:
    from bitrix_app.jobs.heartbeat import Heartbeat

GROUP = 50  # entries whose actions share batches
MAX_ENTRIES = 2000  # per run; the next run continues
MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3), timedelta(hours=12))
FINAL = ("done", "skipped")


def pending(ctx: CampaignContext, limit: int | None = None, beat: "Heartbeat | None" = None) -> dict:
    """Run due pending entries of enabled campaigns, at most `limit` (one slice); answers counts of what became of
    them and `more`: the slice ended at its limit, so the next one should follow at once. With `beat` the run's
    claim is renewed before each group, and the slice stops (the rest left pending) once it is lost."""
    counts: dict = {"done": 0, "waiting": 0, "failed": 0, "more": False}
    limit = MAX_ENTRIES if limit is None else limit
    enabled = select(Campaign.id).where(Campaign.member_id == ctx.member_id, Campaign.enabled.is_(True))
    after = 0
    while limit > 0:
        with transaction(ctx.sessions) as s:
            entries = list(s.scalars(select(CampaignEntry).where(
                CampaignEntry.member_id == ctx.member_id, CampaignEntry.status == CampaignEntryStatus.PENDING,
                CampaignEntry.id > after,
                CampaignEntry.campaign_id.in_(enabled),
                or_(CampaignEntry.next_at.is_(None), CampaignEntry.next_at <= ctx.now))
                .order_by(CampaignEntry.id).limit(min(GROUP, limit))))
            campaigns = {c.id: c for c in s.scalars(select(Campaign).where(
                Campaign.id.in_({e.campaign_id for e in entries})))} if entries else {}
        if not entries:
            break
        for campaign_id in dict.fromkeys(e.campaign_id for e in entries):
            if beat is not None and not beat.beat():
                return counts
            group = [e for e in entries if e.campaign_id == campaign_id]
            for status in run_group(ctx, campaigns[campaign_id], group).values():
                counts[status] += 1
        after, limit = entries[-1].id, limit - len(entries)
        counts["more"] = limit <= 0
    return counts


def run_group(ctx: CampaignContext, campaign: Campaign, entries: list[CampaignEntry]) -> dict[int, str]:
    """Every open action of these entries of one campaign; stores the results; answers entry id -> outcome."""
    with transaction(ctx.sessions) as s:
        people = {t.entry_id: t for t in targets(s, ctx.member_id, entries)}
    results = {e.id: dict(e.results or {}) for e in entries}  # copies: each is changed, then assigned back
    for n, action in enumerate(definitions.actions_of(campaign)):
        work = [(people[e.id], results[e.id]) for e in entries if _open(results[e.id], n)]
        for entry_id, result in actions.run(ctx, campaign, n, action, work).items():
            results[entry_id][str(n)] = result
    return _store(ctx, entries, results, len(definitions.actions_of(campaign)))


def _open(results: dict, n: int) -> bool:
    """Action n still has to run, and no earlier action of the entry is waiting for a retry."""
    mine = results.get(str(n))
    if mine is not None and mine["status"] in FINAL:
        return False
    return not any(results.get(str(k), {}).get("status") == "error" for k in range(n))


def _store(ctx: CampaignContext, entries: list[CampaignEntry], results: dict, n_actions: int) -> dict[int, str]:
    out = {}
    with transaction(ctx.sessions) as s:
        for e in entries:
            row = s.get(CampaignEntry, e.id)
            mine = results[e.id]
            statuses = [mine.get(str(n), {}).get("status") for n in range(n_actions)]
            row.results = mine
            row.reached = any(r.get("status") == "done" and r.get("type") in actions.REACHING for r in mine.values())
            row.updated_at = ctx.now
            if any(st not in FINAL for st in statuses if st != "deferred"):
                row.attempts += 1
                row.status = (CampaignEntryStatus.FAILED if row.attempts >= MAX_ATTEMPTS
                              else CampaignEntryStatus.PENDING)
                row.next_at = (None if row.status == CampaignEntryStatus.FAILED
                               else ctx.now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
            elif "deferred" in statuses:
                row.status, row.next_at = CampaignEntryStatus.PENDING, _earliest(mine)
            else:
                row.status, row.next_at = CampaignEntryStatus.DONE, None
            out[e.id] = "waiting" if row.status == CampaignEntryStatus.PENDING else row.status
    return out


def _earliest(results: dict) -> datetime:
    return min(datetime.fromisoformat(r["until"]) for r in results.values() if r.get("status") == "deferred")
