"""`manage.py import_levels` and `export_levels`: levels as CSV, through `levels_batch`."""

import csv
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from inventory import batch
from inventory.level_csv import EXPORTED
from inventory.models import InventoryLevel, StockMovement
from inventory.services import stock_adjust
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.reservations import ReservationFactory
from tests.inventory.test_batch import stock

pytestmark = pytest.mark.django_db


def csv_file(tmp_path, text: str | bytes, name: str = "levels.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def levels_file(tmp_path, count: int, columns: str, cells: str) -> str:
    """`count` levels of 10, and a file giving each of them `cells` in `columns`."""
    levels = [LevelFactory(stocked_quantity=10) for _ in range(count)]
    return csv_file(
        tmp_path,
        f"inventory_item_id,location_id,{columns}\n"
        + "".join(f"{lv.inventory_item_id},{lv.location_id},{cells}\n" for lv in levels),
    )


def run_import(path: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_levels", path, *args, stdout=out)
    return out.getvalue()


def refused_import(path: str, *args: str) -> tuple[str, str]:
    """(what it printed, the CommandError's message)."""
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_levels", path, *args, stdout=out)
    return out.getvalue(), str(refused.value)


@pytest.fixture
def shop():
    """Two locations and three items; the first item stocked (10) at the first location."""
    here = StockLocationFactory(name="Main")
    there = StockLocationFactory(name="Annex")
    items = [InventoryItemFactory(sku=f"SKU-{n}") for n in range(3)]
    level = LevelFactory(inventory_item=items[0], location=here, stocked_quantity=10)
    return here, there, items, level


def test_import_sets_stock_creates_missing_levels_and_records_the_command(
    tmp_path, shop, consistent
):
    # given a file naming items by SKU and locations by id or by name
    here, there, items, level = shop
    path = csv_file(
        tmp_path,
        "sku,location_id,location_name,stocked_quantity,reference\n"
        f"SKU-0,{here.pk},,25,COUNT-9\n"
        "SKU-1,,Annex,4,\n"
        f"SKU-2,{there.pk},Whatever,0,\n",
    )

    # when it is imported as a cycle count
    output = run_import(path, "--reason", "cycle_count")

    # then stock is set, missing levels created, and the ledger says who and why
    assert output.endswith("3 of 3 rows read: 2 levels created, 1 updated, 0 rows refused.\n")
    assert stock() == {
        (items[0].pk, here.pk): (25, 0, 0, 2),
        (items[1].pk, there.pk): (4, 0, 0, 2),
        (items[2].pk, there.pk): (0, 0, 0, 1),
    }
    moved = StockMovement.objects.filter(reason="cycle_count")
    assert sorted(moved.values_list("stocked_delta", "reference", "created_by")) == [
        (4, None, "command:import_levels"),
        (15, "COUNT-9", "command:import_levels"),
    ]
    consistent()


def test_import_adds_deltas(tmp_path, shop, consistent):
    here, _, _, level = shop
    path = csv_file(tmp_path, f"sku,location_id,stocked_delta\nSKU-0,{here.pk},-4\n")

    run_import(path, "--reason", "damaged")

    level.refresh_from_db()
    assert level.stocked_quantity == 6
    assert StockMovement.objects.get(reason="damaged").stocked_delta == -4
    consistent()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"",
            "The file is empty: it needs a header row (such as sku,location_id,"
            "stocked_quantity) and a row per level",
        ),
        (
            b"\n\n",
            "The file is empty: it needs a header row (such as sku,location_id,"
            "stocked_quantity) and a row per level",
        ),
        (b"sku,location_id,stocked_quantity\n", "The file has a header but no rows of levels"),
        (
            b"sku,location,qty\nA,B,1\n",
            "Wrong header: unknown columns location, qty (known: "
            "inventory_item_id, sku, location_id, location_name, stocked_quantity, stocked_delta, "
            "expected_stocked_quantity, reference); a column location_id or location_name is "
            "needed; a column stocked_quantity or stocked_delta is needed",
        ),
        (
            b"sku,sku,location_id,stocked_quantity,stocked_delta\n",
            "Wrong header: columns "
            "named twice: sku; give stocked_quantity or stocked_delta, not both",
        ),
        (
            b"sku,location_id,stocked_quantity\nSKU-0,x,1\n" + "caf\xe9,x,2\n".encode("latin-1"),
            "Line 3 is not UTF-8 text (byte 0xe9): save the file as CSV UTF-8",
        ),
        (
            b'sku,location_id,stocked_quantity\n"SKU-0,x,1\n',
            "Line 2 is not valid CSV: unexpected end of data",
        ),
    ],
)
def test_an_import_of_a_file_that_cannot_be_read_writes_nothing(
    tmp_path, shop, content, message, consistent
):
    # given a file with a wrong header, no rows, or text that is not UTF-8
    path = csv_file(tmp_path, content)
    before, movements = stock(), StockMovement.objects.count()

    # when it is imported
    _, refusal = refused_import(path)

    # then the import says what is wrong and writes nothing
    assert refusal == message
    assert stock() == before
    assert StockMovement.objects.count() == movements
    consistent()


