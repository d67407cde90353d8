"""Field types of the canonical shop events: ids, clean text, bounded amounts, UTC times, currencies.

Each rule is one the OpenAPI description states exactly (openapi.py reads the patterns and bounds from here),
so a request the description calls valid is accepted and one it calls invalid is refused.
"""
from __future__ import annotations

import math
import re
from datetime import timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marshmallow import ValidationError, fields
from marshmallow.validate import Length, OneOf

from bitrix_app.orders.iso4217 import ISO_4217
from bitrix_app.orders.normalise import MEANINGFUL, clean_text

PLACES = 4  # decimal places kept of amounts and quantities
STEP = Decimal(1).scaleb(-PLACES)
MAX_MONEY = Decimal("1e12")  # exclusive: at most 12 integer digits
MIN_QUANTITY, MAX_QUANTITY = STEP, Decimal(1_000_000)  # inclusive
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$"
QUANTITY_PATTERN = (r"^(0\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])"
                    r"|[1-9][0-9]{0,5}(\.[0-9]{1,4})?|1000000(\.0{1,4})?)$")
YEAR_PATTERN = r"^(19|20|21)[0-9][0-9]-"  # times from 1900 to 2199 as written
MIN_YEAR, MAX_YEAR = 1900, 2199
MAX_INT_ID = 2**63 - 1  # ids sent as JSON integers: 0 to the largest signed 64-bit value


class Id(fields.String):
    """A shop identifier: a string, or an integer the shop did not quote; kept as a cleaned, trimmed string."""

    MAX = 100
    default_error_messages = {"blank": "Length must be at least 1 without whitespace and control characters.",
                              "integer": f"An integer id must be from 0 to {MAX_INT_ID}."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata.setdefault("pattern", MEANINGFUL)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= MAX_INT_ID:
                raise self.make_error("integer")
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        Length(max=self.MAX)(text)  # as sent: the description bounds the raw string
        cleaned = clean_text(text).strip()
        if not cleaned:
            raise self.make_error("blank")
        return cleaned


class Text(fields.String):
    """Free text up to `size` characters as sent, absent or null allowed unless `required_text`; control
    characters are dropped (tabs and line breaks become spaces)."""

    def __init__(self, size: int = 255, required_text: bool = False, **kwargs):
        if not required_text:
            kwargs.setdefault("load_default", None)
            kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)
        self.size, self.required_text = size, required_text
        self.metadata.setdefault("maxLength", size)
        if required_text:
            self.metadata.setdefault("pattern", MEANINGFUL)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        Length(max=self.size)(text)
        cleaned = clean_text(text)
        if self.required_text and not re.search(MEANINGFUL, cleaned):
            raise ValidationError("Length must be at least 1 without whitespace and control characters.")
        return cleaned


_SPECIAL = ("nan", "snan", "inf", "infinity")


class _Amount(fields.Decimal):
    """A decimal given as a JSON number or a string matching `pattern`; numbers are rounded to PLACES."""

    pattern = ""
    minimum = maximum = Decimal(0)
    exclusive_maximum = False
    default_error_messages = {"format": "Not a valid amount.", "range": "Out of range."}

    def __init__(self, **kwargs):
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if not re.fullmatch(self.pattern, value):
                raise self.make_error("special" if value.strip().lower().lstrip("+-") in _SPECIAL else "format")
            return Decimal(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("special")
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as err:
            raise self.make_error("invalid") from err
        too_big = number >= self.maximum if self.exclusive_maximum else number > self.maximum
        if number < self.minimum or too_big:
            raise self.make_error("range")
        if number.as_tuple().exponent < -PLACES:
            number = number.quantize(STEP, rounding=ROUND_HALF_UP)
        return number + 0  # no negative zero


class Money(_Amount):
    """A non-negative amount below 1e12, at most 4 decimal places in a string."""

    pattern = MONEY_PATTERN
    minimum, maximum, exclusive_maximum = Decimal(0), MAX_MONEY, True
    default_error_messages = {
        "format": "Not a valid number: a JSON number or a decimal string such as \"1990.50\", greater than or "
                  "equal to 0, below 1e12, at most 4 decimal places.",
        "range": "Must be greater than or equal to 0 and below 1e12.",
    }


class Quantity(_Amount):
    """A positive quantity from 0.0001 to 1,000,000, at most 4 decimal places in a string."""

    pattern = QUANTITY_PATTERN
    minimum, maximum = MIN_QUANTITY, MAX_QUANTITY
    default_error_messages = {
        "format": "Not a valid number: a JSON number or a decimal string such as \"2\" or \"0.5\", greater "
                  "than 0 (from 0.0001) and at most 1000000, at most 4 decimal places.",
        "range": "Must be greater than 0 (from 0.0001) and at most 1000000.",
    }


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 datetime that must carry a UTC offset; naive ones are ambiguous and rejected."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 datetime.",
        "invalid_awareness": "Datetime must carry a UTC offset, e.g. 2026-01-15T10:00:00+03:00.",
        "year": f"The year must be from {MIN_YEAR} to {MAX_YEAR}.",
    }

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)
        self.metadata.setdefault("pattern", YEAR_PATTERN)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR <= moment.year <= MAX_YEAR or not re.match(YEAR_PATTERN, value):
            raise self.make_error("year")
        # stored as UTC everywhere: SQLite keeps no offset, so +03:00 would come back three hours off
        return moment.astimezone(timezone.utc)


class BoundedList(fields.List):
    """A list whose Length validators run before its items are loaded, so oversized bodies fail fast."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            for validator in self.validators:
                if isinstance(validator, Length):
                    validator(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Currency(fields.String):
    """An ISO 4217 alphabetic code such as RUB (see iso4217.py); the portal's own list is checked on ingest."""

    def __init__(self, **kwargs):
        codes = sorted(ISO_4217)
        super().__init__(validate=OneOf(codes, error="Not an ISO 4217 currency code; allowed: {choices}."),
                         **kwargs)
