"""Small SQL helpers that render the same meaning on SQLite and PostgreSQL (dates, JSON, text, money).

`dialect` is the engine's dialect name ("sqlite" or "postgresql"). Times on SQLite are stored as UTC text.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Float, Integer, Numeric, String, Text, and_, case, cast, false, func, literal,
                        or_, type_coerce)
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.sql.elements import ColumnElement

DAY = 86400


def epoch(ts, dialect: str) -> ColumnElement:
    """Whole seconds since 1970 of a stored UTC time."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", ts), Integer)
    return cast(func.floor(func.extract("epoch", ts)), BigInteger)


def epoch_of(moment: datetime) -> int:
    """The same figure for a Python aware datetime (bound as a parameter)."""
    return int(moment.timestamp() // 1)


def _now_epoch(now) -> ColumnElement:
    """`now` as epoch seconds: a datetime becomes a literal; an SQL expression (a bound parameter) is kept."""
    return literal(epoch_of(now), BigInteger) if isinstance(now, datetime) else now


def days_since(ts, now, dialect: str) -> ColumnElement:
    """Whole days from a stored time to `now` (a datetime or epoch seconds in SQL), never negative."""
    seconds = _now_epoch(now) - epoch(ts, dialect)
    return case((seconds < 0, 0), else_=seconds // DAY)


def days_between(earlier, later, dialect: str) -> ColumnElement:
    """Whole days from one stored time to another, never negative."""
    seconds = epoch(later, dialect) - epoch(earlier, dialect)
    return case((seconds < 0, 0), else_=seconds // DAY)


def seconds_between(earlier, now, dialect: str) -> ColumnElement:
    """Seconds from a stored time to `now` (a datetime or epoch seconds in SQL)."""
    return _now_epoch(now) - epoch(earlier, dialect)


def month_of(ts, dialect: str) -> ColumnElement:
    if dialect == "sqlite":
        return cast(func.strftime("%m", ts), Integer)
    return cast(func.extract("month", ts), Integer)


def day_of(ts, dialect: str) -> ColumnElement:
    if dialect == "sqlite":
        return cast(func.strftime("%d", ts), Integer)
    return cast(func.extract("day", ts), Integer)


def json_text(column, key: str, dialect: str) -> ColumnElement:
    """A top-level value of a JSON document column as text (NULL when missing or null): json_extract on SQLite
    (where a JSON column is text), `->>` on PostgreSQL's json column, read as it is stored (no cast)."""
    if dialect == "sqlite":
        return type_coerce(func.json_extract(column, f"$.{key}"), String)
    return type_coerce(column, PG_JSON)[key].astext


def iso_date_part(text, part: str, dialect: str) -> ColumnElement:
    """year / month / day of a "YYYY-MM-DD..." text as an integer; NULL when the text is not such a date."""
    start, length = {"year": (1, 4), "month": (6, 2), "day": (9, 2)}[part]
    number = cast(func.substr(text, start, length), Integer)
    if dialect == "sqlite":
        shaped = type_coerce(text, String).op("GLOB")("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*")
    else:
        shaped = type_coerce(text, String).op("~")(r"^\d{4}-\d{2}-\d{2}")
    return case((and_(text.is_not(None), shaped), number), else_=None)


def number(text) -> ColumnElement:
    """A decimal string column as a float (sums are rounded to cents: see round2)."""
    return cast(text, Float)


def round2(value, dialect: str) -> ColumnElement:
    """Round to cents and hand back a float."""
    if dialect == "sqlite":
        return type_coerce(func.round(value, 2), Float)
    return cast(func.round(cast(value, Numeric), 2), Float)


def one_of(column, values) -> ColumnElement:
    """column = v1 OR column = v2 ...: like IN over constants, without an expanding parameter to render per run."""
    values = list(values)
    if len(values) == 1:
        return column == values[0]
    return or_(*[column == v for v in values]) if values else false()


def contains(haystack, needle, dialect: str) -> ColumnElement:
    """`needle` occurs in `haystack` (plain text, no LIKE wildcards)."""
    if dialect == "sqlite":
        return func.instr(haystack, needle) > 0
    return func.strpos(haystack, needle) > 0


def first_key(value, order, dialect: str) -> ColumnElement:
    """Aggregate: "time|value" of the group's row with the smallest `order` time (ties: the smallest value);
    see first_value. min() over text is cheaper than an ordered array_agg, which forces a sort."""
    moment = order if dialect == "sqlite" else cast(func.timezone("UTC", order), Text)
    return func.min(moment.concat("|").concat(func.coalesce(value, "")))


def first_value(key, dialect: str) -> ColumnElement:
    """The value part of a first_key (NULL when it was NULL or empty)."""
    position = func.instr(key, "|") if dialect == "sqlite" else func.strpos(key, "|")
    return func.nullif(func.substr(key, position + 1), "")
