"""`flask shops add|list|settings|import`: what an operator types, what they see, what ends in the portal."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bitrix_app.store.shop_models import InboxEvent, PortalSettings, Shop
from tests.fixtures.shop_env import T0, connect_shop, order_data, order_event


def _shop(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_shop)


def cli(shop, *args: str):
    return shop.env.app.test_cli_runner().invoke(args=list(args))


def last_json(result) -> dict:
    """The command's JSON answer: the last line of its stdout (progress bars go to stderr)."""
    return json.loads(result.stdout.strip().splitlines()[-1])


def count(shop, model, *where) -> int:
    with shop.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def app_calls(shop) -> int:
    return sum(1 for c in shop.env.calls() if c.get("auth") == "oauth")


def write_jsonl(path, lines: list) -> str:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
                    encoding="utf-8")
    return str(path)


# --- shops add / list -------------------------------------------------------------------------------------------

def test_add_prints_the_id_the_secret_and_the_platform_url(shop):
    res = cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Tea shop", "--platform", "woocommerce")
    assert res.exit_code == 0, res.output
    [line] = res.stdout.strip().splitlines()
    woo = json.loads(line)
    assert woo["shop_id"].startswith("shp_") and len(woo["secret"]) >= 32
    assert (woo["name"], woo["platform"]) == ("Tea shop", "woocommerce")
    assert woo["events_url"] == f"{shop.env.live.url}/shop/v1/{woo['shop_id']}/woocommerce"

    res = cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Main site")
    generic = json.loads(res.stdout)
    assert generic["platform"] == "generic" and generic["events_url"].endswith(f"/{generic['shop_id']}/events")
    assert generic["secret"] != woo["secret"] and generic["shop_id"] != woo["shop_id"]

    res = cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Boutique", "--platform", "shopify")
    assert json.loads(res.stdout)["events_url"].endswith("/shopify")


def test_the_printed_secret_signs_events_for_the_new_shop(shop):
    res = cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Second site")
    added = json.loads(res.stdout)
    second = replace(shop, shop_id=added["shop_id"], secret=added["secret"])  # the module's shop is left as built
    assert second.post(order_event("S2-1")).status_code == 202
    second.work()
    [deal] = second.deals()
    assert deal["ORIGINATOR_ID"] == added["shop_id"] and deal["TITLE"] == "Order #N-S2-1 (Second site)"


def test_add_for_an_unknown_portal_fails_clearly_and_stores_nothing(shop):
    res = cli(shop, "shops", "add", "--member-id", "no-such-portal", "--name", "Ghost shop")
    assert res.exit_code != 0
    assert res.output == "Error: no installed portal with member_id no-such-portal\n"
    assert res.stdout == ""  # no half-made shop id or secret to copy by mistake
    assert count(shop, Shop) == 1  # only the fixture's shop
    assert count(shop, PortalSettings, PortalSettings.member_id == "no-such-portal") == 0


@pytest.mark.parametrize("args,message", [
    (["--name", "  "], "name must be 1 to 255 characters"),
    (["--name", "x" * 256], "name must be 1 to 255 characters"),
    (["--name", "Shop", "--platform", "magento"], "magento"),
])
def test_add_refuses_bad_names_and_platforms(shop, args, message):
    res = cli(shop, "shops", "add", "--member-id", shop.member_id, *args)
    assert res.exit_code != 0 and message in res.output
    assert count(shop, Shop) == 1


def test_add_for_an_uninstalled_portal_is_refused(shop):
    shop.env.control("uninstall", {"client_id": "local.test.app", "clean": 0})
    shop.env.control("outbox/drain")
    shop.work()
    res = cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Late shop")
    assert res.exit_code != 0 and "no installed portal" in res.output
    assert count(shop, Shop) == 1


def test_list_shows_every_shop_of_the_portal_without_secrets(shop):
    added = json.loads(cli(shop, "shops", "add", "--member-id", shop.member_id, "--name", "Tea shop",
                           "--platform", "woocommerce").stdout)
    res = cli(shop, "shops", "list", "--member-id", shop.member_id)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.strip().splitlines()]
    assert [(r["shop_id"], r["name"], r["platform"], r["status"]) for r in rows] == [
        (shop.shop_id, "Bike shop", "generic", "active"), (added["shop_id"], "Tea shop", "woocommerce", "active")]
    assert rows[1]["events_url"] == added["events_url"]
    assert all("secret" not in r and "secret_enc" not in r for r in rows)
    assert shop.secret not in res.output and added["secret"] not in res.output
    other = cli(shop, "shops", "list", "--member-id", "someone-else")
    assert other.exit_code == 2 and other.stdout == ""


