"""Product rows of CRM entities (crm.deal.productrows.*): full replace, derived prices, documented types."""
from __future__ import annotations

from typing import Any

from .crm_store import as_list, as_map, money, num, text, to_float, to_int, yn
from .errors import RestError

TABLE = "crm_productrow"


def _core_error(message: str) -> RestError:
    return RestError("ERROR_CORE", f"{message}<br>", 400)


def _check_discount(raw: dict) -> None:
    """The documented discount consistency errors (only when DISCOUNT_TYPE_ID is given explicitly)."""
    if "DISCOUNT_TYPE_ID" not in raw:
        return
    dtype = to_int(raw["DISCOUNT_TYPE_ID"], 2)
    if dtype == 2 and "DISCOUNT_RATE" not in raw:
        raise _core_error("Discount Rate (DISCOUNT_RATE) is required if Percentage Discount Type "
                          "(DISCOUNT_TYPE_ID) is defined.")
    if dtype == 2 and to_float(raw.get("DISCOUNT_RATE")) >= 100 and "DISCOUNT_SUM" not in raw:
        raise _core_error("Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type "
                          "(DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%")
    if dtype == 1 and "DISCOUNT_SUM" not in raw:
        raise _core_error("Discount Sum (DISCOUNT_SUM) is required if Monetary Discount Type "
                          "(DISCOUNT_TYPE_ID) is defined.")


def _prices(raw: dict) -> dict[str, Any]:
    """PRICE is the final unit price; the other prices are derived from tax and discount."""
    tax_rate = None if raw.get("TAX_RATE") in (None, "") else to_float(raw["TAX_RATE"])
    tax_k = 1 + (tax_rate or 0) / 100
    if "PRICE" in raw:
        price = to_float(raw["PRICE"])
    elif "PRICE_EXCLUSIVE" in raw:
        price = to_float(raw["PRICE_EXCLUSIVE"]) * tax_k
    else:
        price = to_float(raw.get("PRICE_BRUTTO", raw.get("PRICE_NETTO", 0)))
    exclusive = price / tax_k
    dtype = to_int(raw.get("DISCOUNT_TYPE_ID"), 2)
    if dtype == 1:
        dsum = to_float(raw.get("DISCOUNT_SUM"))
        netto = exclusive + dsum
        drate = dsum / netto * 100 if netto else 0.0
    else:
        drate = to_float(raw.get("DISCOUNT_RATE"))
        if drate >= 100 or drate <= 0:
            dsum = to_float(raw.get("DISCOUNT_SUM")) if drate >= 100 else 0.0
            netto = exclusive + dsum
        else:
            netto = exclusive / (1 - drate / 100)
            dsum = netto - exclusive
    return {
        "PRICE": round(price, 2), "PRICE_EXCLUSIVE": round(exclusive, 2), "PRICE_NETTO": round(netto, 2),
        "PRICE_BRUTTO": round(netto * tax_k, 2), "DISCOUNT_TYPE_ID": 1 if dtype == 1 else 2,
        "DISCOUNT_RATE": round(drate, 2), "DISCOUNT_SUM": round(dsum, 2), "TAX_RATE": tax_rate,
    }


def _product_name(portal, product_id: int) -> str | None:
    for table in ("crm_product", "catalog_product"):
        product = portal.tables.get(table, {}).get(product_id)
        if product:
            return text(product.get("NAME") or product.get("name"))
    return None


def _build(portal, raw: dict, owner_type: str, owner_id: int) -> dict:
    row_id = portal.next_id(TABLE)
    product_id = to_int(raw.get("PRODUCT_ID"), 0)
    catalog_name = _product_name(portal, product_id) if product_id else None
    name = text(raw.get("PRODUCT_NAME")) or catalog_name or f"[{row_id}]"
    prices = _prices(raw)
    return {
        "ID": row_id, "OWNER_ID": owner_id, "OWNER_TYPE": owner_type, "PRODUCT_ID": product_id,
        "PRODUCT_NAME": name, "ORIGINAL_PRODUCT_NAME": catalog_name or name,
        "PRODUCT_DESCRIPTION": text(raw.get("PRODUCT_DESCRIPTION")), **prices,
        "QUANTITY": to_float(raw.get("QUANTITY"), 1.0), "TAX_INCLUDED": yn(raw.get("TAX_INCLUDED")),
        "CUSTOMIZED": "Y", "MEASURE_CODE": to_int(raw.get("MEASURE_CODE"), 0),
        "MEASURE_NAME": text(raw.get("MEASURE_NAME")) or "", "SORT": to_int(raw.get("SORT"), 0),
        "XML_ID": text(raw.get("XML_ID")),
    }


