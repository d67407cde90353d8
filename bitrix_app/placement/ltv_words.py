"""The lifetime value report in the page's language: each acquisition channel (the utm_source of a customer's first
purchase, or the source the shop platform names) with a name in words where the source is a well-known one, the
source as tagged otherwise, and words for a customer without any."""
from __future__ import annotations

from types import MappingProxyType

# a lower-cased source -> (English, Russian)
KNOWN = MappingProxyType({
    "google": ("Google", "Google"),
    "yandex": ("Yandex", "Яндекс"),
    "direct": ("Direct visits", "Прямые заходы"),
    "(direct)": ("Direct visits", "Прямые заходы"),
    "organic": ("Search (organic)", "Поиск (органический)"),
    "newsletter": ("Newsletter", "Рассылка"),
    "email": ("E-mail", "Электронная почта"),
    "e-mail": ("E-mail", "Электронная почта"),
    "sms": ("SMS", "SMS"),
    "vk": ("VK", "ВКонтакте"),
    "vkontakte": ("VK", "ВКонтакте"),
    "telegram": ("Telegram", "Telegram"),
    "facebook": ("Facebook", "Facebook"),
    "instagram": ("Instagram", "Instagram"),
    "ok": ("Odnoklassniki", "Одноклассники"),
    "partner": ("Partners", "Партнёры"),
    "referral": ("Referrals", "Рекомендации"),
    "ads": ("Advertising", "Реклама"),
    "cpc": ("Paid clicks", "Платные клики"),
    "web": ("Online store", "Интернет-магазин"),
    "pos": ("Point of sale", "Касса в магазине"),
    "shopify_draft_order": ("Order entered by staff", "Заказ, оформленный сотрудником"),
    "iphone": ("iPhone app", "Приложение для iPhone"),
    "android": ("Android app", "Приложение для Android"),
})
NONE = ("Not tagged", "Без метки")


def channel_name(source: str | None, lang: str) -> str:
    """The channel's name in `lang` ('ru' or 'en')."""
    i = 1 if lang == "ru" else 0
    if not source or not source.strip():
        return NONE[i]
    known = KNOWN.get(source.strip().lower())
    return known[i] if known else source.strip()


def named(report: dict, lang: str) -> dict:
    """The report with each channel's name (and whether it is a known source) added."""
    channels = [{**c, "channel_name": channel_name(c["channel"], lang),
                 "channel_known": not c["channel"] or c["channel"].strip().lower() in KNOWN}
                for c in report["channels"]]
    return {**report, "channels": channels}
