"""The messaging policy as the admin sees and edits it: quiet hours and the shop's time zone (shop settings), the
customer's zone rule, frequency caps per channel, the duplicate window and the consent rule (messaging settings),
and the whole of it in words."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bitrix_app.shops.settings import get_settings, update_settings

from . import config as messaging_config

SHOP_KEYS = ("quiet_hours", "timezone")
MESSAGING_KEYS = ("customer_timezone", "caps_hours", "duplicate_hours", "consent_for")
ZONE_RULES = {"auto": ("in the customer's zone when their phone is from another country than the shop's",
                       "по времени покупателя, если его телефон из другой страны, чем магазин"),
              "phone": ("in the zone of the customer's phone", "по часовому поясу телефона покупателя"),
              "shop": ("in the shop's zone", "по часовому поясу магазина")}


def read(session: Session, member_id: str, cipher, lang: str) -> dict:
    shop, config = get_settings(session, member_id), messaging_config.load(session, member_id, cipher)
    out = {"quiet_hours": shop.quiet_hours, "timezone": shop.timezone, "customer_timezone": config.customer_timezone,
           "caps_hours": dict(config.caps_hours), "duplicate_hours": config.duplicate_hours,
           "consent_for": config.consent_for}
    return {**out, "rules": rules(out, lang)}


def update(session: Session, member_id: str, cipher, changes: dict, now: datetime, lang: str) -> dict:
    """Store the changed parts (each validated by its own settings' schema: a ValidationError names the field)."""
    shop = {k: changes[k] for k in SHOP_KEYS if k in changes}
    messaging = {k: changes[k] for k in MESSAGING_KEYS if k in changes}
    if shop:
        update_settings(session, member_id, shop, now)
    if messaging:
        messaging_config.update(session, member_id, cipher, messaging, now)
    return read(session, member_id, cipher, lang)


def rules(p: dict, lang: str) -> list[str]:
    ru = lang == "ru"
    hours = p["quiet_hours"]
    quiet = ((f"Тихие часы с {hours['start']} до {hours['end']} ({ZONE_RULES[p['customer_timezone']][1]}): "
              "сообщения откладываются до их конца.") if ru else
             (f"Quiet hours from {hours['start']} to {hours['end']} ({ZONE_RULES[p['customer_timezone']][0]}): "
              "messages wait until they end.")) if hours else ("Тихих часов нет." if ru else "No quiet hours.")
    caps = []
    for channel, name in (("email", "e-mail"), ("sms", "SMS")):
        n = p["caps_hours"].get(channel) or 0
        caps.append((f"Не больше одного рекламного {name} за {n} ч." if n else f"Рекламные {name} без ограничения "
                     "частоты.") if ru else (f"At most one marketing {name} per {n} h." if n else
                                             f"No frequency cap on marketing {name}."))
    dup = p["duplicate_hours"]
    duplicate = ((f"Один и тот же шаблон — не чаще раза в {dup} ч." if dup else "Повторы шаблона не ограничены.")
                 if ru else (f"The same template at most once per {dup} h." if dup else "Repeats are not limited."))
    consent = (("Рекламные сообщения — только с согласия покупателя на канал; служебные (оплата, выдача) — без "
                "него.", "Любые сообщения — только с согласия покупателя на канал.") if ru else
               ("Marketing messages need the customer's consent for the channel; transactional ones (payment, "
                "pickup) do not.", "Every message needs the customer's consent for the channel."))
    unsubscribed = ("Отписавшийся от канала больше не получает по нему рекламу." if ru else
                    "A customer who unsubscribed from a channel gets no more marketing on it.")
    return [quiet, *caps, duplicate, consent[0 if p["consent_for"] == "marketing" else 1], unsubscribed]
