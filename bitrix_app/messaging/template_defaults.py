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
    "products": "recommended products for the customer, one a line with its price",
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
    # the campaign presets' own texts (one per preset, so adjusting one preset's text leaves the others alone)
    "second_purchase": {"marketing": True, "en": (
        "A gift for your second order at {shop}",
        "Hello {first_name},\n\nthank you for your first order at {shop}. Here is {discount} off your second one "
        "with the code {promo_code}.",
        "{shop}: {discount} off your second order with {promo_code}"), "ru": (
        "Подарок ко второму заказу в {shop}",
        "Здравствуйте, {first_name}!\n\nспасибо за первый заказ в {shop}. Дарим скидку {discount} на второй заказ "
        "по коду {promo_code}.",
        "{shop}: скидка {discount} на второй заказ по коду {promo_code}")},
    "come_back_reason": {"marketing": True, "en": (
        "New at {shop} since your first order",
        "Hello {first_name},\n\nmuch has arrived at {shop} since your first order: new products and fresh ideas. "
        "Drop by and have a look.",
        "{shop}: new arrivals since your first order, come and see"), "ru": (
        "Новое в {shop} после вашего первого заказа",
        "Здравствуйте, {first_name}!\n\nпосле вашего первого заказа в {shop} появилось много нового: новинки и "
        "свежие идеи. Заходите посмотреть.",
        "{shop}: новинки после вашего первого заказа, заходите")},
    "win_back_discount": {"marketing": True, "en": (
        "{discount} off to come back to {shop}",
        "Hello {first_name},\n\nwe would like to see you again at {shop}: {discount} off your next order with the "
        "code {promo_code}.",
        "{shop}: {discount} off to come back with {promo_code}"), "ru": (
        "Скидка {discount}, чтобы вернуться в {shop}",
        "Здравствуйте, {first_name}!\n\nмы будем рады снова видеть вас в {shop}: скидка {discount} на следующий "
        "заказ по коду {promo_code}.",
        "{shop}: скидка {discount} на возвращение по коду {promo_code}")},
    "cross_sell_promising": {"marketing": True, "en": (
        "Picked for you at {shop}",
        "Hello {first_name},\n\nwe picked what goes well with your purchases at {shop}. {discount} off it with "
        "the code {promo_code}.",
        "{shop}: picked for you, {discount} off with {promo_code}"), "ru": (
        "Подобрали для вас в {shop}",
        "Здравствуйте, {first_name}!\n\nмы подобрали в {shop} то, что дополнит ваши покупки. Скидка {discount} по "
        "коду {promo_code}.",
        "{shop}: подборка для вас, скидка {discount} по коду {promo_code}")},
    "personal_offer": {"marketing": True, "en": (
        "A personal offer from {shop}",
        "Hello {first_name},\n\nan offer just for you at {shop}: {discount} off with the code {promo_code}.",
        "{shop}: your personal {discount} off with {promo_code}"), "ru": (
        "Персональное предложение от {shop}",
        "Здравствуйте, {first_name}!\n\nпредложение только для вас в {shop}: скидка {discount} по коду "
        "{promo_code}.",
        "{shop}: ваша персональная скидка {discount} по коду {promo_code}")},
    "survey_win_back": {"marketing": True, "en": (
        "What could {shop} do better?",
        "Hello {first_name},\n\nyou have not ordered from {shop} for a while. Reply to this letter and tell us what "
        "we could do better; and {discount} off your next order with the code {promo_code}.",
        "{shop}: tell us what to improve; {discount} off with {promo_code}"), "ru": (
        "Что {shop} может сделать лучше?",
        "Здравствуйте, {first_name}!\n\nвы давно не заказывали в {shop}. Ответьте на это письмо и расскажите, что "
        "нам улучшить; а на следующий заказ скидка {discount} по коду {promo_code}.",
        "{shop}: расскажите, что улучшить; скидка {discount} по коду {promo_code}")},
    "vip_referral": {"marketing": True, "en": (
        "You are a VIP customer of {shop}",
        "Hello {first_name},\n\nthank you for being with {shop}. As a VIP customer you get {discount} off with the "
        "code {promo_code}; share it with a friend and they get the same.",
        "{shop} VIP: {discount} off with {promo_code}, share it with a friend"), "ru": (
        "Вы VIP-клиент {shop}",
        "Здравствуйте, {first_name}!\n\nспасибо, что вы с {shop}. Как VIP-клиент вы получаете скидку {discount} по "
        "коду {promo_code}; поделитесь им с другом, и он получит такую же.",
        "{shop} VIP: скидка {discount} по коду {promo_code}, поделитесь с другом")},
    "loyal_call": {"marketing": True, "en": (
        "{shop} will call you",
        "Hello {first_name},\n\nwe have not seen you at {shop} for a while. Your manager will call you soon with "
        "news picked for you.",
        "{shop}: your manager will call you soon"), "ru": (
        "{shop} позвонит вам",
        "Здравствуйте, {first_name}!\n\nдавно не виделись в {shop}. Ваш менеджер скоро позвонит вам и расскажет, "
        "что мы подобрали для вас.",
        "{shop}: ваш менеджер скоро позвонит")},
    "strong_offer": {"marketing": True, "en": (
        "Our best offer for you at {shop}",
        "Hello {first_name},\n\nyou were one of our best customers at {shop}. Come back with {discount} off: the "
        "code {promo_code}.",
        "{shop}: our best offer, {discount} off with {promo_code}"), "ru": (
        "Лучшее предложение для вас в {shop}",
        "Здравствуйте, {first_name}!\n\nвы были одним из лучших клиентов {shop}. Возвращайтесь со скидкой "
        "{discount} по коду {promo_code}.",
        "{shop}: лучшее предложение, скидка {discount} по коду {promo_code}")},
    "lapsed_90": {"marketing": True, "en": (
        "Three months without you at {shop}",
        "Hello {first_name},\n\nit has been three months since your last order at {shop}. {discount} off your "
        "next one with the code {promo_code}.",
        "{shop}: {discount} off your next order with {promo_code}"), "ru": (
        "Три месяца без вас в {shop}",
        "Здравствуйте, {first_name}!\n\nпрошло три месяца с вашего последнего заказа в {shop}. Скидка {discount} "
        "на следующий заказ по коду {promo_code}.",
        "{shop}: скидка {discount} на следующий заказ по коду {promo_code}")},
    "lapsed_180": {"marketing": True, "en": (
        "We would love to see you again at {shop}",
        "Hello {first_name},\n\nhalf a year has passed since your last order at {shop}. Come back with {discount} "
        "off: the code {promo_code}.",
        "{shop}: come back with {discount} off, code {promo_code}"), "ru": (
        "Будем рады снова видеть вас в {shop}",
        "Здравствуйте, {first_name}!\n\nпрошло полгода с вашего последнего заказа в {shop}. Возвращайтесь со "
        "скидкой {discount} по коду {promo_code}.",
        "{shop}: возвращайтесь со скидкой {discount} по коду {promo_code}")},
    "replenish_reminder": {"marketing": True, "en": (
        "Time to restock at {shop}?",
        "Hello {first_name},\n\nby our count what you usually buy at {shop} may be running out. Order again "
        "whenever it suits you.",
        "{shop}: time to restock?"), "ru": (
        "Пора пополнить запасы в {shop}?",
        "Здравствуйте, {first_name}!\n\nпо нашим подсчётам, то, что вы обычно покупаете в {shop}, может "
        "заканчиваться. Закажите снова, когда вам удобно.",
        "{shop}: пора пополнить запасы?")},
    "cart_follow_up": {"marketing": True, "en": (
        "Your cart at {shop} is still waiting: {discount} off",
        "Hello {first_name},\n\nyou left these items in your cart at {shop}:\n\n{items}\n\n"
        "Total: {total} {currency}\n\nCome back to complete your order: {discount} off with the code {promo_code}.",
        "{shop}: your cart is waiting, {discount} off with {promo_code}"), "ru": (
        "Ваша корзина в {shop} ждёт: скидка {discount}",
        "Здравствуйте, {first_name}!\n\nв вашей корзине в {shop} остались товары:\n\n{items}\n\n"
        "Итого: {total} {currency}\n\nВернитесь, чтобы оформить заказ: скидка {discount} по коду {promo_code}.",
        "{shop}: ваша корзина ждёт, скидка {discount} по коду {promo_code}")},
})
LANGUAGES = ("en", "ru")
