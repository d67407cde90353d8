"""Birthday windows across month and year ends and 29 February; gender and age bands at their edges."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bitrix_app.segments.kinds.builtin import birthday_keys

BIRTHDAY = {"BIRTHDAY_MONTH", "BIRTHDAY_NEXT_7"}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("now,birthday,expected", [
    ("2026-12-28T10:00", "1990-12-28", BIRTHDAY),  # today
    ("2026-12-28T10:00", "1990-12-27", {"BIRTHDAY_MONTH"}),  # yesterday: this month, not ahead
    ("2026-12-28T10:00", "1985-01-04", {"BIRTHDAY_NEXT_7"}),  # 7 days on, across the year end
    ("2026-12-28T10:00", "1985-01-05", set()),  # 8 days on
    ("2026-11-27T10:00", "2000-12-03", {"BIRTHDAY_NEXT_7"}),  # across the month end
    ("2026-11-27T10:00", "2000-11-01", {"BIRTHDAY_MONTH"}),
    ("2027-02-22T10:00", "2000-02-29", BIRTHDAY),  # a common year: kept on 28 February, 6 days on
    ("2027-02-28T10:00", "2000-02-29", BIRTHDAY),
    ("2027-03-01T10:00", "2000-02-29", set()),  # passed
    ("2028-02-23T10:00", "2000-02-29", BIRTHDAY),  # a leap year: 29 February itself
    ("2026-12-28T10:00", None, set()),
    ("2026-12-28T10:00", "not a date", set()),
])
def test_birthday_this_month_and_within_seven_days(hist, now, birthday, expected):
    cid = hist.customer(birthday=birthday)
    hist.now = _at(now)
    hist.rebuild()
    assert hist.segments(cid) & {"BIRTHDAY_MONTH", "BIRTHDAY_NEXT_7"} == expected


def test_birthday_keys_wrap_the_year_and_carry_29_february():
    assert birthday_keys(datetime(2026, 12, 30).date(), 3) == [101, 102, 1230, 1231]
    assert 229 in birthday_keys(datetime(2027, 2, 27).date(), 1)
    assert 229 not in birthday_keys(datetime(2028, 2, 27).date(), 1)  # leap year: 29 Feb is a day of its own
    assert 229 in birthday_keys(datetime(2028, 2, 27).date(), 2)


def test_a_longer_window_from_the_settings(hist):
    cid = hist.customer(birthday="1990-11-15")
    hist.settings({"birthday_days": 14})
    hist.rebuild()
    assert "BIRTHDAY_NEXT_14" in hist.segments(cid) and "BIRTHDAY_NEXT_7" not in hist.segments(cid)


@pytest.mark.parametrize("birthday,band", [
    ("2008-11-02", "AGE_18_24"),  # 18 today
    ("2008-11-03", None),  # 18 tomorrow: no band below 18
    ("2001-11-03", "AGE_18_24"),  # 24, 25 tomorrow
    ("2001-11-02", "AGE_25_34"),
    ("1992-11-03", "AGE_25_34"),
    ("1971-11-02", "AGE_55_PLUS"),
    ("1971-11-03", "AGE_45_54"),
    ("1890-01-01", None),  # an implausible year is unknown
])
def test_age_bands_at_their_edges(hist, birthday, band):
    cid = hist.customer(birthday=birthday)
    hist.rebuild()  # 2 November 2026
    assert {c for c in hist.segments(cid) if c.startswith("AGE_")} == ({band} if band else set())


def test_born_on_29_february_turns_a_year_older_on_1_march_in_a_common_year(hist):
    cid = hist.customer(birthday="2000-02-29")
    hist.now = _at("2025-02-28T12:00")
    hist.rebuild()
    assert "AGE_18_24" in hist.segments(cid)  # still 24
    hist.now = _at("2025-03-01T12:00")
    hist.rebuild()
    assert "AGE_25_34" in hist.segments(cid)


def test_gender_and_unknowns(hist):
    woman, man, other, unknown = (hist.customer(gender=g) for g in ("female", "MALE", "other", None))
    hist.rebuild()
    assert "GENDER_FEMALE" in hist.segments(woman) and "GENDER_MALE" in hist.segments(man)
    assert not {c for c in hist.segments(other) | hist.segments(unknown) if c.startswith("GENDER_")}
    assert hist.row(man)["gender"] == "male" and hist.row(other)["gender"] is None
