"""The names the customer card gives its codes, English and Russian: message statuses, channels, why a message was
not sent, templates, promo code and cart states, recommendation kinds, and why a record has no card."""
from __future__ import annotations

from types import MappingProxyType

from .labels import named, pick

MESSAGE_STATUS = MappingProxyType({
    "sending": ("sending", "отправляется"), "sent": ("sent", "отправлено"), "deferred": ("deferred", "отложено"),
    "skipped": ("not sent", "не отправлено"), "failed": ("failed", "ошибка"),
})
CHANNELS = MappingProxyType({"email": ("E-mail", "E-mail"), "sms": ("SMS", "SMS"),
                             "auto": ("E-mail, else SMS", "E-mail, иначе SMS"),
                             "notify": ("Notification", "Уведомление"), "todo": ("To-do", "Дело")})
REASONS = MappingProxyType({
    "no_contact": ("There is nobody to write to.", "Некому написать."),
    "no_address": ("The customer has no address on this channel.", "У покупателя нет адреса для этого канала."),
    "no_consent": ("The customer has not agreed to marketing messages on this channel.",
                   "Покупатель не давал согласия на рекламные сообщения по этому каналу."),
    "unsubscribed": ("The customer unsubscribed from marketing messages on this channel.",
                     "Покупатель отписался от рекламных сообщений по этому каналу."),
    "no_gateway": ("The portal has no gateway set up for this channel.", "Для этого канала не настроен шлюз."),
    "no_channel": ("No channel can carry this message.", "Ни один канал не может доставить сообщение."),
    "frequency_cap": ("The customer already got as many messages as the limit allows.",
                      "Покупатель уже получил столько сообщений, сколько разрешает лимит."),
    "duplicate": ("The customer already got this message recently.", "Покупатель недавно уже получал это сообщение."),
    "missing_data": ("The message needs data the record does not have (an order, a link or a code).",
                     "Для сообщения не хватает данных (заказа, ссылки или кода)."),
    "outcome_unknown": ("An earlier attempt's outcome is unknown, so it is not sent twice.",
                        "Результат прошлой попытки неизвестен, поэтому повторно не отправляется."),
    "quiet_hours": ("Quiet hours: it goes out when they end.", "Тихие часы: сообщение уйдёт, когда они закончатся."),
    "not_installed": ("The app was removed from the portal.", "Приложение удалено с портала."),
    "policy": ("The messaging rules stopped it.", "Сообщение остановлено правилами рассылки."),
})
TEMPLATES = MappingProxyType({
    "payment_reminder": ("Payment reminder", "Напоминание об оплате"),
    "pickup_reminder": ("Ready for pickup", "Заказ готов к выдаче"),
    "review_request": ("Review request", "Просьба об отзыве"),
    "birthday_greeting": ("Birthday greeting", "Поздравление с днём рождения"),
    "we_miss_you": ("We miss you", "Мы скучаем"),
    "welcome": ("Welcome", "Приветствие"),
    "cross_sell": ("Related products", "Сопутствующие товары"),
    "abandoned_cart": ("Abandoned cart", "Брошенная корзина"),
    "abandoned_cart_followup": ("Abandoned cart, second reminder", "Брошенная корзина, второе напоминание"),
    "cart_follow_up": ("Cart follow-up with a discount", "Напоминание о корзине со скидкой"),
})
PROMO_STATE = MappingProxyType({"active": ("active", "действует"), "used": ("used", "использован"),
                                "expired": ("expired", "истёк")})
CART_STATE = MappingProxyType({"open": ("open", "открыта"), "abandoned": ("abandoned", "брошена")})
OFFER_KIND = MappingProxyType({"cross_sell": ("Goes with their purchase", "Дополняет покупку"),
                               "replenishment": ("Time to restock", "Пора пополнить запас")})
NO_CARD = MappingProxyType({
    "deal": ("This deal has no synced shop order, so there is no shop history to show.",
             "У этой сделки нет синхронизированного заказа магазина, поэтому истории покупок нет."),
    "contact": ("This contact has no synced shop orders yet, so there is no shop history to show.",
                "У этого контакта пока нет синхронизированных заказов магазина, поэтому истории покупок нет."),
})
UNKNOWN_REASON = ("Not sent.", "Не отправлено.")


def coded(table, code: str | None, lang: str) -> dict | None:
    """{code, name} for the front end; None for no code."""
    return {"code": code, "name": named(table, code, lang)} if code else None


def reason_words(reason_code: str | None, lang: str) -> str:
    pair = REASONS.get(reason_code or "")
    return pick(pair or UNKNOWN_REASON, lang)


def no_card_reason(kind: str, lang: str) -> str:
    return pick(NO_CARD.get(kind, NO_CARD["deal"]), lang)
