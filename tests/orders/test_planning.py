"""The allocation strategy alone: where each line's units go."""

from orders.planning import Demand
from orders.planning import plan as allocate

A, B, C = "sloc_a", "sloc_b", "sloc_c"


def demand(units, backorder=False, line="item_1"):
    return Demand(line, f"line {line}", backorder, units)


def test_whole_line_goes_to_the_first_location_that_covers_it():
    # given A cannot cover 5 but B can
    available = {("shirt", A): 3, ("shirt", B): 9, ("shirt", C): 50}
    # when
    plan = allocate([demand({"shirt": 5})], [A, B, C], available)
    # then
    assert plan.placements == [("item_1", "shirt", B, 5)]
    assert available[("shirt", B)] == 4
    assert not plan.shortages


def test_a_kit_needs_every_item_at_one_location_to_stay_whole():
    available = {("mug", A): 4, ("box", A): 0, ("mug", B): 4, ("box", B): 2}
    plan = allocate([demand({"mug": 4, "box": 2})], [A, B], available)
    assert sorted(plan.placements) == [("item_1", "box", B, 2), ("item_1", "mug", B, 4)]


def test_a_line_no_location_covers_is_split_in_link_order():
    available = {("shirt", A): 2, ("shirt", B): 1, ("shirt", C): 5}
    plan = allocate([demand({"shirt": 6})], [A, B, C], available)
    assert plan.placements == [
        ("item_1", "shirt", A, 2),
        ("item_1", "shirt", B, 1),
        ("item_1", "shirt", C, 3),
    ]


def test_backorder_reserves_the_remainder_at_the_first_stocking_location():
    available = {("shirt", B): 1, ("shirt", C): 1}
    plan = allocate([demand({"shirt": 5}, backorder=True)], [A, B, C], available)
    assert plan.placements == [("item_1", "shirt", B, 4), ("item_1", "shirt", C, 1)]
    assert available[("shirt", B)] == -3


def test_a_short_line_reserves_nothing_and_reports_what_is_available():
    available = {("shirt", A): 2, ("shirt", B): 1}
    plan = allocate([demand({"shirt": 4})], [A, B], available)
    assert plan.placements == []
    assert plan.shortages == [
        {
            "line_item_id": "item_1",
            "inventory_item_id": "shirt",
            "label": "line item_1",
            "requested": 4,
            "available": 3,
            "missing": 1,
        }
    ]
    assert available == {("shirt", A): 2, ("shirt", B): 1}


def test_later_lines_see_what_earlier_lines_took():
    available = {("shirt", A): 5}
    plan = allocate(
        [demand({"shirt": 3}, line="item_1"), demand({"shirt": 3}, line="item_2")],
        [A],
        available,
    )
    assert plan.placements == [("item_1", "shirt", A, 3)]
    assert [s["line_item_id"] for s in plan.shortages] == ["item_2"]
    assert plan.shortages[0]["available"] == 2
