"""The app's main (admin) page: lifecycle matrix, active share and trend, sync health, campaigns, admin token."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import delete

from bitrix_app.campaigns import presets
from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import T0
from tests.placement.placement_env import NOW, placement_env, section

CELLS = {"NEW_ACTIVE": 2, "PROMISING_SLEEPING": 1, "LOYAL_ACTIVE": 1, "LOYAL_LOST": 3}


@pytest.fixture
def pe(portal_env):
    env = placement_env(portal_env)
    env.sync_order("A1", T0 - timedelta(days=100), status="paid")
    env.sync_order("A2", T0 - timedelta(days=40), status="delivered")
    with env.session() as s:  # the figures a rebuild left: only the rows below
        s.execute(delete(CustomerFigures).where(CustomerFigures.member_id == env.member_id))
    n = 1000
    for cell, count in CELLS.items():
        for _ in range(count):
            n += 1
            env.set_figures(n, (cell,), orders=1, lifecycle=cell)
    env.set_figures(2000, (), orders=0)  # a customer without purchases sits in no cell
    return env


def _campaign_row(table: str, code: str) -> str:
    start = table.index(f'data-campaign="{code}"')
    return table[start:table.index("</tr>", start)].replace("\n", "")


def _main(pe, lang: str = "en") -> str:
    ans = pe.open("DEFAULT", lang=lang)
    assert ans["status"] == 200 and not ans["frame_blocked"], ans
    return ans["body"]


def _cell(html: str, code: str) -> int:
    found = re.search(rf'data-cell="{code}"><span class="count">(\d+)</span>', html)
    return int(found.group(1))


def test_the_lifecycle_matrix_counts_customers_per_cell(pe):
    html = _main(pe)
    matrix = section(html, "matrix", "</table>")
    for cell in ("NEW_ACTIVE", "NEW_SLEEPING", "NEW_LOST", "PROMISING_ACTIVE", "PROMISING_SLEEPING",
                 "PROMISING_LOST", "LOYAL_ACTIVE", "LOYAL_SLEEPING", "LOYAL_LOST"):
        assert _cell(matrix, cell) == CELLS.get(cell, 0), cell
    assert 'data-column="ACTIVE">3<' in matrix and 'data-column="LOST">3<' in matrix
    assert "data-total>7<" in matrix
    assert matrix.index(">New<") < matrix.index(">Promising<") < matrix.index(">Loyal<")
    assert matrix.index(">Active<") < matrix.index(">Sleeping<") < matrix.index(">Lost<")


def test_without_a_snapshot_the_share_is_counted_now_and_has_no_trend(pe):
    html = _main(pe)
    share = section(html, "active-share", "</p>")
    assert 'class="ok">42.9 %<' in share and "target 30 %" in share  # 3 of 7 buyers are active
    assert 'id="trend"' not in share and "No rebuild yet" in html


def test_the_share_and_its_trend_come_from_the_latest_two_snapshots(pe):
    pe.snapshot(NOW - timedelta(days=30), active_share=0.1, target=0.3, active=1, buyers=10)
    pe.snapshot(NOW - timedelta(days=8), active_share=0.25, target=0.3, active=5, buyers=20)
    pe.snapshot(NOW - timedelta(days=1), active_share=0.2857, target=0.3, active=6, buyers=21, trend=0.0357)
    share = section(_main(pe), "active-share", "</p>")
    assert 'class="warn">28.6 %<' in share and "target 30 %" in share
    assert '<span id="trend">+3.6 %</span>' in share and "2026-11-11 10:00 UTC" in share


def test_a_single_snapshot_says_so(pe):
    pe.snapshot(NOW - timedelta(days=1), active_share=0.35, target=0.3, active=7, buyers=20, trend=None)
    share = section(_main(pe), "active-share", "</p>")
    assert 'class="ok">35 %<' in share and "one rebuild so far" in share


def test_sync_health_shows_inbox_counts_last_processed_and_failures(pe):
    with pe.session() as s:
        s.add(InboxEvent(shop_id=pe.shop.shop_id, member_id=pe.member_id, event_id="broken", type="order.created",
                         subject="order:X", payload="{}", status="failed", attempts=8, last_error="boom",
                         next_attempt_at=NOW, received_at=NOW - timedelta(hours=2),
                         processed_at=NOW - timedelta(hours=1)))
    html = _main(pe)
    sync = section(html, "sync", "</table>")
    assert '<span data-status="done">done: 2</span>' in sync
    assert '<span data-status="pending">pending: 0</span>' in sync
    assert '<span data-status="failed">failed: 1</span>' in sync
    assert 'id="last-processed">2026-11-12 10:00 UTC<' in sync  # the sync ran at the app's clock
    assert 'id="failed" class="warn">1<' in sync
    assert "Sync health" in html and "active" in html


def test_campaigns_summary(pe):
    with pe.session() as s:
        presets.install(s, pe.member_id, NOW, codes=["WELCOME_NEW", "WIN_BACK_PROMISING"])
    with pe.session() as s:
        win_back = s.query(Campaign).filter_by(member_id=pe.member_id, code="WIN_BACK_PROMISING").one()
        s.add(CampaignEntry(member_id=pe.member_id, campaign_id=win_back.id, customer_id=pe.order("A1").customer_id,
                            run_key="t:1", entered_at=T0 - timedelta(days=50), status="done", reached=True,
                            window_ends_at=T0 - timedelta(days=36), updated_at=T0 - timedelta(days=50)))
    html = _main(pe)
    table = section(html, "campaigns", "</table>")
    win = _campaign_row(table, "WIN_BACK_PROMISING")
    assert "Win back the promising sleeping" in win and "PROMISING_SLEEPING" in win
    assert re.findall(r'<td class="num">([^<]*)</td>', win) == ["1", "1", "1", "551.00", "—"]
    welcome = _campaign_row(table, "WELCOME_NEW")
    assert "Welcome the new active" in welcome and "NEW_ACTIVE" in welcome
    assert re.findall(r'<td class="num">([^<]*)</td>', welcome) == ["0", "0", "0", "0.00", "—"]


def test_no_campaigns_yet(pe):
    assert "No campaigns yet." in _main(pe)


def test_the_page_carries_a_portal_scoped_admin_token_for_the_rebuild_button(pe):
    html = _main(pe)
    button = section(html, "rebuild", ">")
    token = re.search(r'data-token="([^"]+)"', button).group(1)
    url = re.search(r'data-url="([^"]+)"', button).group(1)
    assert url == f"/api/v1/portals/{pe.member_id}/segments/rebuild"
    res = requests.post(pe.env.live.url + url, headers={"Authorization": f"Bearer {token}"}, json={}, timeout=10)
    assert res.status_code == 202 and res.json()["job_id"]
    other = requests.post(f"{pe.env.live.url}/api/v1/portals/other-portal/segments/rebuild",
                          headers={"Authorization": f"Bearer {token}"}, json={}, timeout=10)
    assert other.status_code == 401
    assert '<script src="/placement-ui/static/admin.js">' in html


def test_static_files_are_served_and_nothing_comes_from_a_cdn(pe):
    html = _main(pe)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for name, kind in (("placement.css", "text/css"), ("admin.js", "javascript")):
        res = requests.get(f"{pe.env.live.url}/placement-ui/static/{name}", timeout=10)
        assert res.status_code == 200 and kind in res.headers["Content-Type"]


def test_admin_page_in_russian(pe):
    pe.snapshot(NOW - timedelta(days=8), active_share=0.25, target=0.3, active=5, buyers=20)
    pe.snapshot(NOW - timedelta(days=1), active_share=0.2, target=0.3, active=4, buyers=20)
    html = _main(pe, lang="ru")
    for text in ("Жизненный цикл покупателей", "Новые активные", "Лояльные потерянные", ">Спящие<",
                 "Доля активных", "цель 30 %", '<span id="trend">-5 %</span>', "Состояние синхронизации",
                 "обработано: 2", "Кампаний пока нет.", "Пересчитать сегменты"):
        assert text in html, text
