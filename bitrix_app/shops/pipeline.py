"""Order status -> deal stage, in the terms the portal shows: the shop pipeline's stages as the portal has them
(ids and names read through its REST client, the admin's own stages included) and the portal's mapping as stage
ids of that pipeline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf
from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.orders.schemas import ORDER_STATUSES
from bitrix_app.store.models import PortalRecord

from .settings import ShopSettings, get_settings, set_stage_map

SEMANTICS = {"S": "success", "F": "failure"}  # anything else is a stage in progress


class PipelineNotReady(RuntimeError):
    """The portal has no shop pipeline yet (setup has not finished)."""


class MappingSchema(Schema):
    """Order status -> stage id of the shop pipeline (e.g. "C5:PAID"); statuses left out keep their stage."""

    mapping = fields.Dict(keys=fields.String(validate=OneOf(ORDER_STATUSES)),
                          values=fields.String(validate=Length(1, 64)), required=True)


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    semantics: str


def category_of(session: Session, member_id: str) -> int:
    category = session.scalar(select(PortalRecord.shop_category_id).where(PortalRecord.member_id == member_id))
    if category is None:
        raise PipelineNotReady("the shop pipeline is not set up in the portal yet")
    return category


def stage_id(category_id: int, code: str) -> str:
    """Stages of pipeline N are `C<N>:<CODE>`; the general pipeline's have no prefix."""
    return f"C{category_id}:{code}" if category_id else code


def code_of(category_id: int, stage: str) -> str:
    prefix = f"C{category_id}:" if category_id else ""
    return stage[len(prefix):] if prefix and stage.startswith(prefix) else stage


def read_stages(client: Any, category_id: int) -> list[Stage]:
    """The pipeline's stages in the portal's order, named as the portal names them."""
    rows = client.call("crm.status.list", {"order": {"SORT": "ASC"},
                                           "filter": {"ENTITY_ID": f"DEAL_STAGE_{category_id}"}}) or []
    rows = sorted(rows, key=lambda r: int(r.get("SORT") or 0))
    return [Stage(str(r["STATUS_ID"]), str(r.get("NAME") or r["STATUS_ID"]),
                  SEMANTICS.get(str(r.get("SEMANTICS") or ""), "process")) for r in rows]


def view(settings: ShopSettings, category_id: int, stages: list[Stage]) -> dict:
    """Statuses, the mapping as stage ids, the pipeline's stages; a mapped stage the portal no longer has is
    reported (its id stays in the mapping, `missing` lists the statuses whose stage is gone)."""
    ids = {s.id for s in stages}
    mapping = {status: stage_id(category_id, settings.stage_code(status)) for status in ORDER_STATUSES}
    return {"statuses": list(ORDER_STATUSES), "mapping": mapping,
            "missing": [status for status, sid in mapping.items() if sid not in ids],
            "stages": [{"id": s.id, "name": s.name, "semantics": s.semantics} for s in stages]}


def save(session: Session, member_id: str, body: dict, category_id: int, stages: list[Stage],
         now: datetime) -> ShopSettings:
    """Validate the mapping against the pipeline's real stages (422 names each wrong status) and store it."""
    mapping = MappingSchema().load(body)["mapping"]
    ids = {s.id for s in stages}
    wrong = {status: ["Not a stage of the shop pipeline."] for status, sid in mapping.items() if sid not in ids}
    if wrong:
        raise ValidationError({"mapping": wrong})
    return set_stage_map(session, member_id, {k: code_of(category_id, v) for k, v in mapping.items()}, now)


def settings_of(session: Session, member_id: str) -> tuple[ShopSettings, int]:
    return get_settings(session, member_id), category_of(session, member_id)
