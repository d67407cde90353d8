"""The segment engine's set-based reading of a customer's profile document (sqlfn.json_text): `->>` on
PostgreSQL's json column, json_extract on SQLite's text, the same values either way."""
from __future__ import annotations

from sqlalchemy import func, select, text, update

from bitrix_app.segments.figures import sqlfn
from bitrix_app.store.shop_models import Customer

C = Customer.__table__.c


def _read(hist) -> dict:
    with hist.session() as s:
        dialect = s.get_bind().dialect.name
        rows = s.execute(select(C.id, sqlfn.json_text(C.profile, "birthday", dialect),
                                func.lower(sqlfn.json_text(C.profile, "gender", dialect)),
                                sqlfn.json_text(C.profile, "first_name", dialect))
                         .where(C.member_id == hist.member_id)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_profile_values_read_as_text_and_missing_or_null_ones_as_null(hist):
    full = hist.customer(birthday="1990-05-17", gender="FEMALE")
    bare = hist.customer()
    with hist.session() as s:
        s.execute(update(Customer).where(Customer.id == bare).values(profile={"first_name": "Ёлка \"Q\"",
                                                                               "gender": None}))
        s.execute(text("INSERT INTO shop_customers (member_id) VALUES (:m)"), {"m": hist.member_id})
        defaulted = s.scalar(select(func.max(Customer.id)))
    assert _read(hist) == {full: ("1990-05-17", "female", "Ann"), bare: (None, None, "Ёлка \"Q\""),
                           defaulted: (None, None, None)}


def test_the_engine_takes_birthday_and_gender_from_the_stored_profile(hist):
    customer = hist.customer(birthday="1990-05-17", gender="male")
    hist.order(customer, 10)
    hist.rebuild()
    row = hist.row(customer)
    assert (row["birth_year"], row["birth_month"], row["birth_day"], row["gender"]) == (1990, 5, 17, "male")
    hist.set_profile(customer, gender="FEMALE", birthday=None)  # a new document, as customer.updated writes it
    hist.refresh(customer)
    row = hist.row(customer)
    assert (row["birth_year"], row["birth_month"], row["birth_day"], row["gender"]) == (None, None, None, "female")
