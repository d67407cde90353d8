"""The portal app's pages: how fast the server answers each placement, and how much the browser loads first.

A sandbox portal (unlimited plan, so the portal's rate limit does not enter) with the app installed and the demo
shop's orders synced. Each placement (the main page, a deal tab, a contact tab) is opened OPENS times: the
sandbox builds the form Bitrix24 posts (a fresh user token each time) and the bench times the app's answer to it
on loopback: `cold` with the user's verdict not yet cached (the app proves the token with the portal's `profile`,
as on a first open), `warm` when the same token opens it again within the cache's five minutes, and `data`: the
first API call the screen makes with the page's token (the overview, the deal's or contact's card). The floor is
the same server answering `/healthz` in the same run.

Assets: the entry's script and stylesheet and the chunks it imports statically (what the first paint needs),
gzipped at level 9; the lazily loaded screens are reported apart.

Figures (one JSON line, last): per placement p50/p95 in ms (cold and warm), floor p50/p95, initial_kb_gz,
lazy_kb_gz. Goal: cold and data p95 < 150 ms on every placement and initial assets < 350 KB gzipped; exits 1 when missed.

    python -m bench.ui [--opens 200]
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import requests

from bench.harness import start_stack

PLACEMENTS = {"main": ("DEFAULT", None), "deal_tab": ("CRM_DEAL_DETAIL_TAB", {"ID": "1"}),
              "contact_tab": ("CRM_CONTACT_DETAIL_TAB", {"ID": "1"})}
# the first data each placement's screen asks for, read with the page's own token
FIRST_DATA = {"main": "/overview?lang=ru", "deal_tab": "/cards/deal/1?lang=ru", "contact_tab": "/cards/contact/1?lang=ru"}
DIST = Path(__file__).resolve().parents[1] / "placement_ui" / "static" / "dist"
GOAL_P95_MS, GOAL_INITIAL_KB = 150.0, 350.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _open_once(stack, session: requests.Session, code: str, options, forget, data_path: str
               ) -> tuple[float, float, float]:
    body = {"placement": code, "lang": "ru", **({"options": options} if options else {})}
    opened = stack.control("placements/open", body)  # the portal's form, with a fresh user token
    if opened["status"] != 200:
        raise SystemExit(f"{code}: the app answered {opened['status']}")

    page = {}

    def post():
        res = session.post(opened["url"], params=opened["query"], data=opened["fields"], timeout=30)
        if res.status_code != 200:
            raise SystemExit(f"{code}: the app answered {res.status_code}")
        page["html"] = res.text

    def data():
        res = session.get(f"{stack.live.url}/api/v1/portals/{stack.member_id}{data_path}", timeout=30,
                          headers={"Authorization": f"Bearer {_token(page['html'])}"})
        if res.status_code != 200:
            raise SystemExit(f"{data_path}: the app answered {res.status_code}")

    forget(opened["fields"]["AUTH_ID"])
    return _timed(post), _timed(post), _timed(data)


def _token(html: str) -> str:
    start = html.index('id="bootstrap">') + len('id="bootstrap">')
    return json.loads(html[start:html.index("</script>", start)])["token"]


def asset_sizes() -> dict:
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text(encoding="utf-8"))
    entry_key = "src/main.ts"
    initial, seen = set(), set()

    def walk(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        chunk = manifest[key]
        initial.add(chunk["file"])
        initial.update(chunk.get("css", []))
        for child in chunk.get("imports", []):
            walk(child)

    walk(entry_key)
    every = {c["file"] for c in manifest.values()} | {css for c in manifest.values() for css in c.get("css", [])}

    def kb(files) -> float:
        return round(sum(len(gzip.compress((DIST / f).read_bytes(), 9)) for f in files) / 1024, 1)

    return {"initial_kb_gz": kb(initial), "lazy_kb_gz": kb(every - initial), "initial_files": len(initial)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__.split("\n")[0])
    parser.add_argument("--opens", type=int, default=200)
    args = parser.parse_args()
    if not (DIST / ".vite" / "manifest.json").exists():
        raise SystemExit("the front end is not built: run make frontend")
    import logging

    from bench import demo_shop

    logging.getLogger("rq").setLevel(logging.WARNING)

    stack = start_stack(plan="unlimited")
    try:
        stack.install(mode="callback")
        stack.work()
        shop = demo_shop.connect(stack)
        demo_shop.post(shop, {"events": demo_shop.sample_events()})
        stack.work()
        conn = stack.redis()
        member = stack.member_id

        def forget(auth_id: str) -> None:
            import hashlib

            conn.delete(f"bitrix_app:viewer:{member}:{hashlib.sha256(auth_id.encode()).hexdigest()[:40]}")

        session = requests.Session()
        floor = [_timed(lambda: session.get(f"{stack.live.url}/healthz", timeout=10)) for _ in range(args.opens)]
        out: dict = {"opens": args.opens, "floor_p50_ms": _pct(floor, 0.5), "floor_p95_ms": _pct(floor, 0.95)}
        for name, (code, options) in PLACEMENTS.items():
            cold, warm, data = zip(*(_open_once(stack, session, code, options, forget, FIRST_DATA[name])
                                     for _ in range(args.opens)))
            out[name] = {"cold_p50_ms": _pct(cold, 0.5), "cold_p95_ms": _pct(cold, 0.95),
                         "warm_p50_ms": _pct(warm, 0.5), "warm_p95_ms": _pct(warm, 0.95),
                         "data_p50_ms": _pct(data, 0.5), "data_p95_ms": _pct(data, 0.95),
                         "cold_p95_vs_floor": round(_pct(cold, 0.95) / max(_pct(floor, 0.95), 0.1), 1)}
        out.update(asset_sizes())
        out["database"] = stack.env["DATABASE_URL"].split(":", 1)[0]
        out["mean_cold_ms"] = round(statistics.mean(out[n]["cold_p50_ms"] for n in PLACEMENTS), 1)
    finally:
        stack.stop()
    met = all(max(out[n]["cold_p95_ms"], out[n]["data_p95_ms"]) < GOAL_P95_MS for n in PLACEMENTS) \
        and out["initial_kb_gz"] < GOAL_INITIAL_KB
    out["goal_met"] = met
    print(json.dumps(out))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
