"""The `time` object every REST answer carries, and the portal's date format."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Cloud portals in the captured answers report +03:00; the sandbox keeps one fixed zone.
PORTAL_TZ = timezone(timedelta(hours=3))


def iso(ts: float) -> str:
    """Unix time -> `YYYY-MM-DDThh:mm:ss+03:00`, as a portal writes datetimes."""
    return datetime.fromtimestamp(ts, PORTAL_TZ).isoformat(timespec="seconds")


def time_object(
    start: float,
    finish: float,
    processing: float,
    operating: float | None = None,
    operating_reset_at: int | None = None,
) -> dict:
    """Fields and order as in the documented example (data-types.md#time, limits.md)."""
    out = {
        "start": start,
        "finish": finish,
        "duration": max(finish - start, 0.0),
        "processing": max(processing, 0.0),
        "date_start": iso(start),
        "date_finish": iso(finish),
    }
    if operating_reset_at is not None:
        out["operating_reset_at"] = int(operating_reset_at)
    if operating is not None:
        out["operating"] = operating
    return out
