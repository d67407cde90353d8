"""The engine: incremental updates equal a full rebuild, transitions, the dirty flag, snapshots, catching up."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bitrix_app.segments.engine.snapshot import ACTIVE_CELLS
from bitrix_app.store.segment_models import SegmentSnapshot

IGNORED = ("computed_at", "dirty", "written")


def _comparable(rows: dict) -> dict:
    return {cid: {k: v for k, v in row.items() if k not in IGNORED} for cid, row in rows.items()}


def _history(hist) -> dict:
    """Thirty customers of every kind; answers a few of them by role."""
    people = {}
    for n in range(24):
        people[n] = hist.buyer(1 + n % 5, 3 + 17 * n, total=f"{40 + 13 * n}.50",
                               birthday=f"19{60 + n}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 3 else None,
                               gender=("female", "male", None)[n % 3])
    for n in range(24, 30):
        people[n] = hist.customer(birthday="1999-11-20" if n % 2 else None)
    return people


def test_incremental_updates_equal_a_full_rebuild(hist):
    people = _history(hist)
    hist.order(people[0], 40, total="10.00", utm="vk")  # earlier than the first purchase: the channel moves
    hist.rebuild()
    assert hist.transitions() == []
    touched = [people[3], people[7], people[24], people[11], people[5]]
    hist.order(people[3], 0.5, total="999.99", utm="google")  # a new purchase
    hist.order(people[24], 1, total="15.00")  # a first purchase
    first = hist.row(people[7])["first_order_at"]
    with hist.session() as s:
        from bitrix_app.store.shop_models import OrderRecord

        last_of_7 = s.scalar(select(OrderRecord.id).where(OrderRecord.customer_id == people[7])
                             .order_by(OrderRecord.ordered_at.desc()).limit(1))
    hist.set_status(last_of_7, "refunded")  # a purchase undone
    hist.set_profile(people[11], birthday="1980-11-05", gender="male")  # a new birthday and gender
    newcomer = hist.customer(gender="female")
    hist.order(newcomer, 2, total="75.00")
    hist.order(people[5], 1, total="12.00", status="cancelled")  # not a purchase: nothing changes
    moved = hist.refresh(*touched, newcomer)
    assert moved["customers"] == 6 and moved["enter"] > 0 and moved["leave"] > 0
    after_incremental, transitions = _comparable(hist.rows()), hist.transitions()
    assert hist.row(people[7])["first_order_at"] == first and hist.row(people[0])["channel"] == "vk"

    summary = hist.rebuild(recut=False)  # the same cut points: the rebuild must find nothing to change
    assert summary["transitions"] == 0 and hist.transitions() == transitions
    assert _comparable(hist.rows()) == after_incremental


def test_an_update_that_keeps_the_quintiles_equals_the_rebuild_that_recuts(hist):
    people = _history(hist)
    top = hist.buyer(9, 1, total="900.00")  # the most orders, revenue and the latest purchase
    hist.rebuild()
    cuts = {k: hist.state()[k] for k in ("recency", "frequency", "monetary", "lifespan_years")}
    hist.order(top, 0.5, total="50.00")
    hist.set_profile(people[26], birthday="1990-11-03")
    hist.refresh(top, people[26])
    expected = _comparable(hist.rows())
    hist.rebuild()
    assert {k: hist.state()[k] for k in cuts} == cuts
    assert _comparable(hist.rows()) == expected


def test_transitions_baseline_then_enter_and_leave(hist):
    edge = hist.buyer(1, 60)  # NEW_ACTIVE today, NEW_SLEEPING tomorrow
    lapsed = hist.buyer(1, 100)
    steady = hist.buyer(1, 20)
    first = hist.rebuild()
    assert first["baseline"] and first["transitions"] == 0 and hist.transitions() == []

    hist.now += timedelta(days=1)
    second = hist.rebuild()
    assert not second["baseline"]
    assert hist.transitions() == [(edge, "NEW_ACTIVE", "leave"), (edge, "NEW_SLEEPING", "enter")]
    assert second["transitions"] == 2

    hist.order(lapsed, 0, total="10.00")
    hist.refresh(lapsed)
    moves = set(hist.transitions()[2:])
    assert {(lapsed, "NEW_SLEEPING", "leave"), (lapsed, "LAPSED_90", "leave"),
            (lapsed, "PROMISING_ACTIVE", "enter")} <= moves
    assert all(cid == lapsed for cid, _, _ in moves) and steady not in {c for c, _, _ in hist.transitions()}


def test_a_new_definition_starts_with_its_own_baseline(hist):
    from bitrix_app.segments.kinds import definitions

    cid = hist.buyer(1, 44)
    hist.rebuild()
    with hist.session() as s:
        definitions.create(s, hist.member_id, {"code": "QUIET_45", "kind": "lapsed", "name_en": "Quiet 45 days",
                                                "name_ru": "Тишина 45 дней", "params": {"days": 45}}, hist.now)
    hist.now += timedelta(days=1)
    hist.rebuild()  # QUIET_45 is new: its members join without entering
    assert "QUIET_45" in hist.segments(cid) and hist.transitions() == []
    hist.order(cid, 0)
    hist.refresh(cid)
    assert (cid, "QUIET_45", "leave") in hist.transitions()


def test_the_dirty_flag_follows_changes_of_the_written_figures(hist):
    edge = hist.buyer(1, 60)
    calm = hist.buyer(2, 10)
    plain = hist.customer()
    hist.rebuild()
    assert all(row["dirty"] for row in hist.rows().values())  # new rows: everything to write
    hist.clear_dirty()
    hist.rebuild()
    assert not any(row["dirty"] for row in hist.rows().values())
    hist.now += timedelta(days=1)
    hist.rebuild()
    assert {cid for cid, row in hist.rows().items() if row["dirty"]} == {edge}  # NEW_ACTIVE -> NEW_SLEEPING
    assert hist.row(calm)["days_since"] == 10  # only the day count changed: the row keeps its figures
    hist.clear_dirty()
    hist.set_profile(plain, first_name="Bea")
    hist.refresh(plain)
    assert not hist.row(plain)["dirty"]
    hist.set_profile(plain, birthday="1990-11-20")
    hist.refresh(plain)
    assert hist.row(plain)["dirty"] and "BIRTHDAY_MONTH" in hist.segments(plain)


def test_snapshot_numbers_add_up_and_the_trend_follows(hist):
    for n in range(12):
        hist.buyer(1 + n % 5, 5 + 30 * n)
    for _ in range(3):
        hist.customer()
    first = hist.rebuild()
    counts = first["counts"]
    assert first["customers"] == 15 and first["buyers"] == 12
    cells = [code for code in counts if code.endswith(("_ACTIVE", "_SLEEPING", "_LOST")) and "_" in code
             and not code.startswith("RFM_")]
    assert sum(counts[c] for c in cells) == first["buyers"]
    assert first["active"] == sum(counts[c] for c in ACTIVE_CELLS) == 2
    assert sum(v for k, v in counts.items() if k.startswith("RFM_")) == first["buyers"]
    assert first["active_share"] == round(2 / 12, 4) and first["trend"] is None
    hist.now += timedelta(days=30)
    second = hist.rebuild()
    assert second["active"] == 1 and second["trend"] == round(round(1 / 12, 4) - round(2 / 12, 4), 4)
    with hist.session() as s:
        assert s.scalar(select(SegmentSnapshot.id).order_by(SegmentSnapshot.id.desc()).limit(1)) is not None


def test_orders_stored_during_a_rebuild_are_caught_up(hist):
    early = hist.buyer(1, 30)
    for _ in range(5):
        hist.buyer(1, 200)
    hist.rebuild()
    added = []

    def progress(_label, done, _total):
        if not added:  # the first chunk (with `early`) is already written: a new order arrives now
            added.append(hist.order(early, 0, total="5.00"))

    summary = hist.rebuild(progress=progress, chunk=2)
    assert summary["caught_up"] == 1
    assert hist.row(early)["orders"] == 2 and hist.row(early)["lifecycle"] == "PROMISING_ACTIVE"


def test_customers_that_are_gone_lose_their_row(hist):
    from sqlalchemy import delete

    from bitrix_app.store.shop_models import Customer

    gone, kept = hist.buyer(1, 3), hist.buyer(1, 4)
    other = hist.customer(member_id="another-portal")
    hist.rebuild()
    with hist.session() as s:
        s.execute(delete(Customer).where(Customer.id == gone))
    hist.rebuild()
    assert set(hist.rows()) == {kept} and other not in hist.rows()
