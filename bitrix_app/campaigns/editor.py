"""What the campaign editor offers: the portal's segments and the templates a campaign may send (the built-in
marketing ones and the admin's own), with their names
in the page's language, and the triggers, channels and action types with the fields each action takes."""
from __future__ import annotations

from sqlalchemy.orm import Session

from bitrix_app.messaging import templates

from .definitions import ACTION_FIELDS, CHANNELS, PROMO_TEMPLATES, TEMPLATES, TRIGGERS


def options(session: Session, member_id: str, language: str) -> dict:
    from bitrix_app.segments import definitions_listing

    segments = [{"code": v["code"], "name": v["name_ru"] if language == "ru" else v["name_en"],
                 "kind": v["kind"]} for v in definitions_listing(session, member_id)]
    shown = [{"code": code, "subject": templates.get(session, member_id, code, language).subject,
              "needs_promo_code": code in PROMO_TEMPLATES} for code in TEMPLATES]
    shown += [{"code": t.code, "subject": t.name or t.subject, "own": True,
               "needs_promo_code": "{promo_code}" in f"{t.subject} {t.text} {t.sms}"}
              for t in templates.all_for(session, member_id, language) if not t.builtin]
    return {"segments": segments, "templates": shown, "triggers": list(TRIGGERS), "channels": list(CHANNELS),
            "actions": {kind: list(names) for kind, names in ACTION_FIELDS.items()}}
