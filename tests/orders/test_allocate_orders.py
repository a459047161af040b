"""`manage.py allocate_orders`: reserve open lines in batches, report, resume after a crash."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

import orders.allocation
from inventory.models import InventoryLevel
from inventory.services import inventory_level_update
from orders.models import LineItem
from orders.services import fulfillment_create, order_cancel, order_line_reserve
from reservations.models import ReservationItem
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    SalesChannelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.orders import (
    channel_with_locations,
    level_of,
    line_of,
    place_order,
    stocked_variant,
    without_allocation,
)

SUMMARY = re.compile(
    r"(\d+) lines looked at; (\d+) lines (?:would be )?allocated \((\d+) units\); "
    r"(\d+) lines short\."
)


def allocate(*args) -> str:
    out = io.StringIO()
    call_command("allocate_orders", *args, stdout=out)
    return out.getvalue()


def reserved_by_line() -> dict[str, int]:
    """Units reserved per line item (lines without reservations are absent)."""
    return dict(
        ReservationItem.objects.values("line_item_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_item_id", "total")
    )


def counters() -> list[tuple]:
    return sorted(
        InventoryLevel.objects.values_list("inventory_item_id", "location_id", "reserved_quantity")
    )


def unreserved_orders(*orders_items, channel=None):
    """Place orders (`{variant: quantity}` each) without the automatic reservation."""
    with without_allocation():
        return [place_order(items, channel) for items in orders_items]


@pytest.fixture
def locations(default_channel):
    """north and south linked to the default channel (in that order); east is not."""
    north, south, east = (StockLocationFactory(name=n) for n in ("north", "south", "east"))
    channel_with_locations(north, south)
    return north, south, east


@pytest.fixture
def shop(locations):
    """A second channel, selling from east only."""
    return channel_with_locations(locations[2], channel=SalesChannelFactory(name="shop"))


# A few hundred lines ---------------------------------------------------------------------


@pytest.fixture
def store(locations, shop, default_channel):
    """300 unreserved lines: 20 web orders and 10 shop orders of the same 10 variants, 1-3
    units each. V0-V8 have stock for every line; V9 has 5 at north, 3 at east, none at south."""
    north, south, east = locations
    variants = [
        stocked_variant((north, 30), (south, 20), (east, 25), title=f"V{n}") for n in range(9)
    ]
    variants.append(stocked_variant((north, 5), (east, 3), title="V9"))
    web_orders = [{v: 1 + (n + k) % 3 for k, v in enumerate(variants)} for n in range(20)]
    shop_orders = [{v: 1 + (n + 2 * k) % 3 for k, v in enumerate(variants)} for n in range(10)]
    unreserved_orders(*web_orders)
    unreserved_orders(*shop_orders, channel=shop)
    return variants


@pytest.mark.django_db
def test_allocates_a_few_hundred_lines_in_batches_and_reports_the_short_ones(
    store, locations, consistent
):
    # when
    out = allocate("--batch-size", "40")
    # then: every line is reserved whole or not at all
    lines = {line.pk: line for line in LineItem.objects.select_related("variant", "order")}
    reserved = reserved_by_line()
    assert len(lines) == 300
    assert all(reserved[pk] == lines[pk].quantity for pk in reserved)
    short = [line for pk, line in lines.items() if pk not in reserved]
    # only V9 runs short; each short line needs more than its channel still has free
    assert short
    assert {line.variant.title for line in short} == {"V9"}
    north, south, east = locations
    free = {
        loc: level_of(store[9], loc).available_quantity for loc in (north, east)
    }  # south does not stock V9
    for line in short:
        channel_free = free[east] if line.order.sales_channel.name == "shop" else free[north]
        assert line.quantity > channel_free
    # the summary counts lines and units, and names the first 20 short lines
    units = sum(reserved.values())
    assert out.splitlines()[0] == (
        f"300 lines looked at; {len(reserved)} lines allocated ({units} units); "
        f"{len(short)} lines short."
    )
    listed = re.findall(
        r"^  short: V9 \(line (item_\w+), SKU-\d+\): missing (\d) of (\d) \(available (\d)\)$",
        out,
        re.M,
    )
    assert len(listed) == min(len(short), 20)
    by_id = {line.pk: line for line in short}
    for pk, missing, of, available in listed:
        assert int(of) == by_id[pk].quantity
        assert int(missing) == int(of) - int(available) > 0
    if len(short) > 20:
        assert out.splitlines()[-1] == f"  … and {len(short) - 20} more short lines"
    assert units == sum(level.reserved_quantity for level in InventoryLevel.objects.all())
    consistent()


@pytest.mark.django_db
def test_an_interrupted_run_keeps_its_committed_batches_and_a_rerun_completes_the_rest(
    store, monkeypatch, consistent
):
    # given: the third batch fails after reserving, as a crash mid-batch would
    real = orders.allocation._allocate
    calls = []

    def crash_in_third_batch(*args, **kwargs):
        calls.append(1)
        plan = real(*args, **kwargs)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return plan

    monkeypatch.setattr(orders.allocation, "_allocate", crash_in_third_batch)
    # when
    with pytest.raises(RuntimeError, match="killed"):
        allocate("--batch-size", "25")
    # then: the first two batches (50 lines in id order) stay reserved, the third rolled back
    first_50 = set(LineItem.objects.order_by("pk").values_list("pk", flat=True)[:50])
    after_crash = reserved_by_line()
    assert set(after_crash) <= first_50
    assert len(after_crash) >= 45  # only V9 lines can be short
    consistent()
    # when: run again, for real
    monkeypatch.setattr(orders.allocation, "_allocate", real)
    out = allocate("--batch-size", "25")
    # then: it looks at all lines again, allocates only the rest, reserves nothing twice
    looked, allocated, units, short = map(int, SUMMARY.match(out).groups())
    final = reserved_by_line()
    assert looked == 300
    assert allocated == len(final) - len(after_crash)
    assert all(final[pk] == after_crash[pk] for pk in after_crash)
    quantities = dict(LineItem.objects.values_list("pk", "quantity"))
    assert all(final[pk] == quantities[pk] for pk in final)
    assert units == sum(final.values()) - sum(after_crash.values())
    assert short == 300 - len(final)
    consistent()


@pytest.mark.django_db
def test_a_second_run_finds_nothing_left_to_allocate(store, consistent):
    first = allocate()
    before = counters(), reserved_by_line()
    # when
    out = allocate()
    # then: the short lines are still short; nothing else changes
    _, _, _, short = map(int, SUMMARY.match(first).groups())
    assert (
        out.splitlines()[0]
        == f"300 lines looked at; 0 lines allocated (0 units); {short} lines short."
    )
    assert (counters(), reserved_by_line()) == before
    consistent()


# Options ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_reports_what_a_real_run_would(locations, consistent):
    # given: two lines of 6 and 10 in stock; one batch per line
    north, _, _ = locations
    variant = stocked_variant((north, 10), title="Lamp")
    unreserved_orders({variant: 6}, {variant: 6})
    second = LineItem.objects.order_by("pk").last()
    before = counters()
    # when
    out = allocate("--dry-run", "--batch-size", "1")
    # then: the second batch planned with what the first would have taken
    assert out.splitlines() == [
        "2 lines looked at; 1 lines would be allocated (6 units); 1 lines short.",
        f"  short: Lamp (line {second.pk}, {variant.sku}): missing 2 of 6 (available 4)",
    ]
    assert ReservationItem.objects.count() == 0
    assert counters() == before
    # and a real run does what the dry run said
    assert allocate("--batch-size", "1").splitlines() == [
        "2 lines looked at; 1 lines allocated (6 units); 1 lines short.",
        f"  short: Lamp (line {second.pk}, {variant.sku}): missing 2 of 6 (available 4)",
    ]
    consistent()


@pytest.mark.django_db
def test_limit_looks_at_no_more_lines_than_asked(locations, consistent):
    north, _, _ = locations
    variant = stocked_variant((north, 50))
    unreserved_orders(*[{variant: 2}] * 5)
    # when
    out = allocate("--limit", "3", "--batch-size", "2")
    # then: the first three lines in id order
    assert out == "3 lines looked at; 3 lines allocated (6 units); 0 lines short.\n"
    ids = list(LineItem.objects.order_by("pk").values_list("pk", flat=True))
    assert set(reserved_by_line()) == set(ids[:3])
    assert level_of(variant, north).reserved_quantity == 6
    consistent()


@pytest.mark.django_db
def test_limit_zero_looks_at_nothing(locations):
    variant = stocked_variant((locations[0], 5))
    unreserved_orders({variant: 1})
    assert (
        allocate("--limit", "0")
        == "0 lines looked at; 0 lines allocated (0 units); 0 lines short.\n"
    )
    assert ReservationItem.objects.count() == 0


@pytest.mark.django_db
def test_sales_channel_option_allocates_that_channels_orders_only(locations, shop, consistent):
    north, _, east = locations
    variant = stocked_variant((north, 10), (east, 10))
    (web_order,) = unreserved_orders({variant: 2})
    (shop_order,) = unreserved_orders({variant: 3}, channel=shop)
    # when
    out = allocate("--sales-channel", shop.pk)
    # then
    assert out == "1 lines looked at; 1 lines allocated (3 units); 0 lines short.\n"
    assert reserved_by_line() == {line_of(shop_order, variant).pk: 3}
    assert [level_of(variant, loc).reserved_quantity for loc in (north, east)] == [0, 3]
    consistent()


@pytest.mark.django_db
def test_location_option_reserves_only_there_for_the_channels_linked_to_it(
    locations, shop, consistent
):
    # given: north (linked first) could cover the web line whole
    north, south, east = locations
    variant = stocked_variant((north, 10), (south, 2), (east, 10), title="Mug")
    (order,) = unreserved_orders({variant: 3})
    unreserved_orders({variant: 1}, channel=shop)  # shop is not linked to south
    # when
    out = allocate("--location", south.pk)
    # then: south's 2 are not enough, and north is not used
    line = line_of(order, variant)
    assert out.splitlines() == [
        "1 lines looked at; 0 lines allocated (0 units); 1 lines short.",
        f"  short: Mug (line {line.pk}, {variant.sku}): missing 1 of 3 (available 2)",
    ]
    assert ReservationItem.objects.count() == 0
    # when: south gets stock
    inventory_level_update(
        item_id=level_of(variant, south).inventory_item_id, location_id=south.pk, stocked_quantity=5
    )
    out = allocate("--location", south.pk)
    # then
    assert out == "1 lines looked at; 1 lines allocated (3 units); 0 lines short.\n"
    assert [level_of(variant, loc).reserved_quantity for loc in (north, south, east)] == [0, 3, 0]
    consistent()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sales-channel", "sc_missing"], "Sales channel sc_missing does not exist"),
        (["--location", "sloc_missing"], "Stock location sloc_missing does not exist"),
        (["--batch-size", "0"], "--batch-size must be positive and --limit not negative"),
        (["--limit", "-1"], "--batch-size must be positive and --limit not negative"),
    ],
)
@pytest.mark.django_db
def test_bad_options_are_command_errors(args, message):
    with pytest.raises(CommandError) as error:
        allocate(*args)
    assert str(error.value) == message


# Which lines -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_fully_reserved_lines_are_skipped_and_partly_reserved_ones_completed(locations, consistent):
    # given: one order reserved on placing; one line reserved 1 of 4 by hand
    north, south, _ = locations
    variant = stocked_variant((north, 10), (south, 10))
    placed = place_order({variant: 2})
    (partial,) = unreserved_orders({variant: 4})
    line = line_of(partial, variant)
    order_line_reserve(order_id=partial.pk, line_item_id=line.pk, location_id=south.pk, quantity=1)
    before = list(ReservationItem.objects.values_list("pk", "quantity"))
    # when
    out = allocate()
    # then: the placed order is untouched; the partial line gets its other 3, at north
    assert out == "2 lines looked at; 1 lines allocated (3 units); 0 lines short.\n"
    assert set(before) <= set(ReservationItem.objects.values_list("pk", "quantity"))
    assert reserved_by_line() == {line_of(placed, variant).pk: 2, line.pk: 4}
    assert [level_of(variant, loc).reserved_quantity for loc in (north, south)] == [5, 1]
    consistent()


@pytest.mark.django_db
def test_only_open_lines_that_manage_stock_are_looked_at(locations, consistent):
    # given: a canceled order, a fulfilled line, a custom line and an unmanaged variant
    north, _, _ = locations
    variant = stocked_variant((north, 20))
    unmanaged = VariantFactory(manage_inventory=False)
    canceled, fulfilled, other = unreserved_orders(
        {variant: 1}, {variant: 2}, {variant: 3, unmanaged: 1}
    )
    order_cancel(order_id=canceled.pk)
    order_line_reserve(
        order_id=fulfilled.pk, line_item_id=line_of(fulfilled, variant).pk, location_id=north.pk
    )
    fulfillment_create(
        order_id=fulfilled.pk, items=[{"item_id": line_of(fulfilled, variant).pk, "quantity": 2}]
    )
    unreserved_orders({})  # no lines at all
    (custom,) = [place_order({}, custom=[("Gift wrap", 1)])]
    # when
    out = allocate()
    # then: only the open managed line of `other`
    assert out == "1 lines looked at; 1 lines allocated (3 units); 0 lines short.\n"
    assert reserved_by_line() == {line_of(other, variant).pk: 3}
    assert custom.items.get().reservations.count() == 0
    consistent()


@pytest.mark.django_db
def test_kit_lines_reserve_every_item_or_report_the_one_missing(locations, consistent):
    # given: a kit of 2 × wheel + 1 × frame; frames for one kit line of 3 only
    north, south, _ = locations
    wheel, frame = InventoryItemFactory(sku="WHEEL"), InventoryItemFactory(sku="FRAME")
    LevelFactory(inventory_item=wheel, location=north, stocked_quantity=4)
    LevelFactory(inventory_item=wheel, location=south, stocked_quantity=20)
    LevelFactory(inventory_item=frame, location=south, stocked_quantity=4)
    kit = VariantFactory(title="Bike", kit=[(wheel.pk, 2), (frame.pk, 1)])
    first, second = unreserved_orders({kit: 3}, {kit: 3})
    first_line, second_line = line_of(first, kit), line_of(second, kit)
    if second_line.pk < first_line.pk:
        first_line, second_line = second_line, first_line
    # when
    out = allocate()
    # then: the first line takes 6 wheels and 3 frames at south (north lacks frames)
    assert out.splitlines() == [
        "2 lines looked at; 1 lines allocated (9 units); 1 lines short.",
        f"  short: Bike (line {second_line.pk}, WHEEL, FRAME): missing 2 of 3 (available 1)",
    ]
    assert sorted(
        ReservationItem.objects.values_list(
            "line_item_id", "inventory_item_id", "location_id", "quantity"
        )
    ) == sorted([(first_line.pk, wheel.pk, south.pk, 6), (first_line.pk, frame.pk, south.pk, 3)])
    consistent()


@pytest.mark.django_db
def test_backorderable_lines_reserve_past_stock_at_the_first_stocking_location(
    locations, consistent
):
    # given: 2 at south only; the variant allows backorders
    north, south, _ = locations
    variant = stocked_variant((south, 2), allow_backorder=True)
    (order,) = unreserved_orders({variant: 5})
    # when
    out = allocate()
    # then
    assert out == "1 lines looked at; 1 lines allocated (5 units); 0 lines short.\n"
    assert reserved_by_line() == {line_of(order, variant).pk: 5}
    level = level_of(variant, south)
    assert (level.stocked_quantity, level.reserved_quantity) == (2, 5)
    consistent()


@pytest.mark.django_db
def test_channels_with_different_locations_share_a_batch(locations, shop, consistent):
    # given: web orders a mug (north, south), shop a cap (east): levels locked in one query
    north, south, east = locations
    mug = stocked_variant((north, 1), (south, 5))
    cap = stocked_variant((east, 4))
    (web,) = unreserved_orders({mug: 2})
    (shop_order,) = unreserved_orders({cap: 4}, channel=shop)
    # when
    out = allocate()
    # then
    assert out == "2 lines looked at; 2 lines allocated (6 units); 0 lines short.\n"
    assert [level_of(mug, loc).reserved_quantity for loc in (north, south)] == [0, 2]
    assert level_of(cap, east).reserved_quantity == 4
    assert reserved_by_line() == {line_of(web, mug).pk: 2, line_of(shop_order, cap).pk: 4}
    consistent()


@pytest.mark.django_db
def test_progress_is_shown_on_a_terminal(locations):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    variant = stocked_variant((locations[0], 10))
    unreserved_orders({variant: 1}, {variant: 1}, {variant: 1})
    out = Terminal()
    call_command("allocate_orders", "--batch-size", "2", stdout=out)
    assert out.getvalue() == (
        "\r2 lines looked at, 2 allocated, 0 short"
        "\r3 lines looked at, 3 allocated, 0 short\n"
        "3 lines looked at; 3 lines allocated (3 units); 0 lines short.\n"
    )
