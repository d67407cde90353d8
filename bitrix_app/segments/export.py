"""Members of a segment as rows of contact fields and figures: streamed for the CLI and the API's export, paged
(by id, or sorted) for the admin API; CSV or JSON Lines. Every path reads the same query (`_members`)."""
from __future__ import annotations

import csv
import io
import json
import re
from typing import IO, TYPE_CHECKING, Iterable, Iterator

from sqlalchemy import func, select

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer, OrderRecord

from .figures import sqlfn
from .engine.memberships import codes_of
from .figures.rfm import rfm_code
from .engine.stats import CS

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

COLUMNS = ("customer_id", "contact_id", "name", "phone", "email", "orders", "revenue", "currency", "paid_revenue",
           "average_order", "first_order_at", "last_order_at", "days_since", "lifespan_days", "channel", "lifecycle", "rfm", "rfm_group", "ltv",
           "birthday", "birth_year", "gender", "segments", "as_of")
STREAM_ROWS = 2000
SORTS = ("name", "phone", "email", "orders", "revenue", "last_order_at", "ltv", "contact_id", "customer_id")
TEXT_COLUMNS = ("name", "phone", "email")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE = re.compile(r"\+?[0-9 ()-]+")
CU, ORD = Customer.__table__, OrderRecord.__table__


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


def contact(row) -> dict:
    """The member's name, phone, e-mail and the currency of their newest order (a row of `_members`)."""
    return {"name": (row.get("name") or "").strip(), "phone": row.get("phone") or None,
            "email": row.get("email") or None, "currency": row.get("currency") or None}


def member(row, rebuilt) -> dict:
    """A row of `_members` as the export and the pages show it: contact fields, then the figures."""
    out = {**contact(row), **figures(as_of(row, rebuilt))}
    out["contact_id"] = row.get("customer_contact") or out["contact_id"]  # the shop customer's newest link
    return out


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


def _currency(member_id: str):
    """The currency of the customer's newest order (a correlated lookup through the orders' customer index)."""
    return (select(ORD.c.currency).where(ORD.c.member_id == member_id, ORD.c.customer_id == CS.c.customer_id)
            .order_by(ORD.c.ordered_at.desc(), ORD.c.id.desc()).limit(1).scalar_subquery())


def _name(dialect: str):
    parts = [func.coalesce(sqlfn.json_text(CU.c.profile, key, dialect), "") for key in ("first_name", "last_name")]
    return func.trim(parts[0].concat(" ").concat(parts[1]))


def _members(member_id: str, code: str, dialect: str, contacts: bool = True):
    """The segment's members with their contact fields (profile and newest order's currency)."""
    inside = (CS.c.member_id == member_id, sqlfn.contains(CS.c.segments, f"|{code}|", dialect))
    if not contacts:
        return select(CS).where(*inside)
    return (select(CS, _name(dialect).label("name"), sqlfn.json_text(CU.c.profile, "phone", dialect).label("phone"),
                   sqlfn.json_text(CU.c.profile, "email", dialect).label("email"),
                   _currency(member_id).label("currency"), CU.c.contact_id.label("customer_contact"))
            .select_from(CS.outerjoin(CU, CU.c.id == CS.c.customer_id)).where(*inside))


def export_rows(scope: "PortalScope", code: str) -> Iterator[dict]:
    """Every member of the segment, by customer id, streamed (the CLI's and the API's export)."""
    member_id = scope.member_id
    with scope.sessions() as s:
        engine = s.get_bind()
    with engine.connect() as conn:
        rebuilt = rebuilt_at(conn, member_id)
        streamed = conn.execution_options(stream_results=True, yield_per=STREAM_ROWS)
        query = _members(member_id, code, conn.dialect.name).order_by(CS.c.customer_id)
        for row in streamed.execute(query).mappings():
            yield member(row, rebuilt)


def page(session, member_id: str, code: str, after: int = 0, limit: int = 500) -> tuple[list[dict], int | None]:
    """Up to `limit` members with ids above `after`, and the cursor of the next page (None at the end)."""
    dialect = session.get_bind().dialect.name
    stmt = (_members(member_id, code, dialect).where(CS.c.customer_id > after)
            .order_by(CS.c.customer_id).limit(limit + 1))
    rebuilt = rebuilt_at(session.connection(), member_id)
    rows = [member(r, rebuilt) for r in session.execute(stmt).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["customer_id"] if more else None)


def sorted_page(session, member_id: str, code: str, sort: str = "customer_id", descending: bool = False,
                offset: int = 0, limit: int = 50) -> dict:
    """A page of members in the order of one of SORTS (ties by customer id), and how many the segment holds."""
    dialect = session.get_bind().dialect.name
    query = _members(member_id, code, dialect).subquery("m")
    key = query.c[sort]
    key = func.lower(func.coalesce(key, "")) if sort in TEXT_COLUMNS else key
    direction = key.desc() if descending else key.asc()
    tie = query.c.customer_id.desc() if descending else query.c.customer_id.asc()
    nulls = query.c[sort].is_(None)  # unknown values last in either direction
    found = session.execute(select(query).order_by(nulls, direction, tie).offset(offset).limit(limit)).mappings()
    rebuilt = rebuilt_at(session.connection(), member_id)
    rows = [member(r, rebuilt) for r in found]
    total = session.execute(select(func.count()).select_from(_members(member_id, code, dialect, False)
                                                             .subquery())).scalar() or 0
    return {"members": rows, "total": total, "offset": offset, "limit": limit, "sort": sort,
            "descending": descending}


def _cell_text(value):
    """Text a spreadsheet would run as a formula is quoted (phone numbers stay as they are)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) and not PHONE.fullmatch(text) else value


def _flat(row: dict) -> dict:
    return {**row, **{k: _cell_text(row.get(k)) for k in TEXT_COLUMNS}, "segments": "|".join(row["segments"])}


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


def chunks(rows: Iterable[dict], fmt: str, size: int = 500) -> Iterator[str]:
    """The rows as WRITERS write them ("csv" or "jsonl"), handed out in pieces of `size` rows (a streamed answer)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for n, row in enumerate(rows, 1):
        if writer is not None:
            writer.writerow(_flat(row))
        else:
            buf.write(json.dumps(row, ensure_ascii=False) + "\n")
        if n % size == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
