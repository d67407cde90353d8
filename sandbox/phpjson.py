"""JSON as PHP json_encode writes PHP arrays: empty map -> [], 0..n-1 map -> list, slashes escaped."""
from __future__ import annotations

import json
from typing import Any


def phpify(value: Any) -> Any:
    if isinstance(value, dict):
        if not value:
            return []
        keys = list(value)
        if all(str(k) == str(i) for i, k in enumerate(keys)):
            return [phpify(value[k]) for k in keys]
        return {str(k): phpify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [phpify(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(phpify(value), ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")
