"""A lifecycle cell's customers for the overview: name, phone, e-mail, orders, revenue with its currency, last
order and the portal contact to open; paged by customer id, and as CSV with headers in the page's language."""
from __future__ import annotations

import csv
import re
from typing import IO, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Customer, OrderRecord

from . import labels
from .overview import CELLS

COLUMNS = ("name", "phone", "email", "orders", "revenue", "currency", "last_order_at", "contact_id")
HEADERS = {"name": ("Name", "Имя"), "phone": ("Phone", "Телефон"), "email": ("E-mail", "E-mail"),
           "orders": ("Orders", "Заказов"), "revenue": ("Revenue", "Выручка"), "currency": ("Currency", "Валюта"),
           "last_order_at": ("Last order", "Последний заказ"), "contact_id": ("Contact", "Контакт")}
TEXT_COLUMNS = ("name", "phone", "email")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE = re.compile(r"\+?[0-9 ()-]+")


class UnknownCell(LookupError):
    """Not one of the nine lifecycle cells."""


def require_cell(code: str) -> str:
    wanted = code.upper()
    if wanted not in CELLS:
        raise UnknownCell(f"no lifecycle cell {code}")
    return wanted


def _name(profile: dict) -> str:
    return " ".join(str(profile[k]) for k in ("first_name", "last_name") if profile.get(k))


def _currencies(session: Session, member_id: str, ids: list[int]) -> dict[int, str]:
    """customer id -> the currency of their newest order."""
    out: dict[int, str] = {}
    if not ids:
        return out
    rows = session.execute(select(OrderRecord.customer_id, OrderRecord.currency)
                           .where(OrderRecord.member_id == member_id, OrderRecord.customer_id.in_(ids))
                           .order_by(OrderRecord.ordered_at.desc(), OrderRecord.id.desc()))
    for customer_id, currency in rows:
        out.setdefault(customer_id, currency)
    return out


def page(session: Session, member_id: str, cell: str, after: int = 0, limit: int = 50,
         ) -> tuple[list[dict], int | None, int]:
    """Up to `limit` customers of the cell with ids above `after`, the next page's cursor (None at the end) and
    how many the cell holds."""
    where = (CustomerFigures.member_id == member_id, CustomerFigures.lifecycle == cell)
    total = session.query(CustomerFigures).filter(*where).count()
    found = session.execute(select(CustomerFigures, Customer)
                            .outerjoin(Customer, Customer.id == CustomerFigures.customer_id)
                            .where(*where, CustomerFigures.customer_id > after)
                            .order_by(CustomerFigures.customer_id).limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    currency = _currencies(session, member_id, [f.customer_id for f, _ in found])
    rows = []
    for figures, customer in found:
        profile = customer.profile if customer is not None and isinstance(customer.profile, dict) else {}
        contact = customer.contact_id if customer is not None and customer.contact_id else figures.contact_id
        rows.append({"customer_id": figures.customer_id, "name": _name(profile), "phone": profile.get("phone"),
                     "email": profile.get("email"), "orders": figures.orders,
                     "revenue": round(figures.revenue or 0, 2), "currency": currency.get(figures.customer_id),
                     "last_order_at": utc(figures.last_order_at).isoformat() if figures.last_order_at else None,
                     "contact_id": contact})
    return rows, (rows[-1]["customer_id"] if more else None), total


def _cell_text(value) -> str:
    """A value as a spreadsheet shows it; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) and not PHONE.fullmatch(text) else text


def write_csv(rows: Iterable[dict], out: IO[str], lang: str) -> None:
    writer = csv.writer(out)
    writer.writerow([labels.pick(HEADERS[c], lang) for c in COLUMNS])
    for row in rows:
        values = dict(row, last_order_at=(row["last_order_at"] or "")[:10])
        writer.writerow([_cell_text(values[c]) if c in TEXT_COLUMNS else values[c] for c in COLUMNS])
