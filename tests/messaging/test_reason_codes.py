"""Every skipped or deferred message carries a structured reason code, on its delivery and on its record."""
from __future__ import annotations

from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.messaging import journal
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessageRecord
from bitrix_app.store.statuses import MessageStatus, ReasonCode
from tests.messaging.test_policy import _message


def _row(ctx, key) -> MessageRecord:
    with transaction(ctx.sessions) as s:
        return s.scalar(select(MessageRecord).where(MessageRecord.key == key))


def _sms(msg_ctx, sms_gateway, **settings):
    ctx = msg_ctx(**settings)
    ctx.configure({"sms": {"provider": "generic", "method": "GET",
                           "url": f"{sms_gateway.url}/send?to={{phone}}&text={{text}}"}})
    return ctx


def test_reachability_codes_name_the_first_channels_refusal(msg_ctx, sms_gateway):
    ctx = _sms(msg_ctx, sms_gateway)
    cases = {"c1": (_message("c1", consent_sms=False), ReasonCode.NO_CONSENT),
             "c2": (_message("c2", phone=None), ReasonCode.NO_ADDRESS),
             "c4": (_message("c4", channels=("fax", "sms"), phone=None), ReasonCode.NO_CHANNEL),
             "c5": (_message("c5", channels=()), ReasonCode.NO_CHANNEL)}
    for key, (message, code) in cases.items():
        delivery = messaging.send(ctx, message)
        assert delivery.reason_code == code, (key, delivery)
        row = _row(ctx, key)
        assert (row.status, row.reason_code) == (MessageStatus.SKIPPED, code), key
        assert journal.as_json(row)["reason_code"] == code.value


def test_no_gateway_is_its_own_code(msg_ctx):
    ctx = msg_ctx()  # nothing configured: no SMS gateway
    delivery = messaging.send(ctx, _message("g1"))
    assert (delivery.status, delivery.reason_code) == ("unreachable", ReasonCode.NO_GATEWAY)
    assert _row(ctx, "g1").reason_code == "no_gateway"


def test_policy_codes_quiet_hours_duplicate_and_cap(msg_ctx, sms_gateway):
    ctx = _sms(msg_ctx, sms_gateway)
    assert messaging.send(ctx, _message("p1", template="we_miss_you")).reason_code is None  # sent
    assert _row(ctx, "p1").reason_code is None
    dup = messaging.send(ctx, _message("p2", template="we_miss_you"))
    assert (dup.status, dup.reason_code) == ("skipped", ReasonCode.DUPLICATE)
    cap = messaging.send(ctx, _message("p3", template="birthday_greeting"))
    assert (cap.status, cap.reason_code) == ("skipped", ReasonCode.FREQUENCY_CAP)
    ctx.clock.advance(hours=12)  # 22:00 UTC: quiet hours
    later = messaging.send(ctx, _message("p4", template="review_request", marketing=False))
    assert (later.status, later.reason_code) == ("later", ReasonCode.QUIET_HOURS)
    assert (_row(ctx, "p4").status, _row(ctx, "p4").reason_code) == ("deferred", "quiet_hours")
    ctx.clock.advance(hours=11)  # its time: sent, and the code of the deferral is gone from the record
    assert messaging.send(ctx, _message("p4", template="review_request", marketing=False)).status == "sent"
    assert _row(ctx, "p4").reason_code is None


def test_an_unknown_earlier_outcome_is_coded(msg_ctx, sms_gateway):
    ctx = _sms(msg_ctx, sms_gateway)
    message = _message("u1")
    with transaction(ctx.sessions) as s:  # an earlier attempt handed it to the gateway and died
        journal.write(s, ctx.member_id, message, journal.SENDING, ctx.clock.now(), channel="email", transport="smtp",
                      attempt=True)
    delivery = messaging.send(ctx, message)
    assert (delivery.status, delivery.reason_code) == ("skipped", ReasonCode.OUTCOME_UNKNOWN)
    assert _row(ctx, "u1").reason_code == "outcome_unknown" and sms_gateway.requests == []


def test_statuses_are_their_strings():
    assert MessageStatus.SKIPPED == "skipped" and journal.SKIPPED == "skipped"
    assert journal.STATUSES == ("sending", "sent", "deferred", "skipped", "failed")
    assert all(type(s) is str for s in journal.STATUSES)  # command-line choices take plain strings
