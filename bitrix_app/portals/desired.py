"""What setup registers in a portal: event handlers, placements, user fields, the shop and repeat-sales pipelines."""
from __future__ import annotations

import hashlib
import json

EVENTS = ("ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE", "ONCRMCONTACTADD", "ONCRMCONTACTUPDATE", "ONAPPUNINSTALL")

PLACEMENTS = (
    {"PLACEMENT": "CRM_DEAL_DETAIL_TAB", "path": "/placement/deal", "TITLE": "Shop",
     "LANG_ALL": {"en": {"TITLE": "Shop"}, "ru": {"TITLE": "Магазин"}}},
    {"PLACEMENT": "CRM_CONTACT_DETAIL_TAB", "path": "/placement/contact", "TITLE": "Shop",
     "LANG_ALL": {"en": {"TITLE": "Shop"}, "ru": {"TITLE": "Магазин"}}},
)

LIFECYCLE_CELLS = (
    ("NEW_ACTIVE", "New active", "Новые активные"), ("NEW_SLEEPING", "New sleeping", "Новые спящие"),
    ("NEW_LOST", "New lost", "Новые потерянные"), ("PROMISING_ACTIVE", "Promising active", "Перспективные активные"),
    ("PROMISING_SLEEPING", "Promising sleeping", "Перспективные спящие"),
    ("PROMISING_LOST", "Promising lost", "Перспективные потерянные"), ("LOYAL_ACTIVE", "Loyal active", "Лояльные активные"),
    ("LOYAL_SLEEPING", "Loyal sleeping", "Лояльные спящие"), ("LOYAL_LOST", "Loyal lost", "Лояльные потерянные"),
)


def _uf(name: str, type_id: str, en: str, ru: str, **extra) -> dict:
    label = {"en": en, "ru": ru}
    return {"FIELD_NAME": name, "USER_TYPE_ID": type_id, "XML_ID": name, "EDIT_FORM_LABEL": label,
            "LIST_COLUMN_LABEL": label, "LIST_FILTER_LABEL": label, "SHOW_FILTER": "Y", **extra}


CONTACT_FIELDS = (
    _uf("SHOP_SEGMENT", "enumeration", "Lifecycle segment", "Сегмент жизненного цикла",
        LIST=[{"VALUE": en, "XML_ID": code, "SORT": 10 * (i + 1)} for i, (code, en, _) in enumerate(LIFECYCLE_CELLS)]),
    _uf("SHOP_RFM", "string", "RFM code", "RFM-код"),
    _uf("SHOP_LTV", "double", "Lifetime value", "Пожизненная ценность"),
    _uf("SHOP_ORDERS", "integer", "Number of orders", "Число заказов"),
    _uf("SHOP_LAST_ORDER", "date", "Last order date", "Дата последнего заказа"),
    _uf("SHOP_SEGMENTS", "string", "Segment codes", "Коды сегментов", MULTIPLE="Y"),
    _uf("SHOP_CONSENT_EMAIL", "boolean", "Agreed to e-mails", "Согласие на e-mail"),
    _uf("SHOP_CONSENT_SMS", "boolean", "Agreed to SMS", "Согласие на SMS"),
    _uf("SHOP_GENDER", "string", "Gender", "Пол"),
)

DEAL_FIELDS = (
    _uf("SHOP_ORDER_STATUS", "string", "Shop order status", "Статус заказа в магазине"),
    _uf("SHOP_ORDER_NUMBER", "string", "Shop order number", "Номер заказа в магазине"),
    _uf("SHOP_DELIVERY", "string", "Delivery", "Доставка"),
)

PIPELINE_NAME = "Online shop"
# stage code (within the pipeline) -> (name, sort, semantics); order statuses map onto these
STAGES = (
    ("NEW", "New order", 10, "process"), ("PENDING_PAYMENT", "Awaiting payment", 20, "process"),
    ("PAID", "Paid", 30, "process"), ("SHIPPED", "Shipped", 40, "process"),
    ("PICKUP", "Ready for pickup", 50, "process"), ("DELIVERED", "Delivered", 60, "process"),
    ("ABANDONED", "Abandoned cart", 70, "process"), ("WON", "Completed", 80, "success"),
    ("LOSE", "Cancelled", 90, "failure"), ("REFUNDED", "Refunded", 100, "failure"),
)

REPEAT_PIPELINE_NAME = "Repeat sales"  # campaign deals (bitrix_app/campaigns/actions.py)
# a new pipeline already has NEW, WON and LOSE; setup adds the rest
REPEAT_STAGES = (
    ("NEW", "New", 10, "process"), ("CONTACTED", "Contacted", 20, "process"),
    ("OFFER", "Offer made", 30, "process"), ("WON", "Ordered again", 80, "success"),
    ("LOSE", "No order", 90, "failure"),
)


def robot_hash(definition: dict) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
