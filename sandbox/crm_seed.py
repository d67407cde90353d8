"""A new portal's CRM: the General funnel with its stages, directories and currencies; funnel stage helpers."""
from __future__ import annotations

# (STATUS_ID, NAME, SYSTEM, COLOR, SEMANTICS, EXTRA semantics) of a funnel, as crm.status.list shows them
# (D api-reference/crm/status/crm-status-list.md)
DEAL_STAGES = (
    ("NEW", "New", "Y", "#39A8EF", None, "process"),
    ("PREPARATION", "Document preparation", "N", "#2FC6F6", None, "process"),
    ("PREPAYMENT_INVOICE", "Prepayment invoice", "N", "#55D0E0", None, "process"),
    ("EXECUTING", "In progress", "N", "#47E4C2", None, "process"),
    ("FINAL_INVOICE", "Final invoice", "N", "#FFA900", None, "process"),
    ("WON", "Deal successful", "Y", "#7BD500", "S", "success"),
    ("LOSE", "Deal failed", "Y", "#FF5752", "F", "failure"),
    ("APOLOGY", "Failure reason analysis", "N", "#FF5752", "F", "apology"),
)

# Lead stages (ENTITY_ID STATUS): the defaults D api-reference/crm/leads/crm-lead-add.md lists; CONVERTED is the
# success and JUNK the failure (SEMANTICS S / F, as the crm.status.list example for ENTITY_ID=STATUS shows them)
LEAD_STATUSES = (
    ("NEW", "Unprocessed", "Y", "#00FFFF", None, "process"),
    ("IN_PROCESS", "In progress", "N", "#FFF100", None, "process"),
    ("PROCESSED", "Processed", "N", "#FFA900", None, "process"),
    ("CONVERTED", "High-quality lead", "Y", "#37B44A", "S", "success"),
    ("JUNK", "Low-quality lead", "Y", "#F54819", "F", "failure"),
)

DIRECTORIES = {
    "DEAL_TYPE": (
        ("SALE", "Sales"),
        ("COMPLEX", "Complex sale"),
        ("GOODS", "Sale of goods"),
        ("SERVICES", "Sale of services"),
        ("SERVICE", "After-sales service"),
    ),
    "SOURCE": (
        ("CALL", "Call"),
        ("EMAIL", "E-Mail"),
        ("WEB", "Website"),
        ("ADVERTISING", "Advertising"),
        ("PARTNER", "Existing client"),
        ("RECOMMENDATION", "By recommendation"),
        ("TRADE_SHOW", "Show/Exhibition"),
        ("WEBFORM", "CRM form"),
        ("CALLBACK", "Callback"),
        ("STORE", "Online Store"),
        ("OTHER", "Other"),
    ),
    "CONTACT_TYPE": (
        ("CLIENT", "Clients"),
        ("SUPPLIER", "Suppliers"),
        ("PARTNER", "Partners"),
        ("OTHER", "Other"),
    ),
}

CURRENCIES = (
    ("RUB", "Russian Ruble", "Y", 100, "1.0000"),
    ("USD", "US Dollar", "N", 200, "90.0000"),
    ("EUR", "Euro", "N", 300, "98.0000"),
)

DEFAULT_CATEGORY = {"id": 0, "name": "General", "sort": 300, "entityTypeId": 2, "isDefault": "Y",
                    "originId": "", "originatorId": ""}


def seed_crm(portal) -> None:
    """Fill a new portal's CRM; safe to call once per portal (crm_store.ensure_crm calls it lazily)."""
    with portal.lock:
        if portal.table("crm_category"):
            return
        portal.table("crm_category")[0] = dict(DEFAULT_CATEGORY)
        add_funnel_stages(portal, 0)
        for i, (code, name, system, color, semantics, extra) in enumerate(LEAD_STATUSES):
            add_status(portal, "STATUS", code, name, sort=(i + 1) * 10, system=system, color=color,
                       semantics=semantics, extra=extra)
        for entity_id, rows in DIRECTORIES.items():
            for i, (status_id, name) in enumerate(rows):
                add_status(portal, entity_id, status_id, name, sort=(i + 1) * 10, system="N")
        currencies = portal.table("crm_currency")
        for i, (code, name, base, sort, rate) in enumerate(CURRENCIES, start=1):
            currencies[i] = {"CURRENCY": code, "NAME": name, "BASE": base, "SORT": str(sort),
                             "AMOUNT_CNT": "1", "AMOUNT": rate}