def set_rows(portal, owner_type: str, owner_id: int, rows: Any) -> None:
    """Replace all rows of one owner; rows not passed are deleted."""
    if rows not in (None, "") and as_map(rows) is None:
        raise RestError("", "The parameter rows must be array.", 400)
    raws = [as_map(r) or {} for r in as_list(rows)]
    for raw in raws:
        _check_discount(raw)
    drop_rows(portal, owner_type, owner_id)
    table, index = portal.table(TABLE), _owner_index(portal)
    for raw in raws:
        row = _build(portal, raw, owner_type, owner_id)
        table[row["ID"]] = row
        index.add(owner_type, owner_id, row["ID"])


def drop_rows(portal, owner_type: str, owner_id: int) -> None:
    table = portal.table(TABLE)
    for row_id in _owner_index(portal).pop(owner_type, owner_id):
        table.pop(row_id, None)


def owner_rows(portal, owner_type: str, owner_id: int) -> list[dict]:
    table = portal.table(TABLE)
    rows = [table[i] for i in _owner_index(portal).ids(owner_type, owner_id) if i in table]
    return sorted(rows, key=lambda r: (r["SORT"], r["ID"]))


class _OwnerIndex:
    """Row ids by owner over one table object, so a deal's rows are found without reading every row (a real
    portal's table is indexed; a scan made each call slower as the sandbox filled up). It belongs to the table
    it was built from and to that table's size: a table put back from a snapshot, or changed by hand, is
    indexed again."""

    def __init__(self, table: dict[int, dict]):
        self.table, self.size = table, len(table)
        self._ids: dict[tuple[str, int], list[int]] = {}
        for row_id, row in table.items():
            self._ids.setdefault((row["OWNER_TYPE"], row["OWNER_ID"]), []).append(row_id)

    def fits(self, table: dict[int, dict]) -> bool:
        return self.table is table and self.size == len(table)

    def ids(self, owner_type: str, owner_id: int) -> list[int]:
        return list(self._ids.get((owner_type, owner_id), ()))

    def add(self, owner_type: str, owner_id: int, row_id: int) -> None:
        self._ids.setdefault((owner_type, owner_id), []).append(row_id)
        self.size += 1

    def pop(self, owner_type: str, owner_id: int) -> list[int]:
        ids = [i for i in self._ids.pop((owner_type, owner_id), ()) if i in self.table]
        self.size -= len(ids)
        return ids


def _owner_index(portal) -> _OwnerIndex:
    table = portal.table(TABLE)
    index = portal.indexes.get(TABLE)
    if not (isinstance(index, _OwnerIndex) and index.fits(table)):
        index = portal.indexes[TABLE] = _OwnerIndex(table)
    return index


def row_out(row: dict) -> dict:
    """One row as crm.deal.productrows.get returns it (mixed string/number types as documented)."""
    return {
        "ID": str(row["ID"]), "OWNER_ID": str(row["OWNER_ID"]), "OWNER_TYPE": row["OWNER_TYPE"],
        "PRODUCT_ID": row["PRODUCT_ID"], "PRODUCT_NAME": row["PRODUCT_NAME"],
        "ORIGINAL_PRODUCT_NAME": row["ORIGINAL_PRODUCT_NAME"], "PRODUCT_DESCRIPTION": row["PRODUCT_DESCRIPTION"],
        "PRICE": num(row["PRICE"]), "PRICE_EXCLUSIVE": num(row["PRICE_EXCLUSIVE"]),
        "PRICE_NETTO": num(row["PRICE_NETTO"]), "PRICE_BRUTTO": num(row["PRICE_BRUTTO"]),
        "PRICE_ACCOUNT": money(row["PRICE"]), "QUANTITY": num(row["QUANTITY"]),
        "DISCOUNT_TYPE_ID": row["DISCOUNT_TYPE_ID"], "DISCOUNT_RATE": num(row["DISCOUNT_RATE"]),
        "DISCOUNT_SUM": num(row["DISCOUNT_SUM"]),
        "TAX_RATE": None if row["TAX_RATE"] is None else num(row["TAX_RATE"]),
        "TAX_INCLUDED": row["TAX_INCLUDED"], "CUSTOMIZED": row["CUSTOMIZED"], "MEASURE_CODE": row["MEASURE_CODE"],
        "MEASURE_NAME": row["MEASURE_NAME"], "SORT": row["SORT"], "XML_ID": row["XML_ID"], "TYPE": 1,
        "STORE_ID": None, "RESERVE_ID": None, "DATE_RESERVE_END": None, "RESERVE_QUANTITY": None,
    }


def totals(portal, owner_type: str, owner_id: int) -> tuple[float, float] | None:
    """(amount, tax) of an owner's rows: sum of PRICE * QUANTITY; None when it has no rows."""
    rows = owner_rows(portal, owner_type, owner_id)
    if not rows:
        return None
    amount = sum(r["PRICE"] * r["QUANTITY"] for r in rows)
    tax = sum((r["PRICE"] - r["PRICE_EXCLUSIVE"]) * r["QUANTITY"] for r in rows if r["TAX_RATE"])
    return round(amount, 2), round(tax, 2)
