"""The "next best action" of a customer card: simple, documented rules over what the segment engine knows.

Rules, first match wins (the card also lists the other matches under "Also"):

| # | When                                          | Action        | Suggestion                                 |
|---|-----------------------------------------------|---------------|--------------------------------------------|
| 0 | an order awaiting payment for 2+ days         | remind_payment| Remind them to pay order N (waiting D days)|
| 1 | cell LOYAL_LOST, or RFM at_risk / cant_lose   | call_personal | Call them with a personal offer            |
| 2 | cell PROMISING_SLEEPING                       | win_back      | Send a win-back offer with a promo code    |
| 3 | in a replenishment segment                    | replenish     | Offer a refill of the product(s) due       |
| 4 | in a cross-sell segment                       | cross_sell    | Offer the product(s) the segment suggests  |
| 5 | birthday this month (or a birthday segment)   | birthday      | Send a birthday greeting with a promo code |
| 6 | cell NEW_ACTIVE                               | welcome       | Welcome them, cross-sell a related product |
| 7 | any other SLEEPING cell                       | wake_up       | Remind them of the shop ("we miss you")    |
| 8 | cell NEW_LOST or PROMISING_LOST (not 1)       | win_back_lost | Win them back with a promo code            |
| - | none of the above                             | (none)        | No action suggested                        |

Pure: no I/O; `bitrix_app.placement.customer` gathers the signals.
"""
from __future__ import annotations

from dataclasses import dataclass

RISK_GROUPS = frozenset({"at_risk", "cant_lose"})
AWAITING_DAYS = 2  # an order unpaid this many days gets a payment reminder
MAX_ITEMS = 3  # products named in one suggestion


@dataclass(frozen=True)
class Offer:
    """A product suggestion from a segment the customer is in."""

    kind: str  # "replenishment" | "cross_sell"
    items: tuple[str, ...]  # product names, skus or categories


@dataclass(frozen=True)
class Signals:
    lifecycle: str | None = None  # a LIFECYCLE_CELLS code
    rfm_group: str | None = None
    offers: tuple[Offer, ...] = ()
    birthday_this_month: bool = False
    awaiting_order: str | None = None  # the number of the customer's oldest order awaiting payment
    awaiting_days: int = 0  # how long it has waited


@dataclass(frozen=True)
class Action:
    key: str
    en: str
    ru: str

    def text(self, lang: str | None) -> str:
        return self.ru if (lang or "").lower() == "ru" else self.en


def _items(offers: tuple[Offer, ...], kind: str) -> list[str]:
    out: list[str] = []
    for offer in offers:
        if offer.kind == kind:
            out += [item for item in offer.items if item not in out]
    return out


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_ITEMS])
    return shown + (" …" if len(items) > MAX_ITEMS else "")


def _offer_action(key: str, items: list[str], en: tuple[str, str], ru: tuple[str, str]) -> Action:
    """en/ru: (with the products named, without)."""
    if items:
        return Action(key, en[0].format(_listed(items)), ru[0].format(_listed(items)))
    return Action(key, en[1], ru[1])


def actions(s: Signals) -> list[Action]:
    """Every matching action, the best first."""
    out = []
    if s.awaiting_order and s.awaiting_days >= AWAITING_DAYS:
        out.append(Action(
            "remind_payment",
            f"Order {s.awaiting_order} has been awaiting payment for {s.awaiting_days} days: remind them to pay.",
            f"Заказ {s.awaiting_order} ждёт оплаты {s.awaiting_days} {_days_ru(s.awaiting_days)}: "
            "напомните об оплате."))
    slipping = s.lifecycle == "LOYAL_LOST" or s.rfm_group in RISK_GROUPS
    if slipping:
        out.append(Action("call_personal", "Call them with a personal offer: a valuable customer is slipping away.",
                          "Позвоните с персональным предложением: ценный покупатель уходит."))
    if s.lifecycle == "PROMISING_SLEEPING":
        out.append(Action("win_back", "Send a win-back offer with a promo code.",
                          "Отправьте предложение для возврата с промокодом."))
    if any(o.kind == "replenishment" for o in s.offers):
        out.append(_offer_action(
            "replenish", _items(s.offers, "replenishment"),
            ("Time to restock: offer {}.", "Time to restock: offer the products they buy regularly."),
            ("Пора пополнить запас: предложите {}.",
             "Пора пополнить запас: предложите товары, которые покупают регулярно.")))
    if any(o.kind == "cross_sell" for o in s.offers):
        out.append(_offer_action(
            "cross_sell", _items(s.offers, "cross_sell"),
            ("Offer {} to go with their purchase.", "Offer a product that goes with their purchase."),
            ("Предложите {} к покупке.", "Предложите товар, который дополняет покупку.")))
    if s.birthday_this_month:
        out.append(Action("birthday", "Birthday this month: send a greeting with a promo code.",
                          "День рождения в этом месяце: поздравьте и подарите промокод."))
    if s.lifecycle == "NEW_ACTIVE":
        out.append(Action("welcome", "Welcome them and cross-sell a related product.",
                          "Поприветствуйте нового покупателя и предложите сопутствующий товар."))
    if (s.lifecycle or "").endswith("_SLEEPING") and s.lifecycle != "PROMISING_SLEEPING":
        out.append(Action("wake_up", "They have not ordered for a while: send a \"we miss you\" message.",
                          "Покупатель давно не заказывал: отправьте письмо «Мы скучаем»."))
    if s.lifecycle in ("NEW_LOST", "PROMISING_LOST") and not slipping:
        out.append(Action("win_back_lost", "A lost customer: win them back with a promo code.",
                          "Покупатель потерян: верните его с помощью промокода."))
    return out


def _days_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "день"
    return "дня" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "дней"


def next_action(s: Signals) -> Action | None:
    found = actions(s)
    return found[0] if found else None


# which staff action of the card carries out a suggestion: message (with its template), promo or call
SUGGESTS = {"remind_payment": ("message", "payment_reminder"), "call_personal": ("call", None),
            "win_back": ("promo", None), "win_back_lost": ("promo", None), "birthday": ("message", "birthday_greeting"),
            "wake_up": ("message", "we_miss_you")}


def suggestion(key: str) -> dict | None:
    found = SUGGESTS.get(key)
    return {"action": found[0], "template": found[1]} if found else None