# --- shops settings ---------------------------------------------------------------------------------------------

def settings_of(shop) -> dict:
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_settings_show_the_defaults_and_change_what_is_set(shop):
    before = settings_of(shop)
    assert before["cart_delay_minutes"] == 60 and before["stage_map"]["paid"] == "PAID"
    assert before["timezone"] == "UTC" and before["reminder_minutes"] == [60, 1440]
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id,
              "--set", '{"cart_delay_minutes": 90, "stage_map": {"paid": "SHIPPED"}, "timezone": "Europe/Moscow"}')
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout)
    assert shown["cart_delay_minutes"] == 90 and shown["timezone"] == "Europe/Moscow"
    assert shown["stage_map"] == {**before["stage_map"], "paid": "SHIPPED"}  # the other statuses keep theirs
    assert settings_of(shop) == shown
    cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", '{"stage_map": {"new": "PENDING_PAYMENT"}}')
    after = settings_of(shop)
    assert after["stage_map"]["paid"] == "SHIPPED" and after["stage_map"]["new"] == "PENDING_PAYMENT"


def test_printed_settings_can_be_fed_back_unchanged(shop):
    shown = settings_of(shop)
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", json.dumps(shown))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == shown


@pytest.mark.parametrize("changes,field", [
    ({"stage_map": {"paid": "NO_SUCH_STAGE"}}, "stage_map"),
    ({"stage_map": {"lost_in_post": "WON"}}, "stage_map"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"cart_delay_minutes": 90, "timezone": "Europe/Atlantis"}, "timezone"),  # the good half is not kept either
    ({"cart_delay_minutes": 1}, "cart_delay_minutes"),
    ({"cart_delay_minutes": "soon"}, "cart_delay_minutes"),
    ({"reminder_minutes": [60, 120, 240]}, "reminder_minutes"),
    ({"quiet_hours": {"start": "25:00", "end": "09:00"}}, "quiet_hours"),
    ({"responsible_id": 0}, "responsible_id"),
])
def test_bad_settings_are_refused_and_nothing_changes(shop, changes, field):
    before = settings_of(shop)
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", json.dumps(changes))
    assert res.exit_code != 0
    assert res.output.startswith(f"Error: {field}") and res.output.count("\n") == 1
    assert settings_of(shop) == before


