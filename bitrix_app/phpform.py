"""Portal callbacks are form-encoded with PHP bracket keys (`auth[member_id]`, `document_id[0]`)."""
from __future__ import annotations

import re
from typing import Any, Iterable

from .jsonsafe import text_problem

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def _path(key: str) -> list[str]:
    base, bracket, _ = key.partition("[")
    if not bracket:
        return [key]
    return [base, *_SEGMENT.findall("[" + key.split("[", 1)[1])]


MAX_DEPTH = 8  # portals nest at most 4 levels (data[FIELDS][ID], properties[x][0])
MAX_PAIRS = 5000


class FormTooComplex(ValueError):
    """More pairs or deeper brackets than any portal sends."""


class UnsafeFormText(ValueError):
    """A key or value holds a NUL character or a lone surrogate, which storage cannot take."""


def nest(pairs: Iterable[tuple[str, Any]]) -> dict:
    """Nest flat bracket pairs; maps keyed 0..n-1 become lists, `[]` appends. Too many or too deep pairs raise
    FormTooComplex; a NUL character or a lone surrogate in a key or value raises UnsafeFormText."""
    root: dict = {}
    appended: dict[int, int] = {}  # id(node) -> next `[]` index, so appends stay linear
    for count, (key, value) in enumerate(pairs):
        path = _path(key)
        if count >= MAX_PAIRS or len(path) > MAX_DEPTH:
            raise FormTooComplex("the form has more fields or deeper brackets than allowed")
        problem = text_problem(key) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            raise UnsafeFormText(f"the form field {key[:40]!r} has {problem}")
        if not path[0]:
            continue
        node = root
        for depth, part in enumerate(path):
            if part == "":
                part = str(appended.get(id(node), 0))
                appended[id(node)] = int(part) + 1
            if depth == len(path) - 1:
                node[part] = value
                break
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
    return _lists(root)


def _lists(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {k: _lists(v) for k, v in value.items()}
    if items and list(items) == [str(i) for i in range(len(items))]:
        return list(items.values())
    return items


def flat(value: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    """The reverse: nested data as bracket pairs of strings (PHP http_build_query)."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else None
    if children is None:
        yield prefix, "" if value is None else ("Y" if value is True else "N" if value is False else str(value))
        return
    for key, child in children:
        yield from flat(child, f"{prefix}[{key}]" if prefix else str(key))
