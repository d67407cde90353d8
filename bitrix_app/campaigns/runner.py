"""Enter customers into campaigns and run their actions.

- trigger `enter`: unhandled `enter` transitions of the portal (written by the segment engine) enter the customer
  into every enabled enter-campaign of that segment, if the customer is still in it; every transition read is
  marked handled in the same transaction as the entries it made, so a retried run never enters twice;
- trigger `weekly` / `monthly`: once per period (its run key, e.g. s:2026-W45), everyone in the segment;
- a campaign run now (any trigger): everyone in its segment at once (its run key now:<minute>);
- cooldown: a customer entered into the same campaign within `cooldown_days` is not entered again;
- holdout: a stable `holdout_percent` of customers gets an entry with status holdout and no actions;
- then the actions of pending entries run (execute.py), retried with backoff, deferred ones when quiet hours end.
One run per portal at a time: a short Redis lock (LOCK_SECONDS) renewed by a heartbeat while the run works (and
by the run itself before each round), so a killed run gives the portal up within a minute; a run that finds the
lock lost (stalled past its TTL, another run took the portal) stops before its next round and answers `lost`,
leaving the rest to the run that holds the portal now. A run does a bounded slice of actions (execute.MAX_ENTRIES);
`more` in its answer says the job layer should queue the next slice at once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.exceptions import LockNotOwnedError
from sqlalchemy import func, select, update

from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures, SegmentTransition
from bitrix_app.store.statuses import CampaignEntryStatus

from bitrix_app.jobs.heartbeat import Heartbeat

from . import definitions, execute, schedule
from .context import CampaignContext
from .holdout import in_holdout

log = logging.getLogger(__name__)
TRANSITIONS_PER_ROUND = 1000
CUSTOMERS_PER_ROUND = 1000
LOCK_SECONDS = 30


def run(ctx: CampaignContext, code: str | None = None) -> dict:
    """A portal's run: transitions, due schedules (or one campaign now), then pending actions; answers counts."""
    # not thread-local: the heartbeat thread renews the lock this thread took
    lock = ctx.redis.lock(lock_key(ctx.member_id), timeout=LOCK_SECONDS, blocking_timeout=0, thread_local=False)
    if not lock.acquire(blocking=False):
        return {"skipped": "another run of this portal's campaigns is in progress"}
    try:
        with Heartbeat(lambda: _renew(lock), LOCK_SECONDS / 3, lock_key(ctx.member_id)) as beat:
            return _run(ctx, code, beat)
    finally:
        try:
            lock.release()
        except Exception:  # expired: the next run simply starts
            pass


def lock_key(member_id: str) -> str:
    return f"bitrix_app:campaigns:{member_id}"


def _renew(lock) -> bool:
    try:
        return bool(lock.reacquire())
    except LockNotOwnedError:  # expired and taken: another run has the portal now
        return False


def _run(ctx: CampaignContext, code: str | None, beat: Heartbeat) -> dict:
    """Transitions, due schedules (or one campaign now), then a bounded slice of pending actions; each round
    renews the lock first, and the run stops once it is lost."""
    counts = {"transitions": 0, "entered": 0, "holdout": 0, "cooldown": 0, "left": 0, "scheduled": []}
    with transaction(ctx.sessions) as s:
        chosen = definitions.get(s, ctx.member_id, code) if code else None
    while beat.beat() and _consume(ctx, counts):
        pass
    if chosen is not None:  # run now: everyone in its segment (an enter campaign too), cooldown applies
        _enter_everyone(ctx, chosen.id, schedule.manual_key(ctx.now), counts, beat)
    elif chosen is None:
        for campaign_id, run_key in _due(ctx):
            if not _enter_everyone(ctx, campaign_id, run_key, counts, beat):
                break
    if not beat.lost:
        counts.update(execute.pending(ctx, beat=beat))
    if beat.lost:
        log.warning("campaign run of %s lost its lock to another run; stopping", ctx.member_id)
        counts.update(lost=True, more=False)  # the run that holds the portal now does the rest
    return counts


def _due(ctx: CampaignContext) -> list[tuple[int, str]]:
    with transaction(ctx.sessions) as s:
        rows = s.scalars(select(Campaign).where(Campaign.member_id == ctx.member_id, Campaign.enabled.is_(True),
                                                Campaign.trigger.in_(("weekly", "monthly"))).order_by(Campaign.id))
        found = [(c.id, schedule.due_key(c, ctx.now, ctx.settings.timezone)) for c in rows]
    return [(campaign_id, key) for campaign_id, key in found if key]


