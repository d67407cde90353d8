"""Migration 0013 on a database holding shop rows written as JSON text before it: profiles, items, cart data and
what was last written to CRM read back as the same documents (an empty text as what the code read it as), a
customer stored without a profile gets the empty one, and a downgrade turns them back into text the old code reads.
How the segment engine reads the profile column: tests/segments/test_profile_reading.py.

Runs on the test run's database: a file of its own on SQLite; on PostgreSQL the shared test database, migrated
back to the head with no rows when done."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bitrix_app.store.db import make_engine
from bitrix_app.store.migrate import current, downgrade, upgrade
from bitrix_app.store.shop_models import Cart, Customer, OrderRecord
from tests.fixtures import services

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
PROFILE = {"first_name": "Ёлка", "last_name": "O'Hara \"Q\"", "phone": "+79991234567", "email": "ann@example.com",
           "birthday": "1990-05-17", "gender": "female", "consent_email": True, "consent_sms": False}
CONTACT_SYNCED = {"owned": True, "values": {"NAME": "Ёлка", "UF_CRM_SHOP_CONSENT_EMAIL": "Y"}}
ITEMS = [{"sku": "SCARF-1", "name": "Infinity scarf", "category": "scarves", "price": "1990.50", "quantity": "2"},
         {"sku": "TEA", "name": "Чай", "category": None, "price": "0.1", "quantity": "0.5"}]
DEAL_SYNCED = {"contact": 55, "items": "0123456789abcdef", "status": "paid",
               "deal": {"STAGE_ID": "C3:WON", "OPPORTUNITY": "3981.0"}}
CART = {"cart_id": "C1", "currency": "RUB", "total": "3981.00", "updated_at": "2026-03-02T10:00:00+00:00",
        "customer": {"email": "ann@example.com", "email_key": "ann@example.com", "phone": None, "phone_e164": None,
                     "first_name": "Ёлка", "last_name": None, "birthday": "1990-05-17", "gender": None,
                     "consent": {"email": True, "sms": False}},
        "items": ITEMS}


def _insert(conn, table: str, row: dict) -> None:
    conn.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)


def _old_rows(conn) -> None:
    """Rows as the 0012 schema holds them: JSON written by json.dumps into text columns, and empty texts."""
    customer = {"member_id": "m-1", "version": T}
    _insert(conn, "shop_customers", {**customer, "id": 1, "contact_id": 55, "synced": json.dumps(CONTACT_SYNCED),
                                     "profile": json.dumps(PROFILE, sort_keys=True, ensure_ascii=False)})
    _insert(conn, "shop_customers", {**customer, "id": 2, "contact_id": None, "profile": "", "synced": ""})
    _insert(conn, "shop_customers", {**customer, "id": 3, "contact_id": None, "profile": "{}", "synced": None})
    order = {"shop_id": "s-1", "member_id": "m-1", "status": "paid", "total": "3981.00", "currency": "RUB",
             "ordered_at": T, "version": T}
    _insert(conn, "shop_orders", {**order, "order_id": "o-1", "customer_id": 1, "deal_id": 500,
                                  "items": json.dumps(ITEMS, ensure_ascii=False),
                                  "synced": json.dumps(DEAL_SYNCED, sort_keys=True)})
    _insert(conn, "shop_orders", {**order, "order_id": "o-2", "customer_id": 2, "items": "", "synced": ""})
    cart = {"shop_id": "s-1", "member_id": "m-1", "state": "open", "version": T, "first_seen_at": T}
    _insert(conn, "shop_carts", {**cart, "cart_id": "C1", "customer_id": 1,
                                 "data": json.dumps(CART, separators=(",", ":"), ensure_ascii=False, sort_keys=True)})
    _insert(conn, "shop_carts", {**cart, "cart_id": "C2", "customer_id": None, "data": ""})


def _documents(engine) -> dict:
    with Session(engine) as s:
        return {
            "profiles": {r.id: r.profile for r in s.scalars(select(Customer))},
            "contact_synced": {r.id: r.synced for r in s.scalars(select(Customer))},
            "items": {r.order_id: r.items for r in s.scalars(select(OrderRecord))},
            "deal_synced": {r.order_id: r.synced for r in s.scalars(select(OrderRecord))},
            "carts": {r.cart_id: r.data for r in s.scalars(select(Cart))},
        }


def _texts(engine) -> dict:
    with engine.connect() as conn:
        return {
            "profiles": dict(conn.execute(text("SELECT id, profile FROM shop_customers")).all()),
            "contact_synced": dict(conn.execute(text("SELECT id, synced FROM shop_customers")).all()),
            "items": dict(conn.execute(text("SELECT order_id, items FROM shop_orders")).all()),
            "deal_synced": dict(conn.execute(text("SELECT order_id, synced FROM shop_orders")).all()),
            "carts": dict(conn.execute(text("SELECT cart_id, data FROM shop_carts")).all()),
        }


def test_shop_rows_written_before_0013_read_back_as_the_same_documents(tmp_path):
    url = services.test_database_url(str(tmp_path))
    services.reset_schema(url)
    upgrade(url, "0012")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _old_rows(conn)
        upgrade(url, "0013")
        assert current(url) == "0013"
        assert _documents(engine) == {
            "profiles": {1: PROFILE, 2: {}, 3: {}},
            "contact_synced": {1: CONTACT_SYNCED, 2: None, 3: None},
            "items": {"o-1": ITEMS, "o-2": []},
            "deal_synced": {"o-1": DEAL_SYNCED, "o-2": None},
            "carts": {"C1": CART, "C2": {}},
        }

        with Session(engine) as s:  # the code writes documents; a profile left out takes the column's default
            s.get(Customer, 2).profile = {"gender": "MALE", "birthday": "1985-01-02"}
            s.scalar(select(OrderRecord).where(OrderRecord.order_id == "o-2")).synced = {"status": "new"}
            s.commit()
        with engine.begin() as conn:
            _insert(conn, "shop_customers", {"id": 4, "member_id": "m-1"})
        assert _documents(engine)["profiles"] == {1: PROFILE, 2: {"gender": "MALE", "birthday": "1985-01-02"},
                                                  3: {}, 4: {}}

        downgrade(url, "0012")  # text again, which the code before 0013 reads with json.loads
        old = _texts(engine)
        assert {k: json.loads(v) for k, v in old["profiles"].items()} == {
            1: PROFILE, 2: {"gender": "MALE", "birthday": "1985-01-02"}, 3: {}, 4: {}}
        assert json.loads(old["contact_synced"][1]) == CONTACT_SYNCED and old["contact_synced"][2] is None
        assert {k: json.loads(v) for k, v in old["items"].items()} == {"o-1": ITEMS, "o-2": []}
        assert json.loads(old["deal_synced"]["o-1"]) == DEAL_SYNCED
        assert json.loads(old["deal_synced"]["o-2"]) == {"status": "new"}
        assert {k: json.loads(v) for k, v in old["carts"].items()} == {"C1": CART, "C2": {}}
    finally:
        engine.dispose()
        if not url.startswith("sqlite"):  # leave the shared database as the session's fixture made it
            services.reset_schema(url)
            upgrade(url)
