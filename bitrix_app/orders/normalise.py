"""Values shops send in many shapes: phones to E.164, e-mails to a lower-cased match key, text without control
characters."""
from __future__ import annotations

import re

# Region -> (country calling code, national significant number length, trunk prefix dialled at home).
_REGIONS = {
    "RU": ("7", 10, "8"),
    "KZ": ("7", 10, "8"),
}

# Calling codes whose numbering plan has one fixed total length (code + national number);
# every other code only gets the E.164 bounds, since its plan varies in length.
_FIXED_LENGTHS = {
    "1": 11,
    "7": 11,
    "373": 11,
    "374": 11,
    "375": 12,
    "380": 12,
    "992": 12,
    "994": 12,
    "995": 12,
    "996": 12,
    "998": 12,
}

# E.164 allows at most 15 digits; the shortest numbers in use (e.g. Niue) have 7.
_MIN_DIGITS, _MAX_DIGITS = 7, 15

_PHONE_CHARS = re.compile(r"[\d\s()+\-./]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

# C0 controls, DEL and C1 controls, NUL included (regex ranges, also used in the OpenAPI description).
CONTROL_CHARS = r"\x00-\x1f\x7f-\x9f"
# ... and lone surrogates, which no UTF-8 store can hold.
_CONTROLS = re.compile(rf"[{CONTROL_CHARS}\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|\n|\t")
# A text field holds something once its control characters and surrounding whitespace are gone. Anchored and
# spelt out, so JSON Schema tools read it as written (some rewrite a lone character class as the whole value).
MEANINGFUL = rf"^[\s\S]*[^\s{CONTROL_CHARS}][\s\S]*$"


def clean_text(raw: str, multiline: bool = False) -> str:
    """Drop control characters. Single-line text turns tabs and line breaks into spaces; multi-line text keeps
    tabs and newlines (CR LF and CR become LF). Other whitespace stays as sent."""
    if multiline:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROLS.sub(lambda m: m.group() if m.group() in "\t\n" else "", text)
    else:
        text = _CONTROLS.sub("", _LINE_BREAKS.sub(" ", raw))
    return text


def phone_e164(raw, default_region: str = "RU") -> str | None:
    """Return the number as +<digits> in E.164, or None when it cannot be a real phone number."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _PHONE_CHARS.fullmatch(text) or "+" in text[1:]:
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return _international(digits)
    if digits.startswith("00"):
        return _international(digits[2:])
    return _national(digits, default_region.upper())


def _international(digits: str) -> str | None:
    """Validate digits that already start with a country calling code."""
    if not digits or digits[0] == "0" or not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    for code, length in _FIXED_LENGTHS.items():
        if digits.startswith(code) and len(digits) != length:
            return None
    return "+" + digits


def _national(digits: str, region: str) -> str | None:
    """Turn a number dialled without '+' into E.164 using the region's numbering plan."""
    if region not in _REGIONS:
        raise ValueError(f"unsupported default region {region!r}")
    code, length, trunk = _REGIONS[region]
    if len(digits) == length:
        return _international(code + digits)
    national = len(code) + length
    if len(digits) == national and digits.startswith(code):
        return _international(digits)
    if len(digits) == len(trunk) + length and digits.startswith(trunk):
        return _international(code + digits[len(trunk):])
    return None


def email_key(raw) -> str | None:
    """Return the trimmed, lower-cased address used to match contacts, or None if it is not one."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        return None
    local, domain = text.split("@")
    labels = domain.split(".")
    if len(local) > 64 or len(labels) < 2 or not all(labels) or ".." in local:
        return None
    if local.startswith(".") or local.endswith(".") or len(labels[-1]) < 2:
        return None
    return text
