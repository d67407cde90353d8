"""One definition evaluated over a portal's customer figures, set-based: the dry run of a definition being edited
(its member count and a few members, nothing stored) and the members of a saved one (recompute.py).

Both read the same condition at the same moment: the kind's prepare() (the set-based form a full rebuild uses,
temporary tables on the session's connection, dropped after) and predicate() over customer_stats.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.validate import OneOf
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .engine.core import make_env
from .engine.stats import CS
from .kinds import definitions
from .kinds.contract import KINDS, SegmentDef, kind_module
from .kinds.prepared import PREPARED, TABLE, TABLES, drop_temp
from .settings import get_settings

SAMPLE = 5
PREVIEW_CODE = "PREVIEW"


class DraftSchema(Schema):
    """A definition being edited: its kind and params (the code only names it, so a rule cannot test itself)."""

    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=OneOf(tuple(KINDS)))
    params = fields.Dict(load_default=dict)
    code = fields.String(load_default=None, allow_none=True)


def load_draft(session: Session, member_id: str, data) -> SegmentDef:
    """The draft validated like a stored definition (errors keyed by field, the params' under "params")."""
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["Send a JSON object with kind and params."]})
    loaded = DraftSchema().load(data)
    code = (loaded["code"] or PREVIEW_CODE).strip().upper() or PREVIEW_CODE
    params = definitions.load_params(loaded["kind"], loaded["params"])
    definitions.no_custom_references(session, member_id, code, {"kind": loaded["kind"], "params": params})
    return SegmentDef(code=code, kind=loaded["kind"], name={}, params=params)


def _temporaries(defn: SegmentDef) -> list[str]:
    prepared = defn.params.get(PREPARED) or {}
    names = [prepared[TABLE]] if prepared.get(TABLE) else []
    names += list(prepared.get(TABLES) or [])
    return names + [f"{name}_m" for name in names[:1]]


@contextmanager
def condition(session: Session, member_id: str, defn: SegmentDef, now: datetime) -> Iterator[object]:
    """The definition's condition over customer_stats (CS) at `now`, valid inside the block."""
    conn = session.connection()
    env = make_env(member_id, now, conn.dialect.name, get_settings(session, member_id))
    module = kind_module(defn.kind)
    hook = getattr(module, "prepare", None)
    ready = hook(defn, env, conn) if hook else defn
    try:
        yield module.predicate(ready, env)
    finally:
        for name in _temporaries(ready):
            drop_temp(conn, name)


def members_of(session: Session, member_id: str, defn: SegmentDef, now: datetime) -> set[int]:
    """The ids of every customer the definition holds now."""
    with condition(session, member_id, defn, now) as cond:
        return set(session.execute(select(CS.c.customer_id).where(CS.c.member_id == member_id, cond)).scalars())


def preview(session: Session, member_id: str, data, now: datetime) -> dict:
    """A dry run: how many customers the draft holds now, of how many, and the first few; nothing is stored."""
    defn = load_draft(session, member_id, data)
    with condition(session, member_id, defn, now) as cond:
        mine = CS.c.member_id == member_id
        count = session.execute(select(func.count()).select_from(CS).where(mine, cond)).scalar() or 0
        sample = list(session.execute(select(CS.c.customer_id).where(mine, cond)
                                      .order_by(CS.c.customer_id).limit(SAMPLE)).scalars())
    total = session.execute(select(func.count()).select_from(CS).where(CS.c.member_id == member_id)).scalar() or 0
    return {"count": count, "customers": total, "sample_ids": sample, "as_of": now.isoformat()}
