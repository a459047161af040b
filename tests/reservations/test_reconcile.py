"""`manage.py reconcile_inventory`: proves each level against its reservations and its
ledger, lists every drift, exits 1 when it finds any, and with `--fix` repairs it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from inventory.models import InventoryLevel, StockMovement
from reservations.models import ReservationItem
from reservations.services import reservation_create, reservation_delete
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.invariants import assert_inventory_consistent

pytestmark = pytest.mark.django_db
ACTOR = "command:reconcile_inventory"


def reconcile(*args) -> str:
    """Run the command; its output when it exits 0."""
    out = io.StringIO()
    call_command("reconcile_inventory", *args, stdout=out)
    return out.getvalue()


def drifted(*args) -> tuple[str, CommandError]:
    """Run the command, which must exit 1; its output and its error."""
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("reconcile_inventory", *args, stdout=out)
    assert error.value.returncode == 1
    return out.getvalue(), error.value


def reserve(level, quantity):
    return reservation_create(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=quantity
    )


def tamper(level, **counters) -> None:
    """Change a level's counters behind the ledger's back, as a hand-written UPDATE would."""
    InventoryLevel.objects.filter(pk=level.pk).update(**counters)


def delete_movement(level, version: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {StockMovement._meta.db_table} WHERE level_id = %s AND version = %s",
            [level.pk, version],
        )


def history(level) -> list[tuple]:
    """(version, reason, deltas, afters) of a level's movements, oldest first."""
    return list(
        StockMovement.objects.filter(level_id=level.pk)
        .order_by("version")
        .values_list(
            "version",
            "reason",
            "stocked_delta",
            "reserved_delta",
            "incoming_delta",
            "stocked_after",
            "reserved_after",
            "incoming_after",
        )
    )


def counters(level) -> tuple:
    level.refresh_from_db()
    return (
        level.stocked_quantity,
        level.reserved_quantity,
        level.incoming_quantity,
        level.version,
    )


@pytest.fixture
def store():
    """Four levels of two items at two locations, 20 in stock and 4 incoming each; their
    movements: 1 level_created, 2 reserved 3, 3 reserved 2, 4 released 2, 5 reserved 1."""
    north, south = StockLocationFactory(name="North"), StockLocationFactory(name="South")
    mug, cap = InventoryItemFactory(sku="MUG"), InventoryItemFactory(sku="CAP")
    levels = {
        (item.sku, location.name): LevelFactory(
            inventory_item=item, location=location, stocked_quantity=20, incoming_quantity=4
        )
        for item in (mug, cap)
        for location in (north, south)
    }
    for level in levels.values():
        reserve(level, 3)
        reservation_delete(reservation_id=reserve(level, 2).pk)
        reserve(level, 1)
    return levels


def test_a_clean_database_exits_0(store):
    assert reconcile() == "4 levels checked; 0 drifted (0 drifts).\n"
    assert not StockMovement.objects.filter(reason="reconciled").exists()


def test_counters_changed_by_hand_are_each_listed_and_exit_1(store):
    mug_north, cap_south = store["MUG", "North"], store["CAP", "South"]
    tamper(mug_north, reserved_quantity=9)
    tamper(cap_south, stocked_quantity=17, incoming_quantity=0)
    # when
    out, error = drifted()
    # then: every drift, levels in primary-key order
    mug_lines = [
        f"{mug_north.pk} (item MUG at North): reserved_quantity is 9, "
        "but its reservations sum to 4",
        f"{mug_north.pk} (item MUG at North): reserved_quantity is 9, "
        "but its movements sum to 4 and the latest left 4",
    ]
    cap_lines = [
        f"{cap_south.pk} (item CAP at South): stocked_quantity is 17, "
        "but its movements sum to 20 and the latest left 20",
        f"{cap_south.pk} (item CAP at South): incoming_quantity is 0, "
        "but its movements sum to 4 and the latest left 4",
    ]
    ordered = [mug_lines, cap_lines] if mug_north.pk < cap_south.pk else [cap_lines, mug_lines]
    assert out.splitlines() == [
        *ordered[0],
        *ordered[1],
        "4 levels checked; 2 drifted (4 drifts).",
    ]
    assert str(error) == "2 levels drifted; --fix repairs them"
    # and nothing was written
    assert counters(mug_north) == (20, 9, 4, 5)
    assert not StockMovement.objects.filter(reason="reconciled").exists()


