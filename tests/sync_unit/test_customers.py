"""Person matching (`crm.customers.resolve`): local index first, then the portal by phone or e-mail, else
a new contact; known contacts get only what changed."""
from __future__ import annotations

from sqlalchemy import select

from bitrix_app.crm import customers
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Customer, CustomerKey

from .conftest import MEMBER, at

PHONE, EMAIL = "+79991234567", "ann@example.com"


def person(phone=PHONE, email=EMAIL, hour=10, **extra):
    profile = {"first_name": "Ann", "last_name": None, "phone": phone, "email": email, "birthday": None,
               "gender": None, "consent_email": False, "consent_sms": False, **extra}
    return customers.Person(customers.keys_of(profile), profile, at(hour))


def known_customer(factory, contact_id=55, keys=(f"phone:{PHONE}",), synced=None, hour=9):
    with transaction(factory) as s:
        row = Customer(member_id=MEMBER, contact_id=contact_id, profile={}, version=at(hour),
                       synced=synced)
        s.add(row)
        s.flush()
        for key in keys:
            s.add(CustomerKey(member_id=MEMBER, key=key, customer_id=row.id))
        return row.id


def portal_holds(client, contact_id, phones=(), emails=()):
    client.on("crm.duplicate.findbycomm", lambda p: {"CONTACT": [contact_id]} if set(p["values"]) & {
        *phones, *emails} else [])
    client.on("crm.contact.list", lambda p: [{"ID": str(contact_id),
                                              "PHONE": [{"VALUE": v} for v in phones],
                                              "EMAIL": [{"VALUE": v} for v in emails]}])


def test_found_locally_asks_the_portal_nothing_and_writes_only_what_changed(ctx, client, factory):
    cid = known_customer(factory, synced={"owned": False, "values": {"UF_CRM_SHOP_CONSENT_EMAIL": "N",
                                                                      "UF_CRM_SHOP_CONSENT_SMS": "N"}},
                         keys=(f"phone:{PHONE}", f"email:{EMAIL}"))
    who = person(consent_sms=True)
    customers.resolve(ctx, [who])
    assert (who.contact_id, who.customer_id, who.error) == (55, cid, None)
    assert "crm.duplicate.findbycomm" not in client.methods()
    [(_, method, params)] = client.sent
    assert method == "crm.contact.update"
    assert params == {"id": 55, "fields": {"UF_CRM_SHOP_CONSENT_SMS": "Y"}}  # no names: not our contact


def test_found_in_the_portal_by_phone(ctx, client, factory):
    portal_holds(client, 91, phones=[PHONE])
    who = person(email=None)
    customers.resolve(ctx, [who])
    assert who.contact_id == 91 and who.error is None
    assert "crm.contact.add" not in client.methods()
    with transaction(factory) as s:
        assert s.scalar(select(CustomerKey.customer_id).where(CustomerKey.key == f"phone:{PHONE}")) == \
            who.customer_id


def test_found_in_the_portal_by_email_gets_the_missing_phone(ctx, client):
    portal_holds(client, 92, emails=[EMAIL])
    who = person()
    customers.resolve(ctx, [who])
    assert who.contact_id == 92
    update = next(params for _, method, params in client.sent if method == "crm.contact.update")
    assert update["id"] == 92
    assert update["fields"]["PHONE"] == [{"VALUE": PHONE, "VALUE_TYPE": "WORK"}]
    assert "EMAIL" not in update["fields"] and "NAME" not in update["fields"]


def test_unknown_everywhere_becomes_a_new_contact(ctx, client, factory):
    client.on("crm.duplicate.findbycomm", lambda p: [])
    who = person()
    customers.resolve(ctx, [who])
    add = next(params for _, method, params in client.sent if method == "crm.contact.add")
    assert who.contact_id == client.next_id
    assert add["fields"]["NAME"] == "Ann" and add["fields"]["ASSIGNED_BY_ID"] == 7
    with transaction(factory) as s:
        assert s.get(Customer, who.customer_id).synced["owned"] is True


def test_people_sharing_a_key_are_one_contact(ctx, client):
    client.on("crm.duplicate.findbycomm", lambda p: [])
    first, second = person(email=None), person(phone=PHONE, email="other@example.com", hour=11)
    customers.resolve(ctx, [first, second])
    assert client.methods().count("crm.contact.add") == 1
    assert first.contact_id == second.contact_id


def test_a_failed_portal_lookup_is_an_error_and_creates_nothing(ctx, client):
    client.failing.add("crm.duplicate.findbycomm")
    who = person()
    customers.resolve(ctx, [who])
    assert who.error.startswith("contact lookup failed") and who.contact_id is None
    assert "crm.contact.add" not in client.methods()


def test_older_data_never_overwrites_a_newer_contact(ctx, client, factory):
    known_customer(factory, hour=12, synced={"owned": True, "values": {"NAME": "Anna"}},
                   keys=(f"phone:{PHONE}", f"email:{EMAIL}"))
    who = person(hour=10)
    customers.resolve(ctx, [who])
    assert who.contact_id == 55 and client.sent == []
