"""Built-in templates in English and Russian; a portal may replace any of them (see `templates`).

Each: marketing (needs consent, counts towards the caps) or transactional, and per language a subject, the
e-mail text and a short SMS text."""
from __future__ import annotations

from types import MappingProxyType

PLACEHOLDERS = MappingProxyType({
    "first_name": "the customer's first name", "last_name": "the customer's last name",
    "shop": "the shop's name", "order_number": "the order's number", "items": "the items, one a line",
    "total": "the order's or cart's total", "currency": "its currency",
    "pickup_point": "where the order waits", "promo_code": "a promo code", "discount": "its discount",
    "link": "a link (payment, review or cart page)",
})

DEFAULTS = MappingProxyType({
    "payment_reminder": {"marketing": False, "en": (
        "Order #{order_number} at {shop} is waiting for payment",
        "Hello {first_name},\n\nyour order #{order_number} at {shop} is waiting for payment:\n\n{items}\n\n"
        "Total: {total} {currency}\n\n{link}",
        "{shop}: order #{order_number} awaits payment, {total} {currency}. {link}"), "ru": (
        "Заказ №{order_number} в {shop} ждёт оплаты",
        "Здравствуйте, {first_name}!\n\nваш заказ №{order_number} в {shop} ждёт оплаты:\n\n{items}\n\n"
        "Итого: {total} {currency}\n\n{link}",
        "{shop}: заказ №{order_number} ждёт оплаты, {total} {currency}. {link}")},
    "pickup_reminder": {"marketing": False, "en": (
        "Order #{order_number} is ready for pickup",
        "Hello {first_name},\n\nyour order #{order_number} from {shop} is waiting for you at {pickup_point}.",
        "{shop}: order #{order_number} is ready for pickup at {pickup_point}"), "ru": (
        "Заказ №{order_number} ждёт вас",
        "Здравствуйте, {first_name}!\n\nваш заказ №{order_number} из {shop} ждёт вас: {pickup_point}.",
        "{shop}: заказ №{order_number} ждёт вас: {pickup_point}")},
    "review_request": {"marketing": True, "en": (
        "How do you like your order from {shop}?",
        "Hello {first_name},\n\nthank you for order #{order_number}. Tell us how you like it:\n{link}",
        "{shop}: how do you like order #{order_number}? {link}"), "ru": (
        "Как вам заказ из {shop}?",
        "Здравствуйте, {first_name}!\n\nспасибо за заказ №{order_number}. Расскажите, как он вам:\n{link}",
        "{shop}: как вам заказ №{order_number}? {link}")},
    "birthday_greeting": {"marketing": True, "en": (
        "Happy birthday from {shop}!",
        "Happy birthday, {first_name}!\n\nA present from {shop}: {discount} off with the code {promo_code}.",
        "Happy birthday, {first_name}! {discount} off at {shop}: {promo_code}"), "ru": (
        "{shop} поздравляет с днём рождения!",
        "С днём рождения, {first_name}!\n\nПодарок от {shop}: скидка {discount} по коду {promo_code}.",
        "С днём рождения, {first_name}! Скидка {discount} в {shop}: {promo_code}")},
    "we_miss_you": {"marketing": True, "en": (
        "We miss you at {shop}",
        "Hello {first_name},\n\nit has been a while. Come back to {shop}: {discount} off with the code "
        "{promo_code}.",
        "{shop} misses you: {discount} off with {promo_code}"), "ru": (
        "Мы скучаем по вам в {shop}",
        "Здравствуйте, {first_name}!\n\nдавно не виделись. Возвращайтесь в {shop}: скидка {discount} по коду "
        "{promo_code}.",
        "{shop} скучает: скидка {discount} по коду {promo_code}")},
    "welcome": {"marketing": True, "en": (
        "Welcome to {shop}!",
        "Hello {first_name},\n\nthank you for your first order at {shop}. We are glad to have you with us and are "
        "here if you have any questions.",
        "{shop}: thank you for your first order, {first_name}!"), "ru": (
        "Добро пожаловать в {shop}!",
        "Здравствуйте, {first_name}!\n\nспасибо за первый заказ в {shop}. Мы рады, что вы с нами, и всегда готовы "
        "ответить на ваши вопросы.",
        "{shop}: спасибо за первый заказ, {first_name}!")},
    "cross_sell": {"marketing": True, "en": (
        "Something to go with your purchase from {shop}",
        "Hello {first_name},\n\nthank you for shopping at {shop}. Here is {discount} off your next order, for "
        "something that goes well with what you bought: use the code {promo_code}.",
        "{shop}: {discount} off your next order with {promo_code}"), "ru": (
        "Дополните покупку в {shop}",
        "Здравствуйте, {first_name}!\n\nспасибо за покупку в {shop}. Дарим скидку {discount} на следующий заказ: "
        "подберите то, что дополнит вашу покупку, по коду {promo_code}.",
        "{shop}: скидка {discount} на следующий заказ по коду {promo_code}")},
    "abandoned_cart": {"marketing": True, "en": (
        "Your cart at {shop} is waiting for you",
        "Hello {first_name},\n\nyou left these items in your cart at {shop}:\n\n{items}\n\n"
        "Total: {total} {currency}\n\nThey are still waiting for you: come back to complete your order.",
        "{shop}: your cart of {total} {currency} is waiting for you. {link}"), "ru": (
        "Ваша корзина в {shop} ждёт вас",
        "Здравствуйте, {first_name}!\n\nв вашей корзине в {shop} остались товары:\n\n{items}\n\n"
        "Итого: {total} {currency}\n\nОни всё ещё ждут вас: вернитесь, чтобы оформить заказ.",
        "{shop}: ваша корзина на {total} {currency} ждёт вас. {link}")},
    "abandoned_cart_followup": {"marketing": True, "en": (
        "Still thinking it over? Your cart at {shop} is saved",
        "Hello {first_name},\n\nyour cart at {shop} is saved:\n\n{items}\n\nTotal: {total} {currency}\n\n"
        "Come back to complete your order.",
        "{shop}: your cart of {total} {currency} is saved. {link}"), "ru": (
        "Ещё думаете? Ваша корзина в {shop} сохранена",
        "Здравствуйте, {first_name}!\n\nваша корзина в {shop} сохранена:\n\n{items}\n\nИтого: {total} {currency}\n\n"
        "Вернитесь, чтобы оформить заказ.",
        "{shop}: ваша корзина на {total} {currency} сохранена. {link}")},
})
LANGUAGES = ("en", "ru")
