"""RFM cut points: the largest value of each of the first four quintiles of the portal's buyers, exactly as
NTILE(5) over the ordered values splits them (the first n % 5 quintiles hold one row more).

NTILE itself materialises and sorts every row for each measure; here a quintile's end is a position in the
ordering, and the value at a position comes from a histogram (days, orders: few distinct values) or from an
ordered index / an ordered-set aggregate (revenue: almost every value distinct).
"""
from __future__ import annotations

from sqlalchemy import Float, cast, func, select, text
from sqlalchemy.dialects.postgresql import array


def tile_ends(n: int) -> list[int]:
    """1-based positions of the last row of quintiles 1-4 over n >= 1 ordered rows (NTILE(5) sizes)."""
    size, extra = divmod(n, 5)
    ends, position = [], 0
    for k in range(1, 5):
        position += size + (1 if k <= extra else 0)
        ends.append(min(max(position, 1), n))
    return ends


def values_at(histogram, positions: list[int]) -> list:
    """The values at these ascending 1-based positions of the ordering a (value, count) histogram describes."""
    out, seen, wanted = [], 0, list(positions)
    for value, count in histogram:
        seen += count
        while wanted and wanted[0] <= seen:
            out.append(value)
            wanted.pop(0)
    return out


def _histogram_cuts(conn, column, values: dict, ends: list[int]) -> list:
    rows = conn.execute(select(column, func.count()).group_by(column).order_by(column), values)
    return values_at(rows, ends)


def _ordered_cuts(conn, agg, column: str, n: int, ends: list[int]) -> list:
    """Values at the positions of a column of the aggregate table (few distinct values are not assumed)."""
    if conn.dialect.name == "postgresql":
        fractions = array([(e - 0.5) / n for e in ends])  # percentile_disc(f) is the value at position ceil(f*n)
        query = select(func.percentile_disc(fractions).within_group(agg.c[column]))
        return list(conn.execute(query).scalar_one())
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS temp.{agg.name}_{column} ON {agg.name} ({column})"))
    return [conn.execute(select(agg.c[column]).order_by(agg.c[column]).limit(1).offset(e - 1)).scalar_one()
            for e in ends]


def compute_cuts(conn, agg, buyers, values: dict) -> dict:
    """Cut points and the lifespan factor; `agg` holds one row per buyer, `buyers` their days, orders, revenue
    and lifespan (see stats.buyers)."""
    n = conn.execute(select(func.count()).select_from(agg)).scalar_one()
    if not n:
        return {"buyers": 0, "recency": None, "frequency": None, "monetary": None, "lifespan_years": 1.0}
    ends = tile_ends(n)
    repeat = conn.execute(select(func.avg(cast(buyers.c.lifespan, Float) / 365.25))
                          .where(buyers.c.orders >= 2), values).scalar_one()
    return {
        "buyers": n,
        "recency": [int(v) for v in _histogram_cuts(conn, buyers.c.days, values, ends)],
        "frequency": [int(v) for v in _histogram_cuts(conn, buyers.c.orders, values, ends)],
        "monetary": [float(v) for v in _ordered_cuts(conn, agg, "revenue", n, ends)],
        "lifespan_years": max(1.0, float(repeat or 0)),
    }
