"""The robots this app registers in every portal, declared in one place; setup converges to ROBOTS.

Each entry is exactly what `bizproc.robot.add` takes (setup adds HANDLER = APP_BASE_URL/robots/<CODE>).
Property types are the documented ones: bool, date, datetime, double, int, select, string, text, user.
Every robot also returns `status` (ok/error) and `error`, so a rule can branch when an action failed.
ACTIONS maps each code to the function that runs it (dotted path, imported only by the worker).

Where a robot is offered is its FILTER (D bizproc-robot-add.md: `INCLUDE` rules, partial document types);
DOCUMENT_TYPE only sets the data types of its properties. Every robot here works on deals and on leads.
"""
from __future__ import annotations

from types import MappingProxyType

DEAL = ("crm", "CCrmDocumentDeal", "DEAL")
LEAD = ("crm", "CCrmDocumentLead", "LEAD")
DEALS_AND_LEADS = (DEAL, LEAD)


def _t(en: str, ru: str) -> dict:
    return {"en": en, "ru": ru}


def _prop(en: str, ru: str, kind: str, **extra) -> dict:
    return {"Name": _t(en, ru), "Type": kind, **extra}


RESULT = {
    "status": _prop("Result", "Результат", "select", Options={"ok": "ok", "error": "error"}),
    "error": _prop("Error", "Ошибка", "string"),
}


def available_on(*documents: tuple[str, str, str]) -> dict:
    """The FILTER that offers a robot on these document types only (module and class, any type within)."""
    return {"INCLUDE": [[module, entity] for module, entity, _ in documents]}


def _robot(code: str, name: dict, description: dict, properties: dict, returns: dict, *, documents: tuple) -> dict:
    robot = {"CODE": code, "NAME": name, "DESCRIPTION": description, "DOCUMENT_TYPE": list(DEAL),
             "FILTER": available_on(*documents), "USE_SUBSCRIPTION": "Y", "RETURN_PROPERTIES": {**returns, **RESULT}}
    if properties:
        robot["PROPERTIES"] = properties
    return robot


CUSTOMER_PROFILE = _robot(
    "customer_profile", _t("Shop: customer profile", "Магазин: профиль покупателя"),
    _t("Purchase history of the customer of the deal or lead: segment, RFM, orders, spending.",
       "История покупок клиента сделки или лида: сегмент, RFM, заказы, суммы."),
    {},
    {
        "segment": _prop("Lifecycle segment", "Сегмент жизненного цикла", "string"),
        "rfm": _prop("RFM code", "RFM-код", "string"),
        "orders": _prop("Number of orders", "Число заказов", "int"),
        "total_spent": _prop("Total spent", "Сумма покупок", "double"),
        "average_order": _prop("Average order", "Средний чек", "double"),
        "last_order_date": _prop("Last order date", "Дата последнего заказа", "date"),
        "days_since_last_order": _prop("Days since last order", "Дней с последнего заказа", "int"),
        "lifetime_value": _prop("Lifetime value", "Пожизненная ценность", "double"),
        "repeat_buyer": _prop("Repeat buyer", "Повторный покупатель", "bool"),
        "currency": _prop("Currency", "Валюта", "string"),
    },
    documents=DEALS_AND_LEADS,
)

RECOMMEND_PRODUCTS = _robot(
    "recommend_products", _t("Shop: recommend products", "Магазин: рекомендовать товары"),
    _t("Related products for the customer of the deal or lead, from the portal's rules and co-purchases.",
       "Сопутствующие товары для клиента сделки или лида: по правилам портала и совместным покупкам."),
    {"limit": _prop("How many products", "Сколько товаров", "int", Default="3")},
    {
        "text": _prop("Text for a message", "Текст для сообщения", "text"),
        "skus": _prop("SKUs (comma-separated)", "Артикулы (через запятую)", "string"),
        "count": _prop("Number of products", "Число товаров", "int"),
    },
    documents=DEALS_AND_LEADS,
)

SCHEDULE_CALL = _robot(
    "schedule_call", _t("Shop: schedule a call", "Магазин: запланировать звонок"),
    _t("A call to-do after N working days (Mon-Fri, 09:00-18:00) at the given time.",
       "Дело-звонок через N рабочих дней (пн-пт, 09:00-18:00) в заданное время."),
    {
        "days": _prop("After working days", "Через рабочих дней", "int", Default="1"),
        "time": _prop("At (HH:MM)", "Во сколько (ЧЧ:ММ)", "string", Default="10:00"),
        "user": _prop("Responsible (empty: the deal's or lead's)",
                      "Ответственный (пусто: ответственный сделки или лида)", "user"),
        "title": _prop("Title", "Заголовок", "string", Default="Call the customer"),
        "description": _prop("Description", "Описание", "text"),
    },
    {
        "todo_id": _prop("To-do ID", "ID дела", "int"),
        "deadline": _prop("Deadline", "Крайний срок", "datetime"),
        "responsible": _prop("Responsible", "Ответственный", "user"),
    },
    documents=DEALS_AND_LEADS,
)

