"""List semantics of crm.*.list over HTTP: 50-row pages, start=-1 cursors, filter prefixes, order, select masks."""
from __future__ import annotations

import requests

from tests.sandbox.crm_support import call, envelope, ok


def add_deals(sandbox, count):
    """`count` deals through batches of 50 string commands (what fast_bitrix24 sends)."""
    ids = []
    for first in range(0, count, 50):
        cmd = {f"d{i}": f"crm.deal.add?fields[TITLE]=Deal%20{i:03d}&fields[OPPORTUNITY]={i}"
               for i in range(first, min(first + 50, count))}
        result = ok(sandbox, "batch", halt=0, cmd=cmd)
        assert result["result_error"] == []
        ids += [result["result"][k] for k in cmd]
    return ids


def test_pages_of_fifty_with_next_and_total(sandbox):
    ids = add_deals(sandbox, 120)
    seen = []
    start, pages = 0, []
    while start is not None:
        page = envelope(sandbox, "crm.deal.list", order={"ID": "ASC"}, select=["ID"], start=start)
        pages.append((len(page["result"]), page.get("next"), page["total"]))
        seen += [int(r["ID"]) for r in page["result"]]
        start = page.get("next")
    assert pages == [(50, 50, 120), (50, 100, 120), (20, None, 120)]
    assert seen == ids
    assert "next" not in envelope(sandbox, "crm.deal.list", start=100)


def test_start_minus_one_skips_the_count(sandbox):
    ids = add_deals(sandbox, 120)
    collected, last = [], 0
    while True:
        page = envelope(sandbox, "crm.deal.list", order={"ID": "ASC"}, filter={">ID": last}, select=["ID"], start=-1)
        assert page["total"] == 0 and "next" not in page
        if not page["result"]:
            break
        collected += [int(r["ID"]) for r in page["result"]]
        last = collected[-1]
    assert collected == ids


def test_filter_prefixes(sandbox):
    rows = [("Alpha mug", 9, 1, "NEW"), ("Beta mug", 10, 2, "WON"), ("Gamma tea", 100, 3, "LOSE"),
            ("Delta", 20000, 2, "NEW")]
    ids = [ok(sandbox, "crm.deal.add", fields={"TITLE": t, "OPPORTUNITY": o, "ASSIGNED_BY_ID": a,
                                               "STAGE_ID": s}) for t, o, a, s in rows]

    def titles(**flt):
        return [r["TITLE"] for r in ok(sandbox, "crm.deal.list", filter=flt, select=["TITLE"])]

    assert titles(**{">OPPORTUNITY": "9"}) == ["Beta mug", "Gamma tea", "Delta"]  # numeric, not text, compare
    assert titles(**{">=OPPORTUNITY": 10, "<=OPPORTUNITY": 100}) == ["Beta mug", "Gamma tea"]
    assert titles(**{"<OPPORTUNITY": 10}) == ["Alpha mug"]
    assert titles(**{"@ASSIGNED_BY_ID": [1, 3]}) == ["Alpha mug", "Gamma tea"]
    assert titles(**{"!@ASSIGNED_BY_ID": [1, 3]}) == ["Beta mug", "Delta"]
    assert titles(**{"%TITLE": "MUG"}) == ["Alpha mug", "Beta mug"]
    assert titles(**{"=%TITLE": "%tea"}) == ["Gamma tea"] and titles(**{"%=TITLE": "Alpha%"}) == ["Alpha mug"]
    assert titles(**{"=%TITLE": "mug"}) == []  # explicit-% LIKE without % is an exact match
    assert titles(**{"!=STAGE_ID": "NEW"}) == ["Beta mug", "Gamma tea"] == titles(**{"!STAGE_ID": "NEW"})
    assert titles(STAGE_ID=["WON", "LOSE"]) == ["Beta mug", "Gamma tea"]
    assert titles(**{"%STAGE_ID": "NE"}) == []  # LIKE does not work for crm_status fields
    assert titles(**{"=ID": ids[3]}) == ["Delta"]
    assert titles(NO_SUCH_FIELD="x", IMPORT="Y") == [r[0] for r in rows]  # unknown filter keys are ignored
    assert titles(**{">DATE_CREATE": "2000-01-01"}) == [r[0] for r in rows]
    assert titles(**{"<DATE_CREATE": "2000-01-01T00:00:00+03:00"}) == []


def test_order_and_select(sandbox):
    for title, amount in (("b", 30), ("a", 10), ("c", 20)):
        ok(sandbox, "crm.deal.add", fields={"TITLE": title, "OPPORTUNITY": amount})
    ok(sandbox, "crm.deal.userfield.add", fields={"FIELD_NAME": "CODE", "USER_TYPE_ID": "string"})
    by_title = ok(sandbox, "crm.deal.list", order={"TITLE": "DESC"}, select=["TITLE"])
    assert by_title == [{"ID": "3", "TITLE": "c"}, {"ID": "1", "TITLE": "b"}, {"ID": "2", "TITLE": "a"}]
    by_amount = ok(sandbox, "crm.deal.list", order={"OPPORTUNITY": "asc"}, select=["OPPORTUNITY"])
    assert [r["OPPORTUNITY"] for r in by_amount] == ["10.00", "20.00", "30.00"]
    star = ok(sandbox, "crm.deal.list", select=["*"])[0]
    assert "TITLE" in star and "STAGE_ID" in star and "UF_CRM_CODE" not in star and "CONTACT_IDS" not in star
    default = ok(sandbox, "crm.deal.list")[0]
    assert set(star) | {"UF_CRM_CODE"} == set(default)
    assert ok(sandbox, "crm.deal.list", select=["TITLE", "NOPE"])[0] == {"ID": "1", "TITLE": "b"}


def test_get_query_string_with_php_brackets(sandbox):
    for amount in (1, 5, 7):
        ok(sandbox, "crm.deal.add", fields={"OPPORTUNITY": amount})
    resp = requests.get(f"{sandbox.webhook_url}crm.deal.list?filter[%3EOPPORTUNITY]=4&select[0]=ID"
                        f"&select[1]=OPPORTUNITY&order[OPPORTUNITY]=DESC", timeout=10)
    assert resp.json()["result"] == [{"ID": "3", "OPPORTUNITY": "7.00"}, {"ID": "2", "OPPORTUNITY": "5.00"}]


def test_non_array_filter_and_order_are_refused(sandbox):
    resp = call(sandbox, "crm.deal.list", filter="x")
    assert (resp.status_code, resp.json()) == (400, {"error": "", "error_description":
                                                     "Parameter 'filter' must be array."})
    assert call(sandbox, "crm.deal.list", order="ID").json()["error_description"] == "Parameter 'order' must be array."
    assert ok(sandbox, "crm.deal.list", filter=[], order=[]) == []
