"""The one parser of untrusted JSON: a readable `UnsafeJson` instead of a crash for anything storage cannot take.

`loads` refuses text that is not UTF-8 or not JSON, nesting deeper than `max_depth` (the C decoder's own
RecursionError included, so `"[" * 100000` is an error, not a crash), a NUL character or a lone surrogate in
any string or key (PostgreSQL and UTF-8 encoders refuse both), and non-finite numbers (`NaN`, `Infinity`,
`1e400`). Small clean bodies stay cheap: the tree is walked only when a bracket count or an escape in the raw
text says it could hold a problem.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")  # the only ways NUL or a surrogate gets in
_UNSAFE_CHAR = re.compile("[\x00\ud800-\udfff]")


class UnsafeJson(ValueError):
    """The text is not JSON this app accepts; the message says why, for the client."""


def text_problem(text: str) -> str | None:
    """What makes `text` unstorable (a NUL character or a lone surrogate), or None."""
    found = _UNSAFE_CHAR.search(text)
    if found is None:
        return None
    char = found.group()
    return "a NUL character" if char == "\x00" else f"a lone surrogate (\\u{ord(char):04x})"


def _constant(name: str) -> Any:
    raise UnsafeJson(f"the JSON has a non-finite number ({name})")


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise UnsafeJson(f"the JSON has a number out of range ({literal[:40]})")
    return value


_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=_constant)


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `data` (UTF-8 bytes or text) or raise UnsafeJson."""
    text = _text(data)
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise UnsafeJson(f"the JSON nests deeper than {max_depth} levels") from None
    except UnsafeJson:
        raise
    except ValueError as err:  # JSONDecodeError, or an integer over Python's digit limit
        raise UnsafeJson(f"the body is not valid JSON: {err}") from None
    deep = text.count("[") + text.count("{") > max_depth  # an upper bound of the depth (brackets in strings too)
    strings = _SUSPECT_ESCAPE.search(text) is not None or (isinstance(data, str) and _UNSAFE_CHAR.search(text))
    if deep or strings:
        _walk(value, max_depth, bool(strings))
    return value


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnsafeJson(f"the body is not UTF-8 (byte 0x{data[err.start]:02x} at position {err.start})") from None


def _walk(value: Any, max_depth: int, strings: bool) -> None:
    """Check depth and (when asked) every string and key, without recursion."""
    if strings and isinstance(value, str):
        _check(value, (), "string")
    stack: list[tuple[Any, int, tuple]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if depth > max_depth:
            raise UnsafeJson(f"the JSON nests deeper than {max_depth} levels")
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in pairs:
            if strings and isinstance(key, str):
                _check(key, path + (key,), "key")
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, path + (key,)))
            elif strings and isinstance(child, str):
                _check(child, path + (key,), "string")


def _check(text: str, path: tuple, what: str) -> None:
    problem = text_problem(text)
    if problem:
        raise UnsafeJson(f"a JSON {what} has {problem} at {_where(path)}")


def _where(path: tuple) -> str:
    """`$.events[0].data.first_name`, with unsafe characters of keys escaped and long paths cut."""
    parts = ["$"]
    for key in path[:12]:
        shown = _UNSAFE_CHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", key[:40]) if isinstance(key, str) else key
        parts.append(f"[{key}]" if isinstance(key, int) else f".{shown}")
    return "".join(parts) + ("…" if len(path) > 12 else "")
