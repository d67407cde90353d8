"""The placeholders a template may use, grouped by where their values come from, named in English and Russian
(what the template editor lists for insertion)."""
from __future__ import annotations

from types import MappingProxyType

from .template_defaults import PLACEHOLDERS

GROUPS = MappingProxyType({
    "customer": (("Customer", "Покупатель"), ("first_name", "last_name")),
    "order": (("Order", "Заказ"), ("order_number", "items", "total", "currency", "pickup_point")),
    "cart": (("Cart", "Корзина"), ("items", "total", "currency", "link")),
    "promo": (("Promo code", "Промокод"), ("promo_code", "discount")),
    "products": (("Recommended products", "Рекомендуемые товары"), ("products",)),
    "shop": (("Shop", "Магазин"), ("shop", "link")),
})
NAMES = MappingProxyType({
    "first_name": ("First name", "Имя"), "last_name": ("Last name", "Фамилия"),
    "order_number": ("Order number", "Номер заказа"), "items": ("Items, one a line", "Товары, по строке на каждый"),
    "total": ("Total", "Сумма"), "currency": ("Currency", "Валюта"),
    "pickup_point": ("Pickup point", "Пункт выдачи"), "link": ("Link (payment, review or cart page)",
                                                             "Ссылка (оплата, отзыв или корзина)"),
    "promo_code": ("Promo code", "Промокод"), "discount": ("Discount", "Скидка"),
    "products": ("Product block: recommended products with prices", "Блок товаров: рекомендуемые товары с ценами"),
    "shop": ("Shop name", "Название магазина"),
})


def listing(lang: str) -> list[dict]:
    """[{group, name, placeholders: [{name, token, title}]}] in the page's language; every placeholder is listed."""
    at = 1 if lang == "ru" else 0
    out = [{"group": code, "name": title[at],
            "placeholders": [{"name": n, "token": "{" + n + "}", "title": NAMES[n][at]} for n in names]}
           for code, (title, names) in GROUPS.items()]
    listed = {p["name"] for g in out for p in g["placeholders"]}
    rest = [n for n in PLACEHOLDERS if n not in listed]  # one added to PLACEHOLDERS without a group yet
    if rest:
        out.append({"group": "other", "name": ("Other", "Другое")[at],
                    "placeholders": [{"name": n, "token": "{" + n + "}", "title": PLACEHOLDERS[n]} for n in rest]})
    return out