def test_fix_keeps_what_staff_saw_takes_reservations_as_truth_and_a_rerun_is_clean(store):
    mug_north, cap_south = store["MUG", "North"], store["CAP", "South"]
    tamper(mug_north, reserved_quantity=9, stocked_quantity=25)
    tamper(cap_south, incoming_quantity=0)
    # when
    out, error = drifted("--fix")
    # then: the counters stand, except reserved, which is its reservations' sum
    assert out.splitlines()[-1] == "4 levels checked; 2 drifted (4 drifts); 2 repaired."
    assert str(error) == "2 levels drifted; repaired"
    assert counters(mug_north) == (25, 4, 4, 6)
    assert counters(cap_south) == (20, 4, 0, 6)
    # and one `reconciled` movement per level takes its ledger to them, by the command
    fixes = StockMovement.objects.filter(reason="reconciled")
    assert sorted(fixes.values_list("level_id", "created_by")) == sorted(
        [(mug_north.pk, ACTOR), (cap_south.pk, ACTOR)]
    )
    assert history(mug_north)[-1] == (6, "reconciled", 5, 0, 0, 25, 4, 4)
    assert history(cap_south)[-1] == (6, "reconciled", 0, 0, -4, 20, 4, 0)
    assert fixes.get(level_id=mug_north.pk).note == (
        "Counters were stocked 25, reserved 9, incoming 4 at version 5; "
        "the ledger summed to stocked 20, reserved 4, incoming 4"
    )
    assert_inventory_consistent()
    assert reconcile() == "4 levels checked; 0 drifted (0 drifts).\n"


def test_reservations_changed_behind_the_ledger_are_the_truth(store):
    # given: a reservation deleted by hand; the counter and the ledger still count it
    level = store["CAP", "North"]
    ReservationItem.objects.filter(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=3
    ).delete()
    out, _ = drifted()
    assert out.splitlines()[:-1] == [
        f"{level.pk} (item CAP at North): reserved_quantity is 4, but its reservations sum to 1"
    ]
    # when
    drifted("--fix")
    # then: the units it held are released, in the ledger too
    assert counters(level) == (20, 1, 4, 6)
    assert history(level)[-1] == (6, "reconciled", 0, -3, 0, 20, 1, 4)
    assert_inventory_consistent()
    reconcile()


def test_lost_movements_are_replaced_with_the_change_their_neighbours_show(store):
    # given: the reservations of 3 and 2 (versions 2 and 3) are lost from the ledger
    level = store["MUG", "South"]
    before = history(level)
    delete_movement(level, 2)
    delete_movement(level, 3)
    out, _ = drifted()
    assert out.splitlines()[:-1] == [
        f"{level.pk} (item MUG at South): reserved_quantity is 4, "
        "but its movements sum to -1 and the latest left 4",
        f"{level.pk} (item MUG at South): version is 5, "
        "but it has 3 movements, numbered up to 5 (missing 2-3)",
    ]
    # when
    drifted("--fix")
    # then: the gap is filled, its last movement carrying what versions 2-3 changed together
    assert history(level) == [
        before[0],
        (2, "reconciled", 0, 0, 0, 20, 0, 4),
        (3, "reconciled", 0, 5, 0, 20, 5, 4),
        *before[3:],
    ]
    assert counters(level) == (20, 4, 4, 5)
    notes = StockMovement.objects.filter(level_id=level.pk, reason="reconciled")
    assert sorted(notes.values_list("note", flat=True)) == [
        "Replaces lost movement 2",
        "Replaces lost movement 3",
    ]
    assert_inventory_consistent()
    reconcile()


def test_a_lost_latest_movement_is_recorded_again(store):
    level = store["CAP", "North"]
    delete_movement(level, 5)  # reserved 1
    out, _ = drifted()
    assert out.splitlines()[:-1] == [
        f"{level.pk} (item CAP at North): reserved_quantity is 4, "
        "but its movements sum to 3 and the latest left 3",
        f"{level.pk} (item CAP at North): version is 5, but it has 4 movements, numbered up to 4",
    ]
    drifted("--fix")
    assert history(level)[-1] == (5, "reconciled", 0, 1, 0, 20, 4, 4)
    assert counters(level) == (20, 4, 4, 5)
    assert_inventory_consistent()
    reconcile()


