"""The words and number formats of the placement pages: Russian when the portal's LANG is ru, else English."""
from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.segments import GROUP_NAMES

# key -> (English, Russian)
TEXT = MappingProxyType({
    "shop": ("Shop", "Магазин"),
    "deal": ("deal", "сделка"),
    "contact": ("contact", "контакт"),
    "no_history": ("No shop history yet: this record has no synced shop orders.",
                   "Истории покупок пока нет: у этой записи нет синхронизированных заказов магазина."),
    "customer": ("Customer", "Покупатель"),
    "figures": ("Figures", "Показатели"),
    "estimated": ("Computed from the orders: segments have not been calculated for this customer yet.",
                  "Рассчитано по заказам: сегменты для этого покупателя ещё не рассчитаны."),
    "orders": ("Orders", "Заказы"),
    "revenue": ("Revenue", "Выручка"),
    "average_order": ("Average order", "Средний чек"),
    "first_order": ("First order", "Первый заказ"),
    "last_order": ("Last order", "Последний заказ"),
    "days_since": ("Days since last order", "Дней с последнего заказа"),
    "lifecycle": ("Lifecycle", "Жизненный цикл"),
    "rfm": ("RFM", "RFM"),
    "ltv": ("Predicted LTV", "Прогноз LTV"),
    "ltv_paid": ("Lifetime value (paid)", "Пожизненная ценность (оплачено)"),
    "order_history": ("Order history", "История заказов"),
    "number": ("Number", "Номер"),
    "date": ("Date", "Дата"),
    "status": ("Status", "Статус"),
    "total": ("Total", "Сумма"),
    "items": ("Items", "Товаров"),
    "this_deal": ("this deal", "эта сделка"),
    "no_orders": ("No orders.", "Заказов нет."),
    "segments": ("Segments", "Сегменты"),
    "no_segments": ("In no segment.", "Ни в одном сегменте."),
    "next_action": ("Next best action", "Следующее действие"),
    "no_action": ("No action suggested.", "Действий не требуется."),
    "also": ("Also", "Также"),
    "newest_first": ("newest first, up to {n}", "сначала новые, до {n}"),
    # admin page
    "matrix": ("Customer lifecycle", "Жизненный цикл покупателей"),
    "customers": ("Customers", "Покупатели"),
    "buyers": ("customers with purchases", "покупателей с покупками"),
    "active_share": ("Active share", "Доля активных"),
    "target": ("target", "цель"),
    "trend": ("trend", "динамика"),
    "no_snapshot": ("No rebuild yet: the share is counted now, the trend appears after two rebuilds.",
                    "Пересчётов ещё не было: доля посчитана сейчас, динамика появится после двух пересчётов."),
    "no_trend": ("one rebuild so far", "пока один пересчёт"),
    "as_of": ("as of", "на"),
    "sync_health": ("Sync health", "Состояние синхронизации"),
    "inbox": ("Shop events", "События магазина"),
    "last_processed": ("Last event processed", "Последнее обработанное событие"),
    "failed": ("Failed", "С ошибкой"),
    "none_yet": ("none yet", "пока нет"),
    "campaigns": ("Campaigns", "Кампании"),
    "no_campaigns": ("No campaigns yet.", "Кампаний пока нет."),
    "campaign": ("Campaign", "Кампания"),
    "segment": ("Segment", "Сегмент"),
    "enabled": ("On", "Вкл."),
    "entered": ("Entered", "Вошли"),
    "reached": ("Reached", "Охвачено"),
    "converted": ("Converted", "Купили"),
    "uplift": ("Uplift vs holdout", "Прирост к контрольной"),
    "rebuild": ("Rebuild segments", "Пересчитать сегменты"),
    "rebuild_queued": ("Rebuild queued", "Пересчёт поставлен в очередь"),
    "rebuild_failed": ("Rebuild failed", "Не удалось запустить пересчёт"),
    "yes": ("yes", "да"),
    "no": ("no", "нет"),
    "portal": ("Portal", "Портал"),
    "portal_status": ("Status", "Статус"),
    "installed": ("Installed", "Установлено"),
    "setup": ("Setup converged", "Настройка завершена"),
    "pending": ("pending", "в процессе"),
    "version": ("version", "версия"),
    "token_refreshed": ("Token refreshed", "Токен обновлён"),
    "last_portal_event": ("Last portal event", "Последнее событие портала"),
    "pipeline": ("Shop pipeline", "Воронка магазина"),
    "not_created": ("not created yet", "ещё не создана"),
    "stored_segments": ("Custom segments", "Свои сегменты"),
    "code": ("Code", "Код"),
    "state": ("State", "Состояние"),
    "since": ("since", "с"),
})

STATUS = MappingProxyType({
    "new": ("new", "новый"), "pending_payment": ("awaiting payment", "ожидает оплаты"), "paid": ("paid", "оплачен"),
    "shipped": ("shipped", "отправлен"), "ready_for_pickup": ("ready for pickup", "готов к выдаче"),
    "delivered": ("delivered", "доставлен"), "completed": ("completed", "выполнен"),
    "cancelled": ("cancelled", "отменён"), "refunded": ("refunded", "возвращён"),
})
INBOX_STATUS = MappingProxyType({"pending": ("pending", "в очереди"), "done": ("done", "обработано"),
                                 "skipped": ("skipped", "пропущено"), "failed": ("failed", "с ошибкой")})
DEFINITION_STATE = MappingProxyType({"active": ("calculated", "рассчитывается"), "off": ("off", "выключен"),
                                     "failed": ("failed", "ошибка")})
CELL_NAMES = MappingProxyType({code: (en, ru) for code, en, ru in LIFECYCLE_CELLS})
BANDS = MappingProxyType({"NEW": ("New", "Новые"), "PROMISING": ("Promising", "Перспективные"),
                          "LOYAL": ("Loyal", "Лояльные")})
RECENCY = MappingProxyType({"ACTIVE": ("Active", "Активные"), "SLEEPING": ("Sleeping", "Спящие"),
                            "LOST": ("Lost", "Потерянные")})


def is_ru(lang: str | None) -> bool:
    return (lang or "").lower() == "ru"


def pick(pair: tuple[str, str], lang: str | None) -> str:
    return pair[1] if is_ru(lang) else pair[0]


def translator(lang: str | None):
    """t(key, **fmt) for the templates; an unknown key shows itself."""

    def t(key: str, **fmt) -> str:
        pair = TEXT.get(key)
        text = pick(pair, lang) if pair else key
        return text.format(**fmt) if fmt else text

    return t


def named(table, code: str | None, lang: str | None) -> str:
    """The name of a code from one of the tables above (the code itself when unknown)."""
    if code is None:
        return "—"
    pair = table.get(code)
    return pick(pair, lang) if pair else code


def rfm_group_name(group: str | None, lang: str | None) -> str:
    return named(GROUP_NAMES, group, lang)


def money(value, currency: str = "") -> str:
    """1 234.50 EUR (a thin space would not survive every portal font; a plain one does)."""
    text = f"{float(value or 0):,.2f}".replace(",", " ")
    return f"{text} {currency}".strip()


def day(value: datetime | None) -> str:
    return value.date().isoformat() if value else "—"


def moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def percent(share: float | None, signed: bool = False) -> str:
    if share is None:
        return "—"
    value = round(share * 100, 1)
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{text[:-2] if text.endswith('.0') else text} %"
