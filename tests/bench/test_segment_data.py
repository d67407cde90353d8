"""The segment benchmark's synthetic history: deterministic, referentially sound, loaded as generated."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from bench.segment_data import ensure, marker
from bench.segment_synth import END, History, Spec
from tests.fixtures.services import empty_tables

SPEC = Spec(customers=300, orders=1200, seed=3)


def rows(spec: Spec) -> tuple[list, list, list, list]:
    history = History(spec, ".000000")
    customers, keys, orders, lines = [], [], [], []
    for c, k in history.customers(chunk=64):
        customers += c
        keys += k
    for o, ln in history.orders(chunk=100):
        orders += o
        lines += ln
    return customers, keys, orders, lines


def moment(value) -> datetime:
    """A stored timestamp (SQLite gives it naive, PostgreSQL aware) or a generated stamp, as naive UTC."""
    if isinstance(value, str):
        return datetime.fromisoformat(value[:19])
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def test_same_seed_same_rows_other_seed_other_rows():
    first, again = rows(SPEC), rows(SPEC)
    assert first == again
    other = rows(Spec(customers=300, orders=1200, seed=4))
    assert [o[5:7] for o in other[2]] != [o[5:7] for o in first[2]]


def test_shapes_are_plausible():
    customers, keys, orders, lines = rows(Spec(customers=2000, orders=10000, seed=1))
    per_customer = Counter(o[8] for o in orders)
    assert len(per_customer) == 2000 and sum(per_customer.values()) == 10000
    assert sum(1 for n in per_customer.values() if n == 1) > 1000  # most buy once
    assert max(per_customer.values()) >= 30  # a long tail of repeat buyers
    statuses = Counter(o[5] for o in orders)
    assert statuses["completed"] > 0.8 * len(orders) and statuses["cancelled"] and statuses["refunded"]
    stamps = [moment(o[10]) for o in orders]
    assert stamps == sorted(stamps) and (stamps[-1] - stamps[0]).days > 2 * 365
    assert moment(orders[-1][10]) < END.replace(tzinfo=None)
    assert 1 <= len(lines) / len(orders) <= 3 and len({ln[5] for ln in lines}) == 40
    assert len({o[13] for o in orders}) >= 5  # a few channels


def test_load_is_sound_and_reused(database_url):
    engine = create_engine(database_url)
    try:
        assert ensure(database_url, SPEC, log=lambda _: None)["generated"]
        assert ensure(database_url, SPEC, log=lambda _: None) == {"generated": False}
        with engine.connect() as conn:
            check_database(conn, rows(SPEC))
            assert conn.scalar(text("SELECT name FROM shops")) == marker(SPEC)
            conn.execute(text("INSERT INTO shop_orders (shop_id, member_id, order_id, status, total, currency, items, "
                              "ordered_at, version) VALUES ('s', 'm', 'new', 'paid', '1.00', 'RUB', '[]', :t, :t)"),
                         {"t": END})
            assert conn.scalar(text("SELECT id FROM shop_orders WHERE order_id = 'new'")) == SPEC.orders + 1
            conn.rollback()
    finally:
        empty_tables(engine)
        engine.dispose()


def check_database(conn, generated) -> None:
    customers, keys, orders, lines = generated
    count = lambda sql: conn.scalar(text(sql))  # noqa: E731
    assert count("SELECT COUNT(*) FROM shop_customers") == SPEC.customers
    assert count("SELECT COUNT(*) FROM shop_customer_keys") == len(keys)
    assert count("SELECT COUNT(*) FROM shop_orders") == SPEC.orders
    assert count("SELECT COUNT(*) FROM shop_order_lines") == len(lines)
    assert count("SELECT COUNT(*) FROM shop_orders o LEFT JOIN shop_customers c ON c.id = o.customer_id "
                 "WHERE c.id IS NULL") == 0
    assert count("SELECT COUNT(*) FROM shop_order_lines l LEFT JOIN shop_orders o ON o.id = l.order_ref "
                 "WHERE o.id IS NULL OR o.customer_id <> l.customer_id OR o.ordered_at <> l.ordered_at") == 0
    assert count("SELECT COUNT(*) FROM shop_orders o WHERE NOT EXISTS "
                 "(SELECT 1 FROM shop_order_lines l WHERE l.order_ref = o.id)") == 0
    assert count("SELECT COUNT(*) FROM shop_customer_keys k LEFT JOIN shop_customers c ON c.id = k.customer_id "
                 "WHERE c.id IS NULL") == 0
    assert count("SELECT COUNT(DISTINCT key) FROM shop_customer_keys") == len(keys)
    stored = conn.execute(text("SELECT id, order_id, customer_id, status, total, utm_source, ordered_at "
                               "FROM shop_orders ORDER BY id")).all()
    assert [(*r[:6], moment(r[6])) for r in stored] == [
        (o[0], o[3], o[8], o[5], o[6], o[13], moment(o[10])) for o in orders]
    sums = dict(conn.execute(text("SELECT order_ref, SUM(amount) FROM shop_order_lines GROUP BY order_ref")).all())
    assert all(abs(sums[o[0]] - float(o[6])) < 0.005 for o in orders)
    counted = conn.execute(text("SELECT DISTINCT o.status, l.counted FROM shop_orders o "
                                "JOIN shop_order_lines l ON l.order_ref = o.id")).all()
    assert all(bool(flag) == (status not in ("cancelled", "refunded")) for status, flag in counted)
    stored = conn.execute(text("SELECT id, CAST(profile AS TEXT) FROM shop_customers ORDER BY id")).all()
    assert [tuple(r) for r in stored] == [(c[0], c[3]) for c in customers]


def test_another_history_replaces_the_old_one(tmp_path):
    url = f"sqlite:///{tmp_path}/bench.db"
    ensure(url, Spec(customers=50, orders=120, seed=1), log=lambda _: None)
    answer = ensure(url, Spec(customers=40, orders=90, seed=2), log=lambda _: None)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert answer["generated"] and conn.scalar(text("SELECT COUNT(*) FROM shop_orders")) == 90
        assert conn.scalar(text("SELECT COUNT(*) FROM shops")) == 1
    engine.dispose()


def test_a_database_of_another_portal_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/other.db"
    ensure(url, Spec(customers=20, orders=30), log=lambda _: None)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE portals SET member_id = 'someone-else'"))
    engine.dispose()
    with pytest.raises(SystemExit, match="other portal"):
        ensure(url, Spec(customers=20, orders=31), log=lambda _: None)
