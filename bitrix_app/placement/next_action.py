"""The "next best action" of a customer card: simple, documented rules over what the segment engine knows.

Rules, first match wins (the card also lists the other matches under "Also"):

| # | When                                          | Action        | Suggestion                                 |
|---|-----------------------------------------------|---------------|--------------------------------------------|
| 1 | cell LOYAL_LOST, or RFM at_risk / cant_lose   | call_personal | Call them with a personal offer            |
| 2 | cell PROMISING_SLEEPING                       | win_back      | Send a win-back offer with a promo code    |
| 3 | in a replenishment segment                    | replenish     | Offer a refill of the product(s) due       |
| 4 | in a cross-sell segment                       | cross_sell    | Offer the product(s) the segment suggests  |
| 5 | birthday this month (or a birthday segment)   | birthday      | Send a birthday greeting with a promo code |
| 6 | cell NEW_ACTIVE                               | welcome       | Welcome them, cross-sell a related product |
| - | none of the above                             | (none)        | No action suggested                        |

Pure: no I/O; `bitrix_app.placement.customer` gathers the signals.
"""
from __future__ import annotations

from dataclasses import dataclass

RISK_GROUPS = frozenset({"at_risk", "cant_lose"})
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
    if s.lifecycle == "LOYAL_LOST" or s.rfm_group in RISK_GROUPS:
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
    return out


def next_action(s: Signals) -> Action | None:
    found = actions(s)
    return found[0] if found else None