def test_a_level_without_movements_gets_one_with_its_counters(store):
    level = store["CAP", "South"]
    with connection.cursor() as cursor:
        table = StockMovement._meta.db_table
        cursor.execute(f"DELETE FROM {table} WHERE level_id = %s", [level.pk])
    tamper(level, version=0)
    out, _ = drifted()
    assert out.splitlines()[:-1] == [
        f"{level.pk} (item CAP at South): {name} is {value}, but it has no movements"
        for name, value in (
            ("stocked_quantity", 20),
            ("reserved_quantity", 4),
            ("incoming_quantity", 4),
        )
    ]
    drifted("--fix")
    assert history(level) == [(1, "reconciled", 20, 4, 4, 20, 4, 4)]
    assert_inventory_consistent()
    reconcile()


def test_a_version_changed_by_hand_is_set_right(store):
    level = store["MUG", "North"]
    tamper(level, version=3)
    out, _ = drifted()
    assert out.splitlines()[:-1] == [
        f"{level.pk} (item MUG at North): version is 3, but it has 5 movements, numbered up to 5"
    ]
    drifted("--fix")
    assert history(level)[-1] == (6, "reconciled", 0, 0, 0, 20, 4, 4)
    assert counters(level) == (20, 4, 4, 6)
    assert_inventory_consistent()
    reconcile()


def lines(out: str) -> list[str]:
    """The drift lines of an output (without the summary)."""
    return out.splitlines()[:-1]


def test_item_and_location_narrow_the_check_and_the_fix(store):
    for level in store.values():
        tamper(level, incoming_quantity=1)
    mug, north = store["MUG", "North"].inventory_item_id, store["MUG", "North"].location_id
    # each option checks its own levels only
    out, _ = drifted("--item", mug)
    assert out.splitlines()[-1] == "2 levels checked; 2 drifted (2 drifts)."
    assert all("(item MUG at " in line for line in lines(out))
    out, _ = drifted("--item", mug, "--location", north)
    assert out.splitlines()[-1] == "1 levels checked; 1 drifted (1 drifts)."
    assert lines(out)[0].startswith(f"{store['MUG', 'North'].pk} (item MUG at North)")
    # and fixes its own levels only
    out, _ = drifted("--location", north, "--fix")
    assert len(lines(out)) == 2
    assert all(" at North)" in line for line in lines(out))
    assert reconcile("--location", north) == "2 levels checked; 0 drifted (0 drifts).\n"
    out, _ = drifted()
    assert out.splitlines()[-1] == "4 levels checked; 2 drifted (2 drifts)."
    assert all(" at South)" in line for line in lines(out))


def test_unknown_item_or_location_and_a_bad_batch_size_are_refused(store):
    with pytest.raises(CommandError, match="Inventory item iitem_nope does not exist"):
        reconcile("--item", "iitem_nope")
    with pytest.raises(CommandError, match="Stock location sloc_nope does not exist"):
        reconcile("--location", "sloc_nope")
    with pytest.raises(CommandError, match="--batch-size must be positive"):
        reconcile("--batch-size", "0")


def test_batches_smaller_than_the_levels_check_and_fix_them_all(store):
    extra = [LevelFactory(stocked_quantity=n) for n in range(1, 6)]  # 9 levels in all
    broken = [*extra[::2], store["CAP", "North"]]
    for level in broken:
        tamper(level, stocked_quantity=level.stocked_quantity + 1)
    out, _ = drifted("--batch-size", "2", "--fix")
    assert out.splitlines()[-1] == "9 levels checked; 4 drifted (4 drifts); 4 repaired."
    assert {line.split()[0] for line in lines(out)} == {level.pk for level in broken}
    assert_inventory_consistent()
    assert reconcile("--batch-size", "4") == "9 levels checked; 0 drifted (0 drifts).\n"


def test_progress_is_shown_on_a_terminal(store):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("reconcile_inventory", "--batch-size", "3", stdout=out)
    assert out.getvalue() == (
        f"\r[{'#' * 22}{'.' * 8}] 3/4 levels, 0 drifted"
        f"\r[{'#' * 30}] 4/4 levels, 0 drifted\n"
        "4 levels checked; 0 drifted (0 drifts).\n"
    )


def test_a_batch_is_checked_in_a_few_queries_however_many_levels_it_holds(
    store, django_assert_max_num_queries
):
    for n in range(16):
        reserve(LevelFactory(stocked_quantity=n + 1), 1)
    # levels, their reservations, their movements' sums, their latest movements; then the
    # empty batch that ends the run
    with django_assert_max_num_queries(5):
        assert reconcile() == "20 levels checked; 0 drifted (0 drifts).\n"
