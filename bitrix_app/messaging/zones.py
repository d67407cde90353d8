"""The customer's local time zone, from the calling code of their phone or the shop's setting.

One zone per calling code is a simplification for countries that span several zones (Russia, the USA,
Kazakhstan): their main business zone is used. Codes not listed fall back to the shop's time zone."""
from __future__ import annotations

from types import MappingProxyType

# calling code -> (ISO country, main IANA zone); "7" is Russia, "77" Kazakhstan (its numbers start +7 7…)
CALLING_CODES = MappingProxyType({
    "1": ("US", "America/New_York"), "7": ("RU", "Europe/Moscow"), "77": ("KZ", "Asia/Almaty"),
    "20": ("EG", "Africa/Cairo"), "27": ("ZA", "Africa/Johannesburg"), "30": ("GR", "Europe/Athens"),
    "31": ("NL", "Europe/Amsterdam"), "32": ("BE", "Europe/Brussels"), "33": ("FR", "Europe/Paris"),
    "34": ("ES", "Europe/Madrid"), "36": ("HU", "Europe/Budapest"), "39": ("IT", "Europe/Rome"),
    "40": ("RO", "Europe/Bucharest"), "41": ("CH", "Europe/Zurich"), "43": ("AT", "Europe/Vienna"),
    "44": ("GB", "Europe/London"), "45": ("DK", "Europe/Copenhagen"), "46": ("SE", "Europe/Stockholm"),
    "47": ("NO", "Europe/Oslo"), "48": ("PL", "Europe/Warsaw"), "49": ("DE", "Europe/Berlin"),
    "52": ("MX", "America/Mexico_City"), "55": ("BR", "America/Sao_Paulo"), "61": ("AU", "Australia/Sydney"),
    "62": ("ID", "Asia/Jakarta"), "65": ("SG", "Asia/Singapore"), "66": ("TH", "Asia/Bangkok"),
    "81": ("JP", "Asia/Tokyo"), "82": ("KR", "Asia/Seoul"), "84": ("VN", "Asia/Ho_Chi_Minh"),
    "86": ("CN", "Asia/Shanghai"), "90": ("TR", "Europe/Istanbul"), "91": ("IN", "Asia/Kolkata"),
    "351": ("PT", "Europe/Lisbon"), "353": ("IE", "Europe/Dublin"), "358": ("FI", "Europe/Helsinki"),
    "370": ("LT", "Europe/Vilnius"), "371": ("LV", "Europe/Riga"), "372": ("EE", "Europe/Tallinn"),
    "373": ("MD", "Europe/Chisinau"), "374": ("AM", "Asia/Yerevan"), "375": ("BY", "Europe/Minsk"),
    "380": ("UA", "Europe/Kyiv"), "420": ("CZ", "Europe/Prague"), "421": ("SK", "Europe/Bratislava"),
    "971": ("AE", "Asia/Dubai"), "972": ("IL", "Asia/Jerusalem"), "992": ("TJ", "Asia/Dushanbe"),
    "994": ("AZ", "Asia/Baku"), "995": ("GE", "Asia/Tbilisi"), "996": ("KG", "Asia/Bishkek"),
    "998": ("UZ", "Asia/Tashkent"),
})
# further zones of countries that span several, so a shop there is recognised as in that country
_MORE_ZONES = MappingProxyType({
    "RU": ("Europe/Kaliningrad", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
           "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
           "Asia/Kamchatka"),
    "US": ("America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"),
    "KZ": ("Asia/Aqtobe", "Asia/Qyzylorda", "Asia/Oral", "Asia/Aqtau"),
    "AU": ("Australia/Melbourne", "Australia/Brisbane", "Australia/Perth", "Australia/Adelaide"),
    "BR": ("America/Manaus", "America/Fortaleza"),
})
MODES = ("auto", "phone", "shop")


def phone_country(phone: str | None) -> tuple[str, str] | None:
    """(country, zone) of an E.164 number by its longest listed calling code."""
    digits = (phone or "").lstrip("+")
    if not digits.isdigit():
        return None
    for n in (3, 2, 1):
        if digits[:n] in CALLING_CODES:
            return CALLING_CODES[digits[:n]]
    return None


def zone_country(zone: str) -> str | None:
    for country, main in CALLING_CODES.values():
        if main == zone or zone in _MORE_ZONES.get(country, ()):
            return country
    return None


def customer_zone(phone: str | None, shop_zone: str, mode: str = "auto") -> str:
    """The zone quiet hours are kept in.

    `shop`: always the shop's. `phone`: the phone's country zone when known. `auto` (default): the phone's
    country zone for a customer from another country than the shop's, else the shop's zone (a shop whose
    zone is not a listed country's, such as the default UTC, keeps its own zone for everyone)."""
    found = phone_country(phone) if mode != "shop" else None
    if found is None:
        return shop_zone
    country, zone = found
    if mode == "phone":
        return zone
    shop_country = zone_country(shop_zone)
    return zone if shop_country is not None and shop_country != country else shop_zone
