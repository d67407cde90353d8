"""A portal's segment definitions: the built-ins from its settings plus its stored (custom) ones.

Stored definitions are validated with their kind's params schema (`params_schema(kind)` when the kind module
serves several kinds, else its `ParamsSchema`); errors are marshmallow ValidationErrors keyed by field, with the
params' own errors under "params".
"""
from __future__ import annotations

import copy
import json
import logging
import re
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates
from marshmallow.validate import Length, OneOf
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from bitrix_app.store.segment_models import SegmentDefinition
from bitrix_app.store.statuses import SegmentStatus

from bitrix_app.store.models import utc

from . import builtin
from . import isolation
from .. import settings
from .contract import KINDS, SegmentDef, kind_module

log = logging.getLogger(__name__)
CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
ACTIVE, FAILED = SegmentStatus.ACTIVE, SegmentStatus.FAILED
MAX_STORED = 200  # per portal: every definition is one CASE branch of the membership UPDATE


class DefinitionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True)
    kind = fields.String(required=True, validate=OneOf(tuple(KINDS)))
    name_en = fields.String(required=True, validate=Length(1, 255))
    name_ru = fields.String(required=True, validate=Length(1, 255))
    params = fields.Dict(load_default=dict)
    enabled = fields.Boolean(load_default=True)

    @validates("code")
    def _code(self, value, **_):
        if not CODE.match(value or ""):
            raise ValidationError("Use 2-64 characters: upper-case Latin letters, digits and _, starting with a "
                                  "letter (e.g. BIKE_NO_TYRES).")


def params_schema(kind: str) -> Schema:
    """The kind's params schema; a kind whose module is not installed cannot be stored."""
    try:
        module = kind_module(kind)
    except ImportError as err:
        raise ValidationError({"kind": [f"The {kind} kind is not available in this installation."]}) from err
    factory = getattr(module, "params_schema", None)
    return factory(kind) if factory else module.ParamsSchema()


def load_params(kind: str, params: dict) -> dict:
    try:
        loaded = params_schema(kind).load(params)
    except ValidationError as err:
        raise ValidationError({"params": err.messages}) from err
    return json.loads(json.dumps(loaded, default=str))


def _moment(value: datetime | None, as_text: bool) -> datetime | str | None:
    moment = utc(value)
    return moment.isoformat() if as_text and moment is not None else moment


def _error(row: SegmentDefinition, as_text: bool = True) -> dict | None:
    """A failed definition's error: the marketer's words in both languages, the one-line detail, when."""
    if row.status != FAILED:
        return None
    return {"reason": row.error_reason, "message_en": isolation.message(row.error_reason, row.last_error, "en"),
            "message_ru": isolation.message(row.error_reason, row.last_error, "ru"), "detail": row.last_error,
            "failed_at": _moment(row.failed_at, as_text)}


def _view(row: SegmentDefinition, as_text: bool = True) -> dict:
    """A stored definition; its moments as ISO 8601 text (for JSON) or, without `as_text`, as UTC datetimes."""
    return {"code": row.code, "kind": row.kind, "name_en": row.name_en, "name_ru": row.name_ru,
            "params": copy.deepcopy(row.params or {}), "enabled": row.enabled, "builtin": False,
            "updated_at": row.updated_at.isoformat() if as_text and row.updated_at else row.updated_at,
            "status": row.status or ACTIVE, "error": _error(row, as_text)}


def _builtin_codes(session: Session, member_id: str) -> set[str]:
    return {d.code for d in builtin.builtin_definitions(settings.get_settings(session, member_id))}


def _row(session: Session, member_id: str, code: str) -> SegmentDefinition | None:
    return session.scalar(select(SegmentDefinition).where(SegmentDefinition.member_id == member_id,
                                                          SegmentDefinition.code == code))


def _load(data) -> dict:
    """The definition with normalised params; every field's errors at once (the params' under "params")."""
    data = data if isinstance(data, dict) else {}
    errors, loaded, params = {}, {}, {}
    try:
        loaded = DefinitionSchema().load(data)
    except ValidationError as err:
        errors.update(err.messages)
    if data.get("kind") in KINDS and "params" not in errors:
        try:
            params = load_params(data["kind"], data.get("params") or {})
        except ValidationError as err:
            errors.update(err.messages)
    if errors:
        raise ValidationError(errors)
    return {**loaded, "params": params}


def no_custom_references(session: Session, member_id: str, code: str, loaded: dict) -> None:
    """Custom rules are evaluated together, last: one may test built-in and other kinds' segments, not a custom one."""
    if loaded["kind"] != "custom":
        return
    from .rules import referenced_segments

    customs = set(session.scalars(select(SegmentDefinition.code).where(
        SegmentDefinition.member_id == member_id, SegmentDefinition.kind == "custom"))) | {code}
    named = sorted(set(referenced_segments(loaded["params"])) & customs)
    if named:
        raise ValidationError({"params": [f"A custom rule cannot test custom segments ({', '.join(named)}); "
                                          "test the conditions of those rules instead."]})


