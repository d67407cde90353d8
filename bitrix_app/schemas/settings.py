"""The base of every settings schema an admin writes through: a misspelled key is refused, not ignored.

The error names the keys the schema knows (`unknown setting; known: a, b, c`), at every level of nesting (a
nested settings schema is a StrictSettings too). Stored settings are read without these schemas, so keys an
older version wrote are ignored on read and refused only on update."""
from __future__ import annotations

from marshmallow import RAISE, Schema


class StrictSettings(Schema):
    class Meta:
        unknown = RAISE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = ", ".join(name for name, f in self.fields.items() if not f.dump_only)
        self.error_messages = {**self.error_messages, "unknown": f"unknown setting; known: {known}"}