def _new_entry(ctx: CampaignContext, campaign: Campaign, customer_id: int, run_key: str, counts: dict):
    held = in_holdout(campaign.code, customer_id, campaign.holdout_percent)
    counts["holdout" if held else "entered"] += 1
    return CampaignEntry(member_id=ctx.member_id, campaign_id=campaign.id, customer_id=customer_id, run_key=run_key,
                         entered_at=ctx.now, window_ends_at=ctx.now + timedelta(days=campaign.attribution_days),
                         holdout=held, status=CampaignEntryStatus.HOLDOUT if held else CampaignEntryStatus.PENDING,
                         reached=False, results={}, attempts=0, updated_at=ctx.now)


def _last_entered(session, campaign_ids: list[int], customer_ids: list[int]) -> dict[tuple[int, int], datetime]:
    if not campaign_ids or not customer_ids:
        return {}
    rows = session.execute(select(CampaignEntry.campaign_id, CampaignEntry.customer_id,
                                  func.max(CampaignEntry.entered_at)).where(
        CampaignEntry.campaign_id.in_(campaign_ids), CampaignEntry.customer_id.in_(customer_ids))
        .group_by(CampaignEntry.campaign_id, CampaignEntry.customer_id))
    return {(c, k): utc(at) for c, k, at in rows}


def cooling(campaign: Campaign, last: datetime | None, now: datetime) -> bool:
    """Entered into this campaign less than `cooldown_days` ago."""
    return last is not None and now - last < timedelta(days=campaign.cooldown_days)


def _consume(ctx: CampaignContext, counts: dict) -> bool:
    """One round of unhandled transitions; True when there may be more."""
    with transaction(ctx.sessions) as s:
        rows = list(s.scalars(select(SegmentTransition).where(
            SegmentTransition.member_id == ctx.member_id, SegmentTransition.handled.is_(False))
            .order_by(SegmentTransition.id).limit(TRANSITIONS_PER_ROUND)))
        if not rows:
            return False
        by_segment: dict[str, list[Campaign]] = {}
        for c in s.scalars(select(Campaign).where(Campaign.member_id == ctx.member_id, Campaign.enabled.is_(True),
                                                  Campaign.trigger == "enter").order_by(Campaign.id)):
            by_segment.setdefault(c.segment, []).append(c)
        entering = [t for t in rows if t.change == "enter" and t.segment in by_segment]
        customers = sorted({t.customer_id for t in entering})
        now_in = dict(s.execute(select(CustomerFigures.customer_id, CustomerFigures.segments).where(
            CustomerFigures.member_id == ctx.member_id, CustomerFigures.customer_id.in_(customers))).all()) \
            if customers else {}
        last = _last_entered(s, [c.id for cs in by_segment.values() for c in cs], customers)
        for t in entering:
            if f"|{t.segment}|" not in (now_in.get(t.customer_id) or "|"):
                counts["left"] += 1  # left the segment again before the run: nothing to say to them now
                continue
            for campaign in by_segment[t.segment]:
                if cooling(campaign, last.get((campaign.id, t.customer_id)), ctx.now):
                    counts["cooldown"] += 1
                    continue
                s.add(_new_entry(ctx, campaign, t.customer_id, f"t:{t.id}", counts))
                last[(campaign.id, t.customer_id)] = ctx.now
        s.execute(update(SegmentTransition).where(SegmentTransition.id.in_([t.id for t in rows]))
                  .values(handled=True))
        counts["transitions"] += len(rows)
    return len(rows) == TRANSITIONS_PER_ROUND


def _enter_everyone(ctx: CampaignContext, campaign_id: int, run_key: str, counts: dict, beat: Heartbeat) -> bool:
    """Everyone now in the campaign's segment, in rounds by customer id; a repeated run key adds nobody.
    False when the lock was lost first (the run key is then not marked done: a later run finishes it)."""
    after = 0
    while beat.beat():
        with transaction(ctx.sessions) as s:
            campaign = s.get(Campaign, campaign_id)
            ids = list(s.scalars(select(CustomerFigures.customer_id).where(
                CustomerFigures.member_id == ctx.member_id, CustomerFigures.customer_id > after,
                CustomerFigures.segments.contains(f"|{campaign.segment}|", autoescape=True))
                .order_by(CustomerFigures.customer_id).limit(CUSTOMERS_PER_ROUND)))
            if not ids:
                campaign.last_run_key = run_key if run_key.startswith("s:") else campaign.last_run_key
                campaign.last_run_at = ctx.now
                counts["scheduled"].append({"campaign": campaign.code, "run_key": run_key})
                return True
            done = set(s.scalars(select(CampaignEntry.customer_id).where(
                CampaignEntry.campaign_id == campaign_id, CampaignEntry.run_key == run_key,
                CampaignEntry.customer_id.in_(ids))))
            last = _last_entered(s, [campaign_id], ids)
            for customer_id in ids:
                if customer_id in done:
                    continue
                if cooling(campaign, last.get((campaign_id, customer_id)), ctx.now):
                    counts["cooldown"] += 1
                    continue
                s.add(_new_entry(ctx, campaign, customer_id, run_key, counts))
        after = ids[-1]
    return False