def test_a_file_not_utf8_far_down_writes_nothing_even_in_small_batches(tmp_path, shop):
    # given 3,000 good rows, then one in Latin-1
    here, _, _, _ = shop
    rows = "".join(f"SKU-0,{here.pk},{n}\n" for n in range(3000)).encode()
    path = csv_file(tmp_path, b"sku,location_id,stocked_quantity\n" + rows + b"\xe9,x,1\n")
    before = stock()

    # when it is imported 10 rows at a time
    _, refusal = refused_import(path, "--batch-size", "10")

    # then nothing was applied
    assert refusal == "Line 3002 is not UTF-8 text (byte 0xe9): save the file as CSV UTF-8"
    assert stock() == before


def test_an_import_with_bad_cells_lists_them_by_line_and_writes_nothing(tmp_path, shop):
    # given good rows and rows whose cells are not numbers, or are missing
    here, _, _, _ = shop
    path = csv_file(
        tmp_path,
        "sku,location_id,stocked_quantity,expected_stocked_quantity\n"
        f"SKU-0,{here.pk},5,\n"
        f"SKU-1,{here.pk},five,\n"
        f"SKU-2,{here.pk},-1,x\n"
        f",{here.pk},1\n"
        f"SKU-1,{here.pk},1,1,1\n",
    )
    before = stock()

    # when it is imported
    printed, refusal = refused_import(path)

    # then every bad row is named by its line, and nothing is written
    assert refusal == "The file has bad rows; nothing was imported"
    assert printed.splitlines() == [
        "line 3: stocked_quantity must be an integer",
        "line 4: stocked_quantity must be an integer from 0 to 2147483647, "
        "expected_stocked_quantity must be an integer",
        "line 5: has 3 cells, the header 4",
        "line 6: has 5 cells, the header 4",
    ]
    assert stock() == before


@pytest.fixture
def mixed_file(tmp_path, shop):
    """Good rows and rows the stock refuses: unknown SKU and location, below what is
    reserved, a stale expected quantity, a level named twice."""
    here, there, items, level = shop
    ReservationFactory(level=level, quantity=8)
    LevelFactory(inventory_item=items[1], location=here, stocked_quantity=3)
    text = (
        "sku,location_id,stocked_quantity,expected_stocked_quantity\n"
        f"SKU-1,{here.pk},7,3\n"  # 2: good
        f"NOPE,{here.pk},1,\n"  # 3: unknown SKU
        f"SKU-1,sloc_NOPE,1,\n"  # 4: unknown location
        f"SKU-0,{here.pk},5,\n"  # 5: below the 8 reserved
        f"SKU-2,{here.pk},1,4\n"  # 6: stale: not stocked there yet (0)
        f"SKU-2,{there.pk},1,\n"  # 7: named twice
        f"SKU-2,{there.pk},2,\n"  # 8: named twice
    )
    return csv_file(tmp_path, text), here, there, items


MIXED_ERRORS = [
    "line 3: not_found: Inventory item with sku NOPE was not found",
    "line 4: not_found: Stock location sloc_NOPE was not found",
    "line 7: invalid_data: line 7, line 8 name the same level (item {item2} at location "
    "{there}): give each level one row",
    "line 8: invalid_data: line 7, line 8 name the same level (item {item2} at location "
    "{there}): give each level one row",
    "line 5: not_allowed: Cannot set stocked quantity of item {item0} at location {here} to "
    "5: 8 are reserved there",
    "line 6: conflict: Stocked quantity of item {item2} at location {here} is 0, not 4: it "
    "changed since you read it",
]


def mixed_errors(here, there, items) -> list[str]:
    names = {"here": here.pk, "there": there.pk, "item0": items[0].pk, "item2": items[2].pk}
    return [line.format(**names) for line in MIXED_ERRORS]


def test_import_applies_good_rows_and_reports_the_others_by_line(mixed_file, consistent):
    # given a file with one good row and rows the stock refuses
    path, here, there, items = mixed_file
    before = stock()

    # when it is imported
    printed, refusal = refused_import(path)

    # then the good row is applied and every other is reported by its line
    assert refusal == "6 rows refused"
    lines = printed.splitlines()
    assert lines[:-1] == mixed_errors(here, there, items)
    assert lines[-1] == "7 of 7 rows read: 0 levels created, 1 updated, 6 rows refused."
    after = stock()
    assert after.pop((items[1].pk, here.pk)) == (7, 0, 0, 2)
    before.pop((items[1].pk, here.pk))
    assert after == before
    consistent()


