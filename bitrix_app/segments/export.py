"""Members of a segment as rows of figures: streamed for the CLI, paged for the admin API; CSV or JSON Lines."""
from __future__ import annotations

import csv
import json
from typing import IO, TYPE_CHECKING, Iterable, Iterator

from sqlalchemy import select

from bitrix_app.store.models import utc

from .figures import sqlfn
from .engine.memberships import codes_of
from .figures.rfm import rfm_code
from .engine.stats import CS

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

COLUMNS = ("customer_id", "contact_id", "orders", "revenue", "paid_revenue", "average_order", "first_order_at",
           "last_order_at", "days_since", "lifespan_days", "channel", "lifecycle", "rfm", "rfm_group", "ltv",
           "birthday", "birth_year", "gender", "segments", "as_of")
STREAM_ROWS = 2000


def _iso(value) -> str | None:
    return utc(value).isoformat() if value is not None else None


def as_of(row, rebuilt_at) -> dict:
    """The row as of its portal's last rebuild when that is newer than the row: a row is rewritten only when a
    figure other than the day count changes, so its days_since is recounted here from the last purchase."""
    row = dict(row)
    moment = max((utc(m) for m in (row["computed_at"], rebuilt_at) if m is not None), default=None)
    if moment is not None and row["last_order_at"] is not None:
        seconds = int(moment.timestamp()) - int(utc(row["last_order_at"]).timestamp())
        row["days_since"] = max(0, seconds // sqlfn.DAY)
    row["computed_at"] = moment
    return row


def rebuilt_at(conn, member_id: str):
    from bitrix_app.store.segment_models import SegmentState

    t = SegmentState.__table__
    return conn.execute(select(t.c.rebuilt_at).where(t.c.member_id == member_id)).scalar()


def figures(row) -> dict:
    """A customer_stats row (see as_of) as plain JSON-safe figures."""
    orders = row["orders"] or 0
    birthday = f"{row['birth_month']:02d}-{row['birth_day']:02d}" if row["birth_month"] and row["birth_day"] else None
    return {
        "customer_id": row["customer_id"], "contact_id": row["contact_id"], "orders": orders,
        "revenue": round(row["revenue"] or 0, 2), "paid_revenue": round(row["paid_revenue"] or 0, 2),
        "average_order": round((row["revenue"] or 0) / orders, 2) if orders else 0.0,
        "first_order_at": _iso(row["first_order_at"]), "last_order_at": _iso(row["last_order_at"]),
        "days_since": row["days_since"], "lifespan_days": row["lifespan_days"], "channel": row["channel"],
        "lifecycle": row["lifecycle"], "rfm": rfm_code(row["r"], row["f"], row["m"]), "rfm_group": row["rfm_group"],
        "ltv": round(row["ltv"] or 0, 2), "birthday": birthday, "birth_year": row["birth_year"],
        "gender": row["gender"], "segments": sorted(codes_of(row["segments"])), "as_of": _iso(row["computed_at"]),
    }


def _members(member_id: str, code: str, dialect: str):
    return select(CS).where(CS.c.member_id == member_id,
                            sqlfn.contains(CS.c.segments, f"|{code}|", dialect)).order_by(CS.c.customer_id)


def export_rows(scope: "PortalScope", code: str) -> Iterator[dict]:
    """Every member of the segment, by customer id, streamed."""
    member_id = scope.member_id
    with scope.sessions() as s:
        engine = s.get_bind()
    with engine.connect() as conn:
        rebuilt = rebuilt_at(conn, member_id)
        streamed = conn.execution_options(stream_results=True, yield_per=STREAM_ROWS)
        for row in streamed.execute(_members(member_id, code, conn.dialect.name)).mappings():
            yield figures(as_of(row, rebuilt))


def page(session, member_id: str, code: str, after: int = 0, limit: int = 500) -> tuple[list[dict], int | None]:
    """Up to `limit` members with ids above `after`, and the cursor of the next page (None at the end)."""
    dialect = session.get_bind().dialect.name
    stmt = _members(member_id, code, dialect).where(CS.c.customer_id > after).limit(limit + 1)
    rebuilt = rebuilt_at(session.connection(), member_id)
    rows = [figures(as_of(r, rebuilt)) for r in session.execute(stmt).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["customer_id"] if more else None)


def _flat(row: dict) -> dict:
    return {**row, "segments": "|".join(row["segments"])}


def write_csv(rows: Iterable[dict], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for n, row in enumerate(rows, 1):
        writer.writerow(_flat(row))
    return n


def write_jsonl(rows: Iterable[dict], out: IO[str]) -> int:
    n = 0
    for n, row in enumerate(rows, 1):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n


WRITERS = {"csv": write_csv, "jsonl": write_jsonl}
