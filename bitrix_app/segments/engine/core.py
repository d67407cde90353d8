"""The segment engine: a full, set-based rebuild of a portal and an incremental update of some customers.

Full rebuild (staging.py): aggregate the portal's purchases once into a temporary table, take the RFM cut points
and the lifespan factor from it (stored in segment_state), then per chunk of customer ids: one INSERT computes
figures, scores and memberships into a staging table, one UPDATE writes the customer_stats rows that changed,
one INSERT records the transitions; commit and report progress per chunk; finally a snapshot. Customers whose
orders arrived during the rebuild are refreshed at the end. Incremental: a figures UPDATE and a memberships
UPDATE narrowed to the customers, scored with the stored cut points (stats.py, memberships.py), transitions
compared in Python. The first completed rebuild of a portal is its baseline: no transitions before or during it.
A stored definition that cannot be evaluated is frozen and marked failed (isolation.py); the rest goes on.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bitrix_app.store.segment_models import OrderLine, SegmentState

from ..kinds import definitions as defs_mod
from . import incremental
from ..kinds import isolation
from . import snapshot
from . import staging
from . import stats
from . import transitions
from ..kinds.contract import Env, SegmentDef
from .quintiles import compute_cuts
from ..settings import get_settings

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

log = logging.getLogger(__name__)
CHUNK = 100_000  # customer ids per transaction of the full rebuild
CUT_KEYS = ("recency", "frequency", "monetary", "lifespan_years")
Progress = Callable[[str, int, int], None]


def make_env(member_id: str, now: datetime, dialect: str, settings: dict) -> Env:
    return Env(cs=stats.CS, lines=OrderLine.__table__, member_id=member_id, now=now, dialect=dialect,
               settings=settings)


def load_state(session: Session, member_id: str) -> dict:
    """Cut points, lifespan factor, known codes and rebuilt_at of the last rebuild ({} before the first)."""
    t = SegmentState.__table__
    row = session.connection().execute(select(t.c.cuts, t.c.rebuilt_at).where(t.c.member_id == member_id)).first()
    if row is None:
        return {}
    return {**(row.cuts or {}), "rebuilt_at": row.rebuilt_at}


def refresh_customers(session: Session, member_id: str, customer_ids: list[int], now: datetime,
                      isolate: bool = False) -> dict:
    """Recompute these customers' figures and memberships; record their transitions (in the caller's transaction).
    Failed stored definitions keep their members; with `isolate`, definitions that fail now are found first."""
    values = stats.params(member_id, now, ids=[i for i in customer_ids if i is not None])
    ids = values["p_ids"]
    if not ids:
        return {"customers": 0, "enter": 0, "leave": 0}
    session.flush()
    conn = session.connection()
    dialect = conn.dialect.name
    settings = get_settings(session, member_id)
    defs, stored = defs_mod.with_stored(session, member_id, settings, freeze_failed=True)
    state, env = load_state(session, member_id), make_env(member_id, now, dialect, settings)
    before = stats.segments_of(conn, ids)
    if isolate:
        defs = _isolated(session, conn, settings, state, defs, stored, env, ids)
    after = incremental.write(conn, settings, state, defs, env, ids)
    moved = transitions.record_diff(conn, member_id, before, after, state.get("codes") or [], now)
    return {"customers": len(after), **moved}


def _isolated(session, conn, settings, state, defs, stored, env, ids) -> list[SegmentDef]:
    """The definitions with those that fail for these customers frozen and marked failed."""
    trial = _trial(lambda variant: incremental.write(conn, settings, state, variant, env, ids),
                   start=session.begin_nested, undo=lambda point: point.rollback())
    ready, failed = isolation.screen(defs, stored, env)
    ready, more = isolation.isolate(trial, ready, stored)
    defs_mod.record_outcome(conn, env.member_id, {**failed, **more}, set(), env.now)
    return ready


def refresh_quietly(session: Session, member_id: str, customer_ids: list[int], now: datetime) -> None:
    """refresh_customers inside a savepoint: a segment failure is logged (once) and never undoes the caller's
    work. When it fails and some stored definition is still evaluated (not frozen), it runs again with the failing
    ones found, marked failed and left alone, so the customers' other memberships are still updated."""
    try:
        with session.begin_nested():
            refresh_customers(session, member_id, customer_ids, now)
        return
    except Exception as exc:  # a definition's fault is isolated below; the order must still be stored
        first = exc
    which = f"{member_id} customers {list(customer_ids)[:20]}"
    if not _evaluated_stored(session, member_id):  # no definition to blame: the nightly rebuild recomputes
        log.error("segment refresh failed for %s", which, exc_info=first)
        return
    try:
        with session.begin_nested():
            refresh_customers(session, member_id, customer_ids, now, isolate=True)
    except Exception:  # the nightly rebuild recomputes
        log.exception("segment refresh failed for %s, also with the failing definitions isolated (first: %s)",
                      which, type(first).__name__)
        return
    log.warning("segment refresh failed for %s (%s); ran again with the failing definitions marked failed",
                which, isolation.failure(first).detail)


def _evaluated_stored(session: Session, member_id: str) -> bool:
    """The portal has a stored definition that refresh_customers evaluates (enabled, not frozen as failed)."""
    defs, stored = defs_mod.with_stored(session, member_id, freeze_failed=True)
    return any(d.code in stored and not isolation.is_frozen(d) for d in defs)


