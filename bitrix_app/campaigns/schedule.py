"""When a scheduled campaign is due: once per week or month, at its local hour in the portal's time zone."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def period(campaign, now: datetime, zone: str) -> tuple[str, datetime]:
    """The run key of the current period (s:2026-W45, s:2026-11) and the moment it becomes due (aware)."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if campaign.trigger == "weekly":
        iso = local.isocalendar()
        day = local.date() - timedelta(days=local.weekday()) + timedelta(days=campaign.weekday or 0)
        return f"s:{iso.year}-W{iso.week:02d}", datetime.combine(day, time(campaign.hour), tzinfo=tz)
    if campaign.trigger == "monthly":
        day = local.date().replace(day=campaign.day_of_month or 1)
        return f"s:{local:%Y-%m}", datetime.combine(day, time(campaign.hour), tzinfo=tz)
    raise ValueError(f"campaign {campaign.code} is not scheduled (trigger {campaign.trigger})")


def due_key(campaign, now: datetime, zone: str) -> str | None:
    """The run key when this period's run is due and not yet done, else None."""
    if not campaign.enabled or campaign.trigger not in ("weekly", "monthly"):
        return None
    run_key, at = period(campaign, now, zone)
    return run_key if now >= at and campaign.last_run_key != run_key else None


def manual_key(now: datetime) -> str:
    """A run started by hand: the same minute twice is one run."""
    return f"now:{now:%Y%m%dT%H%M}"
