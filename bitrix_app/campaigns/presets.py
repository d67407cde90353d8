"""Ready-made campaigns (the catalogue is preset_catalog.py): a preset as a campaign definition, the segment it
needs, and installing presets; installing never overwrites a campaign.

A preset follows a segment: the built-in ones every portal has (the 9 lifecycle cells, the birthday month), or one
the preset brings (`brings`): the lapsed presets create their lapsed segment when the portal's settings do not
give it; the cross-sell and replenishment presets need the admin's choice of products (`choose`), so they are
installed from the screen (preset_admin.enable) or follow a segment the portal defined itself. A preset asked for
by code whose segment is missing and cannot be brought is refused (nothing is installed); installing all skips
it, saying why.

Deal titles, to-dos and notifications without a text of their own are worded from the campaign's name in the
portal's language (see actions.py); messages use the portal's templates in its language."""
from __future__ import annotations

import copy
from collections.abc import Collection
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.campaign_models import Campaign

from . import definitions
from .preset_catalog import CAMPAIGN_KEYS, CELL_PRESETS, CROSS_SELL_SEGMENT, PRESETS

__all__ = ["CELL_PRESETS", "CROSS_SELL_SEGMENT", "PRESETS", "bring_segment", "definition", "install", "missing",
           "template_of"]


class UnknownPreset(LookupError):
    """No preset with this code."""


def preset(code: str) -> dict:
    found = PRESETS.get((code or "").upper())
    if found is None:
        raise UnknownPreset(f"no preset {code!r}; presets: {', '.join(PRESETS)}")
    return found


def definition(code: str, cross_sell_segment: str | None = None) -> dict:
    """A preset as a full campaign definition (checked by the schema)."""
    data = {"code": code, **{k: copy.deepcopy(v) for k, v in PRESETS[code].items() if k in CAMPAIGN_KEYS}}
    if code == "CROSS_SELL" and cross_sell_segment:
        data["segment"] = cross_sell_segment
    return definitions.validate(data)


def template_of(code: str) -> str | None:
    """The template of the preset's message (the text the admin adjusts)."""
    return next((a["template"] for a in PRESETS[code]["actions"] if a["type"] == "message"), None)


def missing(code: str, segment: str) -> str:
    """Why a preset cannot be installed without the admin's choice (its segment is missing)."""
    if code == "CROSS_SELL":
        return (f"needs the cross-sell segment {segment}: define a cross_sell segment with code {segment} first "
                f"(which purchases lead to which offer), or name an existing one as the cross-sell segment")
    if PRESETS[code].get("brings", {}).get("choose"):
        return f"needs the segment {segment}: enable it on the campaigns screen and choose its products"
    return f"needs the segment {segment}, which the portal does not have"


def bring_segment(session: Session, member_id: str, code: str, now: datetime, chosen: dict | None = None) -> str:
    """Create the segment the preset brings (its params with the admin's `chosen` ones over them); answers its
    code. A ValidationError names the chosen params that do not fit (under "segment_params")."""
    from bitrix_app.segments import create_definition

    spec = PRESETS[code]["brings"]
    params = {**copy.deepcopy(spec["params"]), **(chosen or {})}
    data = {"code": PRESETS[code]["segment"], "kind": spec["kind"], "name_en": spec["name_en"],
            "name_ru": spec["name_ru"], "params": params}
    try:
        create_definition(session, member_id, data, now)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise ValidationError({"segment_params": messages.get("params", messages)}) from err
    return data["code"]


def install(session: Session, member_id: str, now: datetime, codes: list[str] | None = None,
            cross_sell_segment: str | None = None) -> dict:
    """Add the presets the portal does not have; answers {"installed": [...], "kept": [...], "skipped": {code:
    why}}. A preset named in `codes` whose segment is missing is a ValidationError and nothing is installed."""
    unknown = sorted(set(codes or ()) - set(PRESETS))
    if unknown:
        raise KeyError(f"no preset {', '.join(unknown)}; presets: {', '.join(PRESETS)}")
    have = set(session.scalars(select(Campaign.code).where(Campaign.member_id == member_id)))
    segments = set(definitions.segment_codes(session, member_id))
    out: dict = {"installed": [], "kept": [], "skipped": {}}
    wanted = [(code, definition(code, cross_sell_segment)) for code in codes or list(PRESETS)]
    for code, data in wanted:
        if code in have:
            out["kept"].append(code)
        elif not _can_follow(code, data["segment"], segments):
            out["skipped"][code] = missing(code, data["segment"])
    if codes and out["skipped"]:
        raise ValidationError({code: [why] for code, why in out["skipped"].items()})
    for code, data in wanted:
        if code not in have and code not in out["skipped"]:
            if data["segment"] not in segments:
                segments.add(bring_segment(session, member_id, code, now))
            definitions.create(session, member_id, data, now, known_segments=segments)
            out["installed"].append(code)
    return out


def _can_follow(code: str, segment: str, segments: Collection[str]) -> bool:
    """The portal has the segment, or the preset brings it without needing the admin's choice."""
    brings = PRESETS[code].get("brings")
    return segment in segments or bool(brings and not brings.get("choose") and segment == PRESETS[code]["segment"])