def create(session: Session, member_id: str, data: dict, now: datetime) -> dict:
    loaded = _load(data)
    code = loaded["code"]
    no_custom_references(session, member_id, code, loaded)
    if code in _builtin_codes(session, member_id):
        raise ValidationError({"code": [f"{code} is a built-in segment; choose another code."]})
    if _row(session, member_id, code) is not None:
        raise ValidationError({"code": [f"The portal already has a segment {code}."]})
    count = session.scalar(select(func.count()).select_from(SegmentDefinition)
                           .where(SegmentDefinition.member_id == member_id))
    if count >= MAX_STORED:
        raise ValidationError({"code": [f"A portal may store at most {MAX_STORED} segments."]})
    row = SegmentDefinition(member_id=member_id, code=code, kind=loaded["kind"], name_en=loaded["name_en"],
                            name_ru=loaded["name_ru"], params=loaded["params"], enabled=loaded["enabled"],
                            updated_at=now)
    session.add(row)
    session.flush()
    return _view(row)


def update(session: Session, member_id: str, code: str, changes: dict, now: datetime) -> dict | None:
    """Change a stored definition (its code stays); None when there is none."""
    row = _row(session, member_id, code)
    if row is None:
        return None
    merged = {**_view(row), **(changes if isinstance(changes, dict) else {}), "code": code}
    loaded = _load({k: merged[k] for k in ("code", "kind", "name_en", "name_ru", "params", "enabled")})
    no_custom_references(session, member_id, code, loaded)
    row.kind, row.name_en, row.name_ru = loaded["kind"], loaded["name_en"], loaded["name_ru"]
    row.params = loaded["params"]
    row.enabled, row.updated_at = loaded["enabled"], now
    row.status, row.error_reason, row.last_error, row.failed_at = ACTIVE, None, None, None  # the next run judges it
    session.flush()
    return _view(row)


def delete(session: Session, member_id: str, code: str) -> bool:
    row = _row(session, member_id, code)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def stored(session: Session, member_id: str, as_text: bool = True) -> list[dict]:
    """The stored definitions by code; `as_text=False` keeps their moments datetimes (for a page to format)."""
    rows = session.scalars(select(SegmentDefinition).where(SegmentDefinition.member_id == member_id)
                           .order_by(SegmentDefinition.code))
    return [_view(row, as_text) for row in rows]


def describe(defn: SegmentDef) -> dict:
    """A built-in definition in the same shape as a stored one."""
    return {"code": defn.code, "kind": defn.kind, "name_en": defn.name["en"], "name_ru": defn.name["ru"],
            "params": defn.params, "enabled": True, "builtin": True, "updated_at": None, "status": ACTIVE,
            "error": None}


def for_portal(session: Session, member_id: str, portal_settings: dict | None = None) -> list[SegmentDef]:
    """Built-ins (from the portal's settings) and the enabled stored definitions, in a stable order."""
    return with_stored(session, member_id, portal_settings)[0]


def with_stored(session: Session, member_id: str, portal_settings: dict | None = None,
                freeze_failed: bool = False) -> tuple[list[SegmentDef], set[str]]:
    """for_portal's definitions and the codes of the stored ones among them (isolation's suspects); with
    `freeze_failed`, a failed one is frozen (it keeps its members: incremental updates leave it alone)."""
    out = builtin.builtin_definitions(portal_settings or settings.get_settings(session, member_id))
    taken, stored = {d.code for d in out}, set()
    t = SegmentDefinition.__table__
    rows = session.connection().execute(select(t.c.code, t.c.kind, t.c.name_en, t.c.name_ru, t.c.params, t.c.status)
                                        .where(t.c.member_id == member_id, t.c.enabled == true()).order_by(t.c.code))
    for code, kind, name_en, name_ru, params, status in rows:
        if code not in taken:
            defn = SegmentDef(code=code, kind=kind, name={"en": name_en, "ru": name_ru},
                              params=params or {})
            out.append(isolation.frozen(defn) if freeze_failed and status == FAILED else defn)
            stored.add(code)
    return out, stored


def record_outcome(conn, member_id: str, failed: dict, evaluated: set[str], now: datetime) -> None:
    """Failed definitions get their error and moment; the evaluated ones that had failed are active again."""
    t = SegmentDefinition.__table__
    for code, found in sorted(failed.items()):
        conn.execute(t.update().where(t.c.member_id == member_id, t.c.code == code).values(
            status=FAILED, error_reason=found.reason, last_error=found.detail, failed_at=now))
    recovered = sorted(set(evaluated) - set(failed))
    if recovered:
        conn.execute(t.update().where(t.c.member_id == member_id, t.c.code.in_(recovered), t.c.status != ACTIVE)
                     .values(status=ACTIVE, error_reason=None, last_error=None, failed_at=None))


def listing(session: Session, member_id: str) -> list[dict]:
    """Every definition (built-in first, then stored, disabled ones too)."""
    views = [describe(d) for d in builtin.builtin_definitions(settings.get_settings(session, member_id))]
    return views + stored(session, member_id)