ASSIGN_RESPONSIBLE = _robot(
    "assign_responsible", _t("Shop: assign responsible", "Магазин: назначить ответственного"),
    _t("Round robin over the given users; loyal customers go to the loyal-customer users.",
       "По очереди между сотрудниками; лояльные клиенты - отдельным сотрудникам."),
    {
        "users": _prop("Users (in turn)", "Сотрудники (по очереди)", "user", Required="Y", Multiple="Y"),
        "loyal_users": _prop("Users for loyal customers", "Сотрудники для лояльных клиентов", "user",
                             Multiple="Y"),
        "loyal_min_orders": _prop("Loyal from orders", "Лояльный от заказов", "int", Default="4"),
    },
    {
        "assigned": _prop("Assigned user", "Назначенный сотрудник", "user"),
        "rule": _prop("Rule used", "Правило", "string"),
    },
    documents=DEALS_AND_LEADS,
)

ISSUE_PROMO_CODE = _robot(
    "issue_promo_code", _t("Shop: issue a promo code", "Магазин: выдать промокод"),
    _t("A unique discount code for the customer of the deal or lead and a campaign, with an expiry; the same "
       "again while valid.",
       "Уникальный промокод со скидкой и сроком для клиента сделки или лида и кампании; пока он действует - тот же."),
    {
        "campaign": _prop("Campaign", "Кампания", "string", Required="Y"),
        "discount_percent": _prop("Discount, %", "Скидка, %", "double", Default="10"),
        "valid_days": _prop("Valid for days", "Действует дней", "int", Default="30"),
        "prefix": _prop("Code prefix (latin letters, digits)", "Префикс кода (латиница, цифры)", "string"),
    },
    {
        "code": _prop("Promo code", "Промокод", "string"),
        "discount_percent": _prop("Discount, %", "Скидка, %", "double"),
        "expires_at": _prop("Valid until", "Действует до", "datetime"),
    },
    documents=DEALS_AND_LEADS,
)

SEND_MESSAGE = _robot(
    "send_message", _t("Shop: send a message", "Магазин: отправить сообщение"),
    _t("An e-mail or SMS to the customer of the deal or lead from a template, under the messaging policy "
       "(consent, quiet hours, caps).",
       "E-mail или SMS клиенту сделки или лида по шаблону, с учётом правил рассылок "
       "(согласие, тихие часы, лимиты)."),
    {
        "template": _prop("Template", "Шаблон", "select", Required="Y", Options={
            "payment_reminder": "Payment reminder / Напоминание об оплате",
            "pickup_reminder": "Pickup reminder / Напоминание о самовывозе",
            "review_request": "Review request / Просьба об отзыве",
            "birthday_greeting": "Birthday greeting / Поздравление с днём рождения",
            "we_miss_you": "We miss you / Мы скучаем"}),
        "channel": _prop("Channel", "Канал", "select", Default="auto",
                         Options={"auto": "auto (e-mail, else SMS)", "email": "e-mail", "sms": "SMS"}),
        "kind": _prop("Kind (empty: by template)", "Вид (пусто: по шаблону)", "select",
                      Options={"marketing": "marketing / рекламное", "transactional": "transactional / сервисное"}),
        "promo_code": _prop("Promo code", "Промокод", "string"),
        "discount": _prop("Discount (e.g. 10%)", "Скидка (например, 10%)", "string"),
        "link": _prop("Link", "Ссылка", "string"),
        "pickup_point": _prop("Pickup point", "Пункт выдачи", "string"),
    },
    {
        "result": _prop("Result: sent, skipped:<reason>, deferred:<moment>",
                        "Итог: sent, skipped:<причина>, deferred:<момент>", "string"),
        "channel": _prop("Channel used", "Канал", "string"),
    },
    documents=DEALS_AND_LEADS,
)

ROBOTS: tuple[dict, ...] = (CUSTOMER_PROFILE, RECOMMEND_PRODUCTS, SCHEDULE_CALL, ASSIGN_RESPONSIBLE,
                            ISSUE_PROMO_CODE, SEND_MESSAGE)

ACTIONS = MappingProxyType({
    "customer_profile": "bitrix_app.robots.profile.customer_profile",
    "recommend_products": "bitrix_app.robots.recommend.recommend_products",
    "schedule_call": "bitrix_app.robots.schedule.schedule_call",
    "assign_responsible": "bitrix_app.robots.assign.assign_responsible",
    "issue_promo_code": "bitrix_app.robots.promo.issue_promo_code",
    "send_message": "bitrix_app.robots.send_message.send_message",
})


def display_name(code: str) -> str:
    """The robot's English name for log messages (the code when it is not ours)."""
    robot = next((r for r in ROBOTS if r["CODE"] == code), None)
    return robot["NAME"]["en"] if robot else code