@pytest.mark.parametrize("option", ["--atomic", "--dry-run"])
def test_atomic_or_dry_run_import_with_refused_rows_writes_nothing(mixed_file, option, consistent):
    path, here, there, items = mixed_file
    before, movements = stock(), StockMovement.objects.count()

    printed, refusal = refused_import(path, option)

    assert refusal == "6 rows refused"
    assert printed.splitlines()[:-1] == mixed_errors(here, there, items)
    tail = "; nothing was written (--atomic)." if option == "--atomic" else "."
    assert printed.splitlines()[-1] == (
        "7 of 7 rows read: 0 levels would be created, 1 would be updated, 6 rows refused" + tail
    )
    assert stock() == before
    assert StockMovement.objects.count() == movements
    consistent()


def test_a_good_dry_run_writes_nothing(tmp_path, shop):
    here, _, _, _ = shop
    path = csv_file(tmp_path, f"sku,location_id,stocked_quantity\nSKU-1,{here.pk},3\n")

    output = run_import(path, "--dry-run")

    assert (
        output
        == "1 of 1 rows read: 1 levels would be created, 0 would be updated, 0 rows refused.\n"
    )
    assert InventoryLevel.objects.count() == 1


def test_an_interrupted_import_applied_whole_batches_and_a_rerun_from_the_line_finishes(
    tmp_path, monkeypatch, consistent
):
    # given 5 levels of 10 and a file adding 1 to each, imported 2 rows a transaction and
    # interrupted in the third batch
    path = levels_file(tmp_path, 5, "stocked_delta", "1")
    real = batch.levels_batch
    calls = []

    def interrupted(**kwargs):
        calls.append(len(kwargs["update"]))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr("inventory.level_csv.levels_batch", interrupted)

    # when it is interrupted
    _, refusal = refused_import(path, "--batch-size", "2")

    # then two whole batches (lines 2-5) were applied, and the command says how to go on
    assert refusal == "Rows up to line 5 were applied; rerun with --from-line 6 to apply the rest."
    assert [stocked for stocked, *_ in stock().values()] == [11, 11, 11, 11, 10]
    consistent()

    # when the rest is imported from that line
    monkeypatch.setattr("inventory.level_csv.levels_batch", real)
    output = run_import(path, "--from-line", "6")

    # then every delta was applied exactly once
    assert output.endswith("1 of 1 rows read: 0 levels created, 1 updated, 0 rows refused.\n")
    assert [stocked for stocked, *_ in stock().values()] == [11] * 5
    consistent()


def test_a_batch_of_the_import_runs_as_many_statements_for_200_rows_as_for_2(
    tmp_path, shop, django_assert_max_num_queries
):
    # given files of 2 and 200 levels to create, all at one location
    here, _, _, _ = shop
    items = InventoryItemFactory.create_batch(202)
    small = csv_file(
        tmp_path,
        "inventory_item_id,location_id,stocked_quantity\n"
        + "".join(f"{i.pk},{here.pk},{n}\n" for n, i in enumerate(items[:2])),
        "small.csv",
    )
    big = csv_file(
        tmp_path,
        "inventory_item_id,location_id,stocked_quantity\n"
        + "".join(f"{i.pk},{here.pk},{n}\n" for n, i in enumerate(items[2:])),
        "big.csv",
    )

    # when each is imported in one batch, then the same statements apply each
    with django_assert_max_num_queries(8) as few:
        run_import(small, "--batch-size", "500")
    with django_assert_max_num_queries(len(few)):
        run_import(big, "--batch-size", "500")
    assert InventoryLevel.objects.filter(location=here).count() == 203


# Export -----------------------------------------------------------------------------------


def test_export_then_import_back_refuses_levels_that_changed_meanwhile(tmp_path, shop, consistent):
    # given two levels, exported
    here, there, items, level = shop
    LevelFactory(inventory_item=items[1], location=there, stocked_quantity=4)
    path = str(tmp_path / "export.csv")
    out = io.StringIO()
    call_command("export_levels", path, stdout=out)
    assert out.getvalue() == f"2 levels written to {path}.\n"
    with open(path, encoding="utf-8", newline="") as exported:
        rows = list(csv.reader(exported))
    assert rows == [
        list(EXPORTED),
        [items[0].pk, "SKU-0", here.pk, "Main", "10", "10"],
        [items[1].pk, "SKU-1", there.pk, "Annex", "4", "4"],
    ]

    # when both are edited in the file while one changes in the shop, and it is imported back
    rows[1][4], rows[2][4] = "12", "9"
    with open(path, "w", encoding="utf-8", newline="") as edited:
        csv.writer(edited).writerows(rows)
    stock_adjust(  # the shop loses a unit meanwhile
        inventory_item_id=items[1].pk, location_id=there.pk, stocked_delta=-1, reason="shrinkage"
    )
    printed, refusal = refused_import(path)

    # then the unchanged level takes the new count, the changed one is refused as stale
    assert refusal == "1 rows refused"
    assert printed.splitlines()[0] == (
        f"line 3: conflict: Stocked quantity of item {items[1].pk} at location {there.pk} is "
        "3, not 4: it changed since you read it"
    )
    assert stock()[(items[0].pk, here.pk)][0] == 12
    assert stock()[(items[1].pk, there.pk)][0] == 3
    consistent()


