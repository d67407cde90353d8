"""The segments screen in the portal frame: a portal with synced orders and a segment rebuild; the admin builds a
custom segment with the rule builder and sees its live count, saves it and sees the same count in the list once its
job ran, opens it (the members table fits the frame's width) and downloads its CSV (names and e-mails), reads why a
customer is there in the page's language, edits the rule (its new count once the job ran), previews a threshold's
change of the matrix and deletes the segment after confirming."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser.live_portal import MAIN, LivePortal, off_the_loop, seed_customers
from tests.placement.placement_env import NOW

pytestmark = pytest.mark.long  # handed out first in a parallel run

ORDERS = (  # order, days before now, status, customer
    ("A1", 200, "paid", "ann"), ("A2", 40, "delivered", "ann"), ("B1", 3, "paid", "bo"),
    ("C1", 9, "paid", "cy"), ("C2", 2, "paid", "cy"),
)
PEOPLE = {"ann": ("Ann", "Lee", "+7 999 123-45-67"), "bo": ("Bo", "Berg", "+7 999 000-00-01"),
          "cy": ("Cy", "Cole", "+7 999 000-00-02")}
WORDS = {"ru": {"tab": "Сегменты", "at_least": "не меньше", "new": "Новый сегмент",
               "why": "Покупок: не меньше 2: у клиента 2, условие выполнено.", "bought": "Покупал товар"},
         "en": {"tab": "Segments", "at_least": "at least", "new": "New segment",
                "why": "Purchases: at least 2: the customer's value is 2, so it holds.", "bought": "Bought a product"}}
NO_SIDEWAYS = "e => e.scrollWidth <= e.clientWidth + 1"


def _seed(portal_env):
    shop = seed_customers(portal_env, NOW, ORDERS, PEOPLE)
    return shop


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    return shop, LivePortal(shop.env)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_build_a_segment_export_it_and_preview_a_threshold(seeded, page, screenshots, lang):
    shop, live = seeded
    words = WORDS[lang]
    page.set_viewport_size({"width": 1280, "height": 1000})
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=words["tab"]).click()
    screen = main.get_by_test_id("segments")
    screen.get_by_test_id("count-NEW_ACTIVE").wait_for()

    # the rule builder: purchases at least 2, and (a nested group) not in the lifecycle cell "new lost"
    screen.get_by_test_id("new-segment").click()
    editor = screen.get_by_test_id("segment-editor")
    condition = editor.get_by_test_id("rule-condition").first
    condition.get_by_test_id("cond-op").click()
    main.get_by_role("option", name=words["at_least"], exact=True).click()
    condition.get_by_test_id("cond-value").fill("2")
    live.typed(page)
    count = editor.locator("[data-testid=preview-count][data-count]")
    count.wait_for()
    assert count.get_attribute("data-count") == "2"  # Ann and Cy bought twice
    editor.get_by_test_id("name-ru").fill("Повторные покупатели")
    editor.get_by_test_id("name-en").fill("Repeat buyers")
    editor.get_by_test_id("save-segment").click()
    screen.get_by_test_id("count-REPEAT_BUYERS").wait_for()  # stored, its job queued
    live.work(page)  # the saved definition's own job computes its members
    screen.locator("[data-testid=count-REPEAT_BUYERS][data-count='2']").wait_for(timeout=15000)
    assert "2" in screen.get_by_test_id("count-REPEAT_BUYERS").inner_text()

    # its members, exported as CSV with names and e-mails
    screen.get_by_test_id("open-segment-REPEAT_BUYERS").click()
    members = screen.get_by_test_id("segment-members")
    members.get_by_test_id("members-table").get_by_text("Ann Lee").wait_for()
    assert members.get_by_test_id("members-table").evaluate(NO_SIDEWAYS)  # no sideways scrolling at 1280 px
    assert "ann@example.com" in members.get_by_test_id("member-contacts").first.inner_text()
    with page.expect_download() as download:
        members.get_by_test_id("export-csv").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted((r["name"], r["email"]) for r in rows) == [("Ann Lee", "ann@example.com"),
                                                            ("Cy Cole", "cy@example.com")]
    members.get_by_test_id("explain").first.click()
    panel = members.get_by_test_id("explain-panel")
    panel.get_by_text("Repeat buyers" if lang == "en" else "Повторные покупатели").first.wait_for()
    panel.get_by_text(words["why"]).wait_for()  # the reasons in the page's language, names instead of codes
    assert "REPEAT_BUYERS" not in panel.inner_text() and ">=" not in panel.inner_text()
    page.locator(MAIN).screenshot(path=str(screenshots / f"segments-members-{lang}.png"))
    panel.get_by_role("button").first.click()

    # the stored rule edited: purchases at least 3 holds nobody; saved, its members are computed again
    screen.get_by_test_id("edit-segment-REPEAT_BUYERS").click()
    editor = screen.get_by_test_id("segment-editor")
    editor.get_by_test_id("cond-value").first.fill("3")
    live.typed(page)
    editor.locator("[data-testid=preview-count][data-count='0']").wait_for()
    editor.get_by_test_id("save-segment").click()
    editor.wait_for(state="detached")
    live.work(page)
    screen.locator("[data-testid=count-REPEAT_BUYERS][data-count='0']").wait_for(timeout=15000)

    # a threshold's change previewed on the matrix: promising from the 3rd purchase moves Ann and Cy to "new"
    thresholds = screen.get_by_test_id("thresholds")
    field = thresholds.get_by_test_id("threshold-promising_from")
    field.wait_for()
    field.fill("3")
    live.typed(page)
    preview = thresholds.get_by_test_id("matrix-preview")
    preview.wait_for()
    preview.get_by_test_id("preview-PROMISING_ACTIVE").get_by_text("0", exact=True).wait_for()
    assert "(+2)" in preview.get_by_test_id("preview-NEW_ACTIVE").inner_text()
    text = screen.inner_text()
    assert "None" not in text and "null" not in text and "T00:" not in text and "REPEAT_BUYERS" not in text
    assert screen.get_by_test_id("segment-list").evaluate(NO_SIDEWAYS)
    page.locator(MAIN).screenshot(path=str(screenshots / f"segments-{lang}.png"))

    # deleted after an inline confirmation; built-in segments offer no delete
    assert screen.get_by_test_id("delete-segment-NEW_ACTIVE").count() == 0
    screen.get_by_test_id("delete-segment-REPEAT_BUYERS").click()
    screen.get_by_test_id("confirm-delete-yes").click()
    screen.get_by_test_id("count-REPEAT_BUYERS").wait_for(state="detached")

    # a bought-product condition picks the product by name from the shop's order lines: everyone bought the bike
    screen.get_by_test_id("new-segment").click()
    condition = screen.get_by_test_id("segment-editor").get_by_test_id("rule-condition").first
    condition.get_by_test_id("cond-field").click()
    main.get_by_role("option", name=words["bought"], exact=True).click()
    condition.get_by_test_id("cond-items").get_by_test_id("pick-product").filter(has_text="City bike").click()
    live.typed(page)
    screen.locator("[data-testid=preview-count][data-count='3']").wait_for()
    assert page.console_errors == []