def stage_entity(category_id: int) -> str:
    return "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"


def stage_prefix(category_id: int) -> str:
    return "" if category_id == 0 else f"C{category_id}:"


def add_status(portal, entity_id: str, status_id: str, name: str, *, sort: int, system: str = "N",
               color: str | None = None, semantics: str | None = None, extra: str | None = None,
               category_id: int | None = None) -> dict:
    """Store one directory item the way crm.status.list returns it."""
    new_id = portal.next_id("crm_status")
    row = {
        "ID": str(new_id), "ENTITY_ID": entity_id, "STATUS_ID": status_id, "NAME": name,
        "NAME_INIT": name if system == "Y" else "", "SORT": str(sort), "SYSTEM": system,
        "CATEGORY_ID": None if not category_id else str(category_id), "COLOR": color, "SEMANTICS": semantics,
    }
    if entity_id.startswith("DEAL_STAGE") or entity_id == "STATUS":
        row["EXTRA"] = {"SEMANTICS": extra or "process", "COLOR": color}
    portal.table("crm_status")[new_id] = row
    return row


def add_funnel_stages(portal, category_id: int) -> None:
    """The stages Bitrix24 gives a new funnel: the General set, prefixed `C<N>:` outside funnel 0."""
    prefix, entity = stage_prefix(category_id), stage_entity(category_id)
    for i, (code, name, system, color, semantics, extra) in enumerate(DEAL_STAGES):
        add_status(portal, entity, prefix + code, name, sort=(i + 1) * 10, system=system, color=color,
                   semantics=semantics, extra=extra, category_id=category_id)


def statuses(portal, entity_id: str) -> list[dict]:
    """One directory's items in SORT order."""
    rows = [r for r in portal.table("crm_status").values() if r["ENTITY_ID"] == entity_id]
    return sorted(rows, key=lambda r: (int(r["SORT"]), int(r["ID"])))


def funnel_stages(portal, category_id: int) -> list[dict]:
    return statuses(portal, stage_entity(category_id))


def first_stage(portal, category_id: int) -> str | None:
    stages = funnel_stages(portal, category_id)
    return stages[0]["STATUS_ID"] if stages else None


def stage_semantic(portal, category_id: int, stage_id: str) -> str | None:
    """P/S/F of a stage of a funnel; None when the funnel has no such stage."""
    for row in funnel_stages(portal, category_id):
        if row["STATUS_ID"] == stage_id:
            return row["SEMANTICS"] or "P"
    return None


def lead_status_semantic(portal, status_id: str) -> str | None:
    """P/S/F of a lead stage; None when the portal has no such stage."""
    for row in statuses(portal, "STATUS"):
        if row["STATUS_ID"] == status_id:
            return row["SEMANTICS"] or "P"
    return None


def category_of_stage(stage_id: str) -> int:
    """`C3:NEW` belongs to funnel 3, an unprefixed stage to funnel 0."""
    if stage_id.startswith("C") and ":" in stage_id:
        head = stage_id[1:stage_id.index(":")]
        if head.isdigit():
            return int(head)
    return 0


def currency_codes(portal) -> list[str]:
    return [c["CURRENCY"] for c in sorted(portal.table("crm_currency").values(), key=lambda c: int(c["SORT"]))]


def base_currency(portal) -> str:
    for c in portal.table("crm_currency").values():
        if c["BASE"] == "Y":
            return c["CURRENCY"]
    return "RUB"
