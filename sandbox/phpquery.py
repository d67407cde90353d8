"""PHP-style bracket keys: parse `a[b][0]=1` into nested data, and build it back."""
from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import parse_qsl, quote

_KEY = re.compile(r"^([^\[\]]*)((?:\[[^\[\]]*\])*)(.*)$")


def _split(key: str) -> list[str]:
    m = _KEY.match(key)
    head, brackets, rest = m.group(1), m.group(2), m.group(3)
    if not head and brackets:
        # PHP drops keys with an empty base name
        return []
    parts = [head + rest] if rest else [head]
    parts += re.findall(r"\[([^\[\]]*)\]", brackets)
    return parts


def unflatten(pairs: Iterable[tuple[str, Any]]) -> dict:
    """Turn flat (key, value) pairs with bracket keys into nested dicts, as PHP parse_str does.

    Numeric keys stay dict keys (strings) here; `listify` turns 0..n-1 maps into lists.
    `[]` appends the next integer key.
    """
    root: dict = {}
    for key, value in pairs:
        parts = _split(key)
        if not parts:
            continue
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "" and i > 0:
                part = str(_next_index(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    return listify(root)


def _next_index(node: dict) -> int:
    ints = [int(k) for k in node if isinstance(k, str) and k.isdigit()]
    return max(ints) + 1 if ints else 0


def listify(value: Any) -> Any:
    """Maps keyed exactly 0..n-1 (in order) become lists, recursively."""
    if isinstance(value, dict):
        out = {k: listify(v) for k, v in value.items()}
        keys = list(out)
        if keys and keys == [str(i) for i in range(len(keys))]:
            return [out[k] for k in keys]
        return out
    if isinstance(value, list):
        return [listify(v) for v in value]
    return value


def parse_query(qs: str) -> dict:
    """Parse a query string (or form body) with PHP bracket semantics."""
    return unflatten(parse_qsl(qs, keep_blank_values=True))


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts/lists -> flat bracket pairs; every value becomes a string (as a portal sends)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, (list, tuple)):
        items = enumerate(data)
    else:
        return [(prefix, _scalar(data))]
    for k, v in items:
        key = f"{prefix}[{k}]" if prefix else str(k)
        if isinstance(v, (dict, list, tuple)):
            if not v:
                continue
            pairs.extend(flatten(v, key))
        else:
            pairs.append((key, _scalar(v)))
    return pairs


def _scalar(v: Any) -> str:
    if v is None:
        return ""
    if v is True:
        return "1"
    if v is False:
        return ""
    return str(v)


def build_query(data: dict) -> str:
    """PHP http_build_query: brackets escaped, values url-encoded."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in flatten(data))