def rebuild(scope: "PortalScope", now: datetime, progress: Progress | None = None, chunk: int = CHUNK,
            recut: bool = True) -> dict:
    """Full rebuild of a portal's figures, memberships, transitions and snapshot; returns the counts.
    `recut=False` keeps the stored RFM cut points and lifespan factor (when there are some)."""
    member_id, factory = scope.member_id, scope.sessions
    with factory() as s:
        settings = get_settings(s, member_id)
        (defs, stored), previous = defs_mod.with_stored(s, member_id, settings), load_state(s, member_id)
        engine = s.get_bind()
    with engine.connect() as conn:
        try:
            _tune(conn, True)
            summary = _rebuild(conn, member_id, now, settings, defs, stored, previous, progress, chunk, recut)
        finally:
            conn.rollback()
            staging.drop(conn)
            _tune(conn, False)
    late = summary.pop("_late")
    if late:
        with factory.begin() as s:
            refresh_quietly(s, member_id, late, now)
    summary["caught_up"] = len(late)
    return summary


def _rebuild(conn, member_id, now, settings, defs, stored, previous, progress, chunk, recut) -> dict:
    dialect, values = conn.dialect.name, stats.params(member_id, now)
    marks = stats.high_marks(conn)
    agg = staging.create(conn, values)
    cuts = compute_cuts(conn, agg, stats.buyers(agg, dialect), values) if recut or not previous.get("recency") \
        else {k: previous.get(k) for k in CUT_KEYS}
    _save_state(conn, member_id, {**cuts, "codes": previous.get("codes") or []}, previous.get("rebuilt_at"))
    conn.commit()
    low, high, total = stats.customer_bounds(conn, member_id)
    known = (previous.get("codes") or []) if previous.get("rebuilt_at") else []
    env = make_env(member_id, now, dialect, settings)
    ready, failed = isolation.screen(defs, stored, env, conn)
    conn.commit()  # the prepared tables outlive a failed chunk's rollback
    statement, codes = staging.chunk_insert(agg, settings, cuts, ready, env)
    done = moved = 0
    for start in range(low, high + 1, chunk):
        part = {**values, "p_low": start, "p_high": min(start + chunk - 1, high)}
        try:
            done += staging.stage(conn, statement, part)
        except Exception:  # a definition's SQL failed: find it, freeze it, run the chunk without it
            conn.rollback()
            trial = _trial(lambda variant: staging.stage(
                conn, staging.chunk_insert(agg, settings, cuts, variant, env)[0], part), undo=lambda _: conn.rollback())
            ready, more = isolation.isolate(trial, ready, stored)
            failed.update(more)
            statement, codes = staging.chunk_insert(agg, settings, cuts, ready, env)
            done += staging.stage(conn, statement, part)
        staging.write_back(conn, part)
        moved += staging.record_transitions(conn, known, part)
        conn.commit()
        if progress:
            progress("customers", done, total)
    if stats.row_count(conn, member_id) > total:  # every customer has its row now: the surplus are gone customers
        conn.execute(stats.drop_orphans_stmt("all"), values)
    _save_state(conn, member_id, {**cuts, "codes": codes}, now)
    defs_mod.record_outcome(conn, member_id, failed, stored, now)
    snap = snapshot.take(conn, member_id, codes, settings, now, dialect)
    conn.commit()
    late = stats.customers_of_new_orders(conn, member_id, *marks)
    return {"member_id": member_id, "customers": snap["customers"], "buyers": snap["buyers"],
            "active": snap["active"], "active_share": snap["active_share"], "trend": snap["trend"],
            "baseline": not previous.get("rebuilt_at"), "transitions": moved, "counts": snap["counts"],
            "cuts": {k: cuts[k] for k in CUT_KEYS}, "failed_definitions": sorted(failed), "_late": late}


def _trial(run: Callable[[list], object], undo: Callable[[Any], None],
           start: Callable[[], Any] = lambda: None) -> isolation.Trial:
    """isolate()'s trial: `run(variant)` after `start()`, then always `undo(what start answered)`; answers the
    variant's exception (None when it ran)."""
    def trial(variant):
        mark = start()
        try:
            run(variant)
            return None
        except Exception as err:  # the variant's failure, judged by isolate()
            return err
        finally:
            undo(mark)

    return trial


def _save_state(conn, member_id: str, data: dict, rebuilt_at: datetime | None) -> None:
    table = SegmentState.__table__
    payload = {k: v for k, v in data.items() if k != "rebuilt_at"}
    updated = conn.execute(table.update().where(table.c.member_id == member_id)
                           .values(cuts=payload, rebuilt_at=rebuilt_at)).rowcount
    if not updated:
        conn.execute(table.insert().values(member_id=member_id, cuts=payload, rebuilt_at=rebuilt_at))


def _tune(conn, on: bool) -> None:
    """More memory for the rebuild's connection: SQLite a larger page cache and in-memory temporary tables
    (reset after); PostgreSQL larger temporary buffers and sort memory (the connection is discarded after)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"PRAGMA cache_size = {-262144 if on else -2000}"))
        conn.execute(text(f"PRAGMA temp_store = {'MEMORY' if on else 'DEFAULT'}"))
        conn.commit()
    elif on:
        try:
            with conn.begin_nested():  # refused once the session has used temporary tables: then keep the default
                conn.execute(text("SET temp_buffers = '256MB'"))
        except DBAPIError:
            log.info("temp_buffers stays at its default on this connection")
        conn.execute(text("SET work_mem = '64MB'"))
    else:
        conn.commit()
        conn.invalidate()