def test_export_of_one_location_to_standard_output(shop):
    here, there, items, _ = shop
    LevelFactory(inventory_item=items[1], location=there, stocked_quantity=4)
    out = io.StringIO()

    call_command("export_levels", "--location", there.pk, stdout=out)

    assert list(csv.reader(io.StringIO(out.getvalue())))[1:] == [
        [items[1].pk, "SKU-1", there.pk, "Annex", "4", "4"]
    ]


def test_text_a_spreadsheet_would_run_is_exported_quoted_and_imported_back_as_it_was(
    tmp_path, consistent
):
    # given a level whose SKU and location name a spreadsheet would take for formulas
    item = InventoryItemFactory(sku="=HYPERLINK(1)")
    level = LevelFactory(
        inventory_item=item, location=StockLocationFactory(name="@Annex"), stocked_quantity=4
    )
    path = str(tmp_path / "export.csv")
    call_command("export_levels", path, stdout=io.StringIO())
    with open(path, encoding="utf-8", newline="") as exported:
        header, row = list(csv.reader(exported))

    # then they are written behind a quote
    assert row[1:4] == ["'=HYPERLINK(1)", level.location_id, "'@Annex"]

    # and a file naming the level by them alone, so quoted, finds it
    edited = csv_file(
        tmp_path, "sku,location_name,stocked_quantity\n'=HYPERLINK(1),'@Annex,6\n", "edited.csv"
    )
    run_import(edited)
    assert InventoryLevel.objects.get(pk=level.pk).stocked_quantity == 6
    consistent()


def test_export_of_an_unknown_location_is_refused(db):
    with pytest.raises(CommandError, match="Stock location sloc_NOPE does not exist"):
        call_command("export_levels", "--location", "sloc_NOPE", stdout=io.StringIO())


def test_an_atomic_import_stops_at_a_batch_whose_stock_changed_after_the_check(
    tmp_path, monkeypatch, consistent
):
    # given 4 levels of 10 and a file setting each to 20 if it still holds 10, 2 rows a batch
    path = levels_file(tmp_path, 4, "stocked_quantity,expected_stocked_quantity", "20,10")
    levels = list(InventoryLevel.objects.all())
    real = batch.levels_batch

    def meanwhile(**kwargs):  # the last level sells a unit once the file has been checked
        if not kwargs["dry_run"] and kwargs["update"][0].index == 4:
            stock_adjust(
                inventory_item_id=levels[3].inventory_item_id,
                location_id=levels[3].location_id,
                stocked_delta=-1,
                reason="shrinkage",
            )
        return real(**kwargs)

    monkeypatch.setattr("inventory.level_csv.levels_batch", meanwhile)

    # when it is imported all or nothing
    printed, refusal = refused_import(path, "--atomic", "--batch-size", "2")

    # then the first batch went through, the second was refused whole, and it says so
    assert printed.splitlines()[0].startswith("line 5: conflict: Stocked quantity of item")
    assert refusal == (
        "Stopped: the stock changed since the file was checked: the batch ending at line 5 "
        "was not applied, nor any after it. Rows up to line 3 were applied; rerun with "
        "--from-line 4 to apply the rest."
    )
    assert [stocked for stocked, *_ in stock().values()] == [20, 20, 10, 9]
    consistent()


def test_an_export_whose_reader_stops_early_ends_quietly(tmp_path):
    # given a database of its own with many levels, and `export_levels | head -n 1`
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    script = (
        "from tests.factories.inventory import LevelFactory\n"
        "LevelFactory.create_batch(1000)  # more than a pipe holds (64 KB)\n"
    )
    subprocess.run([*manage, "shell", "-c", script], env=env, check=True)
    # when the reader takes one line and closes the pipe
    export = subprocess.Popen(
        [*manage, "export_levels"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = export.stdout.readline()
    export.stdout.close()
    errors = export.stderr.read()
    # then the command ends without a traceback
    assert export.wait() == 0
    assert first.startswith(b"inventory_item_id,")
    assert errors == b""