def test_settings_that_are_not_json_are_refused(shop):
    before = settings_of(shop)
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", "{cart_delay_minutes: 90")
    assert res.exit_code != 0 and "--set is not valid JSON" in res.output
    assert settings_of(shop) == before


def test_settings_for_an_unknown_portal_are_refused(shop):
    res = cli(shop, "shops", "settings", "--member-id", "no-such-portal", "--set", '{"cart_delay_minutes": 90}')
    assert res.exit_code != 0 and "no-such-portal" in res.output
    assert count(shop, PortalSettings, PortalSettings.member_id == "no-such-portal") == 0


def test_a_stage_map_override_is_honoured_by_the_sync(shop):
    res = cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", '{"stage_map": {"paid": "SHIPPED"}}')
    assert res.exit_code == 0, res.output
    shop.post(order_event("M1", status="paid"))
    shop.post(order_event("M2", status="new"))
    shop.work()
    stages = {d["ORIGIN_ID"]: (d["STAGE_ID"], d["UF_CRM_SHOP_ORDER_STATUS"]) for d in shop.deals()}
    assert stages == {"M1": (shop.stage("SHIPPED"), "paid"), "M2": (shop.stage("NEW"), "new")}
    cli(shop, "shops", "settings", "--member-id", shop.member_id, "--set", '{"stage_map": {"delivered": "WON"}}')
    shop.post(order_event("M2", kind="order.updated", status="delivered", version=T0 + timedelta(hours=1)))
    shop.work()
    stages = {d["ORIGIN_ID"]: d["STAGE_ID"] for d in shop.deals()}
    assert stages == {"M1": shop.stage("SHIPPED"), "M2": shop.stage("WON")}


# --- shops import -----------------------------------------------------------------------------------------------

def history(tmp_path) -> str:
    """Canonical events and bare orders mixed, as an export script would write them."""
    return write_jsonl(tmp_path / "orders.jsonl", [
        order_event("H1", status="new"),
        order_data("H2", status="paid", phone="+7 900 000-00-02", email="bob@example.com"),
        "",
        order_event("H1", kind="order.updated", status="shipped", version=T0 + timedelta(hours=1)),
        order_data("H3", status="completed", phone=None, email="cy@example.com",
                   items=[{"sku": "LOCK-9", "name": "Lock", "price": "30.00", "quantity": 3}]),
    ])


def test_import_with_sync_creates_the_deals_and_prints_a_summary(shop, tmp_path):
    res = cli(shop, "shops", "import", "--shop-id", shop.shop_id, history(tmp_path), "--sync")
    assert res.exit_code == 0, res.output
    summary = last_json(res)
    assert summary["shop_id"] == shop.shop_id
    assert (summary["accepted"], summary["duplicates"]) == (4, 0)
    assert summary["sync"]["drain"] == "idle"
    assert summary["sync"]["pending"] == 0 and summary["sync"]["failed"] == 0
    assert summary["sync"]["done"] + summary["sync"]["skipped"] == 4
    deals = {d["ORIGIN_ID"]: d for d in shop.deals()}
    assert set(deals) == {"H1", "H2", "H3"}
    assert deals["H1"]["STAGE_ID"] == shop.stage("SHIPPED")
    assert deals["H2"]["STAGE_ID"] == shop.stage("PAID")
    assert deals["H3"]["STAGE_ID"] == shop.stage("WON") and float(deals["H3"]["OPPORTUNITY"]) == 90.0
    assert [(r["PRODUCT_NAME"], float(r["QUANTITY"])) for r in shop.rows(deals["H3"]["ID"])] == [("Lock [LOCK-9]", 3.0)]
    assert len(shop.contacts()) == 3
    assert len({d["CONTACT_ID"] for d in deals.values()}) == 3


def test_import_without_sync_hands_the_events_to_the_worker(shop, tmp_path):
    res = cli(shop, "shops", "import", "--shop-id", shop.shop_id, history(tmp_path))
    assert res.exit_code == 0, res.output
    assert last_json(res) == {"shop_id": shop.shop_id, "accepted": 4, "duplicates": 0}
    assert shop.deals() == []
    shop.work()
    assert {d["ORIGIN_ID"] for d in shop.deals()} == {"H1", "H2", "H3"}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(shop, tmp_path):
    path = history(tmp_path)
    first = cli(shop, "shops", "import", "--shop-id", shop.shop_id, path, "--sync")
    assert first.exit_code == 0, first.output
    deals = sorted((d["ID"], d["ORIGIN_ID"], d["STAGE_ID"], d["CONTACT_ID"]) for d in shop.deals())
    calls = app_calls(shop)
    second = cli(shop, "shops", "import", "--shop-id", shop.shop_id, path, "--sync")
    assert second.exit_code == 0, second.output
    summary = last_json(second)
    assert (summary["accepted"], summary["duplicates"]) == (0, 4)
    assert summary["sync"]["pending"] == 0 and summary["sync"]["failed"] == 0
    assert count(shop, InboxEvent) == 4
    assert sorted((d["ID"], d["ORIGIN_ID"], d["STAGE_ID"], d["CONTACT_ID"]) for d in shop.deals()) == deals
    assert app_calls(shop) == calls  # the portal was not even asked


def test_a_file_with_one_invalid_line_imports_nothing_and_names_the_line(shop, tmp_path):
    bad = order_data("H9", status="lost")
    bad["items"][0]["price"] = "-1"
    path = write_jsonl(tmp_path / "orders.jsonl", [order_event("H7"), order_data("H8"), bad, order_event("H10")])
    res = cli(shop, "shops", "import", "--shop-id", shop.shop_id, path, "--sync")
    assert res.exit_code != 0
    assert "1 invalid line(s); nothing was imported" in res.output
    [problem] = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert problem["line"] == 3
    assert set(problem["errors"]) == {"data.status", "data.items.0.price"}  # field paths inside the line
    assert count(shop, InboxEvent) == 0
    assert shop.deals() == []


def test_a_line_that_is_not_json_is_named_too(shop, tmp_path):
    path = write_jsonl(tmp_path / "orders.jsonl", [order_event("J1"), "", '{"order_id": "J2", ', order_data("J3")])
    res = cli(shop, "shops", "import", "--shop-id", shop.shop_id, path)
    assert res.exit_code != 0 and "nothing was imported" in res.output
    [problem] = [json.loads(line) for line in res.stderr.splitlines() if line.startswith("{")]
    assert problem["line"] == 3 and "not JSON" in problem["errors"]["_line"][0]
    assert count(shop, InboxEvent) == 0


def test_import_into_an_unknown_shop_is_refused(shop, tmp_path):
    res = cli(shop, "shops", "import", "--shop-id", "shp_0000000000000000", history(tmp_path))
    assert res.exit_code != 0 and "no shop 'shp_0000000000000000'" in res.output
    assert count(shop, InboxEvent) == 0
