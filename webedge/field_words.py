"""Validation messages in the reader's language: marshmallow words its messages in English; a screen of a
Russian portal asks for Russian (`Accept-Language: ru`) and gets the common messages translated, numbers and
lists kept. Messages the app words itself (already per language, or a domain rule) pass through unchanged."""
from __future__ import annotations

import re

_OPS = {"greater than or equal to": "не меньше", "less than or equal to": "не больше",
        "greater than": "больше", "less than": "меньше"}
_OP = "(greater than or equal to|less than or equal to|greater than|less than)"
_RU = (
    (re.compile(r"^Missing data for required field\.$"), lambda m: "Обязательное поле."),
    (re.compile(r"^Field may not be null\.$"), lambda m: "Поле не может быть пустым."),
    (re.compile(r"^Unknown field\.$"), lambda m: "Неизвестное поле."),
    (re.compile(r"^Not a valid integer\.$"), lambda m: "Нужно целое число."),
    (re.compile(r"^Not a valid number\.$"), lambda m: "Нужно число."),
    (re.compile(r"^Number too large\.$"), lambda m: "Слишком большое число."),
    (re.compile(r"^Not a valid boolean\.$"), lambda m: "Нужно «да» или «нет»."),
    (re.compile(r"^Not a valid string\.$"), lambda m: "Нужен текст."),
    (re.compile(r"^Not a valid list\.$"), lambda m: "Нужен список."),
    (re.compile(r"^Not a valid mapping type\.$"), lambda m: "Нужен объект."),
    (re.compile(r"^Not a valid email address\.$"), lambda m: "Неверный адрес электронной почты."),
    (re.compile(r"^Not a valid URL\.$"), lambda m: "Неверный адрес (URL)."),
    (re.compile(r"^Not a valid date\.$"), lambda m: "Неверная дата."),
    (re.compile(r"^Not a valid (?:\w+ )?datetime\.$"), lambda m: "Неверные дата и время."),
    (re.compile(r"^Invalid (?:value|type|input type)\.$"), lambda m: "Неверное значение."),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"),
     lambda m: "Бесконечность и NaN не допускаются."),
    (re.compile(r"^Must be one of: (.*)\.$"), lambda m: f"Допустимые значения: {m.group(1)}."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
     lambda m: f"Длина от {m.group(1)} до {m.group(2)} символов."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), lambda m: f"Не длиннее {m.group(1)} символов."),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), lambda m: f"Не короче {m.group(1)} символов."),
    (re.compile(rf"^Must be {_OP} (\S+) and {_OP} (\S+)\.$"),
     lambda m: f"Значение должно быть {_OPS[m.group(1)]} {m.group(2)} и {_OPS[m.group(3)]} {m.group(4)}."),
    (re.compile(rf"^Must be {_OP} (\S+)\.$"), lambda m: f"Значение должно быть {_OPS[m.group(1)]} {m.group(2)}."),
)


def _word(message: str) -> str:
    for pattern, say in _RU:
        found = pattern.match(message)
        if found:
            return say(found)
    return message


def localise(messages, lang: str | None):
    """The same nested dict/list of messages, worded in `lang` where a translation is known."""
    if lang != "ru":
        return messages
    if isinstance(messages, dict):
        return {key: localise(value, lang) for key, value in messages.items()}
    if isinstance(messages, list):
        return [localise(value, lang) for value in messages]
    return _word(messages) if isinstance(messages, str) else messages
