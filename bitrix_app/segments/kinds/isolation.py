"""One stored definition the engine cannot evaluate must not stop a portal's segments.

A stored definition whose params no longer load, whose prepare() or predicate raises, or whose SQL fails when a
statement runs is *frozen*: its predicate becomes "the row was in it" (its members stay as they were: no
leave/enter churn that would fire campaigns again once it is fixed), and it is reported failed with its error.
Everything else is computed as usual.

Built predicates are screened one by one (cheap, in Python). A statement that still fails is tried again with
the stored definitions split in halves, each half left active alone (the others frozen): k failing definitions
among n cost about 2·k·log2(n) trial runs; the common case, nothing failing, costs none.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable

from marshmallow import ValidationError
from sqlalchemy.exc import DataError, DBAPIError

from ..figures import sqlfn
from .contract import Env, SegmentDef, kind_module

log = logging.getLogger(__name__)
FROZEN = "_frozen"  # params of a frozen definition: {FROZEN: True}
DETAIL_LIMIT = 300
# reason -> (English, Russian): what a marketer reads about a failed definition
REASONS = MappingProxyType({
    "invalid_rule": ("The rule no longer passes the checks ({detail}). Edit the segment's conditions; until then "
                     "its members stay as they were at the last successful calculation.",
                     "Правило больше не проходит проверку ({detail}). Исправьте условия сегмента; до тех пор "
                     "его участники остаются такими, какими были при последнем успешном расчёте."),
    "number_range": ("A number in the conditions is too large or not a number for the database. Edit the "
                     "segment's conditions; until then its members stay as they were at the last successful "
                     "calculation.",
                     "Число в условиях слишком велико или не является числом. Исправьте условия сегмента; до тех "
                     "пор его участники остаются такими, какими были при последнем успешном расчёте."),
    "calculation": ("The database could not calculate this segment. Check its conditions or contact support; "
                    "until then its members stay as they were at the last successful calculation.",
                    "База данных не смогла рассчитать этот сегмент. Проверьте его условия или обратитесь в "
                    "поддержку; до тех пор его участники остаются такими, какими были при последнем успешном "
                    "расчёте."),
})


@dataclass(frozen=True)
class Failure:
    reason: str  # a key of REASONS
    detail: str  # one line, no traceback


def failure(err: BaseException) -> Failure:
    """What went wrong, classified for the marketer, with a one-line detail for support."""
    if isinstance(err, ValidationError):
        from bitrix_app.orders.schemas import flatten_errors

        flat = flatten_errors(err.messages)
        return Failure("invalid_rule", _line("; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(flat.items()))))
    cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    # PEP 249 DataError: a value out of range (a driver's own, raw, when pgfast ran the statement on its cursor)
    numeric = isinstance(err, DataError) or isinstance(cause, (ArithmeticError, ValueError)) or any(
        kind.__name__ == "DataError" for kind in type(cause).__mro__)
    return Failure("number_range" if numeric else "calculation", _line(f"{type(cause).__name__}: {cause}"))


def _line(text: str) -> str:
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return first if len(first) <= DETAIL_LIMIT else first[:DETAIL_LIMIT - 1] + "…"


def message(reason: str | None, detail: str | None, lang: str) -> str:
    """The marketer's words for a failure (lang "ru" or else English)."""
    pair = REASONS.get(reason or "", REASONS["calculation"])
    return pair[1 if lang == "ru" else 0].format(detail=(detail or "").rstrip("."))


def frozen(defn: SegmentDef) -> SegmentDef:
    return dataclasses.replace(defn, params={FROZEN: True})


def is_frozen(defn: SegmentDef) -> bool:
    return bool(defn.params.get(FROZEN))


def frozen_predicate(defn: SegmentDef, env: Env):
    """The row was a member before this computation (compute's rows carry old_segments; a plain customer_stats
    row's own segments are the old ones)."""
    column = env.cs.c.old_segments if "old_segments" in env.cs.c else env.cs.c.segments
    return sqlfn.contains(column, f"|{defn.code}|", env.dialect)


def _build(defn: SegmentDef, env: Env, conn, check: bool) -> SegmentDef:
    """The definition after its kind's prepare() (with conn); with `check`, its predicate built once, alone."""
    module = kind_module(defn.kind)
    hook = getattr(module, "prepare", None) if conn is not None else None
    ready = hook(defn, env, conn) if hook else defn
    if check:
        module.predicate(ready, env)
    return ready


def screen(defs: list[SegmentDef], stored: set[str], env: Env, conn=None) -> tuple[list, dict[str, Failure]]:
    """The definitions ready for a statement (with `conn`, a full rebuild's: after their kind's prepare()), each
    stored one's predicate built alone (built-ins are the settings' and not suspected); stored ones that raise
    are frozen and returned as failures. A failure in
    prepare() rolls `conn` back (a failed statement aborts a PostgreSQL transaction) and the others are prepared
    again: the caller commits after, so a later rollback keeps the prepared tables."""
    failed: dict[str, Failure] = {}
    while True:
        out, retry = [], False
        for defn in defs:
            if defn.code in failed:
                out.append(frozen(defn))
                continue
            if is_frozen(defn):
                out.append(defn)
                continue
            try:
                out.append(_build(defn, env, conn, defn.code in stored))
            except ImportError:
                out.append(defn)  # memberships.compiled leaves a kind that is not installed out, as before
            except Exception as err:  # anything a definition can raise is that definition's failure
                if defn.code not in stored:
                    raise
                failed[defn.code] = failure(err)
                log.warning("segment %s of %s failed: %s", defn.code, env.member_id, failed[defn.code].detail)
                if conn is not None:
                    conn.rollback()
                    retry = True
                    break
                out.append(frozen(defn))
        if not retry:
            return out, failed


Trial = Callable[[list], BaseException | None]


def isolate(trial: Trial, defs: list[SegmentDef], stored: set[str]) -> tuple[list, dict[str, Failure]]:
    """The definitions with those that make `trial` fail frozen, and their failures. `trial(defs)` runs the
    statement built of `defs`, undoes it and answers its exception (None when it ran). When the statement fails
    with every stored definition frozen, the fault is not a definition's: that error is raised."""
    suspects = [d.code for d in defs if d.code in stored and not is_frozen(d)]
    failed: dict[str, Failure] = {}

    def variant(active) -> list:
        keep = set(active)
        return [d if d.code not in suspects or d.code in keep else frozen(d) for d in defs]

    def search(group: list[str]) -> None:
        if len(group) == 1:
            err = trial(variant(group))
            if err is not None:
                failed[group[0]] = failure(err)
            return
        half = len(group) // 2
        for part in (group[:half], group[half:]):
            if trial(variant(part)) is not None:
                search(part)

    base = trial(variant([]))
    if base is not None:
        raise base
    search(suspects)
    while True:  # together they may still fail (say, a statement too large): freeze from the end until it runs
        left = [c for c in suspects if c not in failed]
        err = trial(variant(left)) if left else None
        if err is None:
            break
        failed[left[-1]] = failure(err)
    for code, found in failed.items():
        log.warning("segment %s failed: %s", code, found.detail)
    return [frozen(d) if d.code in failed else d for d in defs], failed
