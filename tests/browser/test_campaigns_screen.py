"""The campaigns screen in the portal frame: the admin enables the strategy of each of the 9 lifecycle cells and runs
it on a portal whose customers sit in every cell; each does what it says in the sandbox portal (deals in Repeat
sales, call to-dos, e-mails); a cell's offer and text are adjusted; the campaign form shows its 422s by the fields;
a report opens with its chart."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bitrix_app.campaigns import definitions
from bitrix_app.campaigns.preset_catalog import CELL_PRESETS, PRESETS
from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.store.campaign_models import CampaignEntry
from bitrix_app.store.db import transaction
from tests.browser.live_portal import MAIN, LivePortal, off_the_loop
from tests.campaigns.campaigns_env import CampaignsEnv
from bitrix_app.clock import FrozenClock
from tests.fixtures.shop_env import T0, connect_shop

pytestmark = pytest.mark.long  # handed out first in a parallel run

CELLS = [code for code, _, _ in LIFECYCLE_CELLS]
WORDS = {
    "ru": {"tab": "Кампании", "on": "Включена", "queued": "Запуск поставлен в очередь", "saved": "Сохранено"},
    "en": {"tab": "Campaigns", "on": "On", "queued": "The run is queued", "saved": "Saved"},
}
FIRST_NAMES = ["Anna", "Boris", "Vera", "Gleb", "Dina", "Egor", "Zoya", "Igor", "Kira"]


def _seed(portal_env) -> CampaignsEnv:
    clock = FrozenClock(T0)  # a weekday morning: no quiet hours hold the e-mails back
    ce = CampaignsEnv(connect_shop(portal_env(CLOCK=clock)), clock)
    for name, cell in zip(FIRST_NAMES, CELLS):
        ce.customer(name, segments=(cell,))
    return ce


@pytest.fixture
def seeded(shared_portal, manifest):
    ce = off_the_loop(lambda: shared_portal(_seed))
    return ce, LivePortal(ce.env)


def _no_holdout(ce: CampaignsEnv) -> None:
    """Every customer gets the actions (one customer a cell: a holdout draw would leave a cell without any)."""
    with transaction(ce.factory()) as s:
        for code in CELL_PRESETS.values():
            row = definitions.get(s, ce.member_id, code)
            row.holdout_percent = 0


def _entries(ce: CampaignsEnv) -> list[CampaignEntry]:
    with transaction(ce.factory()) as s:
        return list(s.scalars(select(CampaignEntry)))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_nine_cell_strategies_are_enabled_and_run_from_the_screen(seeded, page, screenshots, lang):
    ce, live = seeded
    words = WORDS[lang]
    page.set_viewport_size({"width": 1400, "height": 1000})
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=words["tab"]).click()
    grid = main.get_by_test_id("strategy-grid")
    for code in CELL_PRESETS.values():
        card = grid.get_by_test_id(f"preset-{code}")
        card.get_by_test_id("preset-toggle").click()
        card.get_by_test_id("preset-run").wait_for()
        card.get_by_text(words["on"], exact=True).wait_for()
    off_the_loop(lambda: _no_holdout(ce))

    second = grid.get_by_test_id("preset-SECOND_PURCHASE")  # the new-active cell's offer and text, adjusted
    second.get_by_test_id("preset-adjust").click()
    second.get_by_test_id("preset-discount").fill("12")
    second.get_by_test_id("preset-text").fill(
        "{first_name}, {discount} off your second order: {promo_code}")
    second.get_by_test_id("preset-save").click()
    second.get_by_test_id("preset-note").get_by_text(words["saved"]).wait_for()

    for code in CELL_PRESETS.values():
        card = grid.get_by_test_id(f"preset-{code}")
        card.get_by_test_id("preset-run").click()
        card.get_by_test_id("preset-note").get_by_text(words["queued"]).wait_for()
    live.work()

    entries = off_the_loop(lambda: _entries(ce))
    assert len(entries) == 9 and {e.status for e in entries} == {"done"}, [e.results for e in entries]
    deals = off_the_loop(ce.deals)
    with_deal = [c for c in CELL_PRESETS.values() if any(a["type"] == "deal" for a in PRESETS[c]["actions"])]
    assert len(deals) == len(with_deal) == 3
    emails = off_the_loop(ce.emails)
    assert len(emails) == 9
    assert any("12% off your second order" in (m["DESCRIPTION"] or "") for m in emails), [m["DESCRIPTION"] for m in emails]
    todos = off_the_loop(lambda: ce.env.calls("crm.activity.todo.add"))
    assert len(todos) == 2

    grid.get_by_test_id("preset-SECOND_PURCHASE").get_by_test_id("preset-report").click()
    report = main.get_by_test_id("campaign-report")
    report.get_by_test_id("report-entered").get_by_text("1").wait_for()
    report.get_by_test_id("report-chart").wait_for()
    page.locator(MAIN).screenshot(path=str(screenshots / f"campaigns-{lang}.png"))
    assert page.console_errors == []


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_campaign_form_shows_the_apis_refusals_by_their_fields(seeded, page, lang):
    _, live = seeded
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=WORDS[lang]["tab"]).click()
    main.get_by_test_id("campaign-new").click()
    form = main.get_by_test_id("campaign-form")
    form.get_by_test_id("form-code").fill("bad code")
    form.get_by_test_id("form-holdout").fill("90")
    form.get_by_test_id("form-save").click()
    form.get_by_test_id("form-code-error").wait_for()  # the API's 422s, next to the fields they are about
    form.get_by_test_id("form-holdout-error").get_by_text("50").wait_for()
    assert page.console_errors == [] or all("422" in e for e in page.console_errors)
