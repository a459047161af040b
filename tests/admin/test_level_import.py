"""The levels' CSV import (upload, preview, apply) and export in the Django admin."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.level_csv import EXPORTED
from inventory.models import InventoryLevel, StockMovement
from tests.admin.utils import messages_of
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.reservations import ReservationFactory
from tests.inventory.test_batch import stock

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:inventory_inventorylevel_import")
EXPORT = reverse("admin:inventory_inventorylevel_export")


def upload(dashboard, content: bytes, *, atomic=True, reason="cycle_count"):
    data = {"file": SimpleUploadedFile("levels.csv", content), "reason": reason}
    if atomic:
        data["atomic"] = "on"
    return dashboard.post(IMPORT, data)


@pytest.fixture
def shop():
    here = StockLocationFactory(name="Main")
    items = [InventoryItemFactory(sku=f"SKU-{n}") for n in range(3)]
    held = LevelFactory(inventory_item=items[0], location=here, stocked_quantity=10)
    ReservationFactory(level=held, quantity=8)
    return here, items


def test_the_levels_list_links_to_import_and_export(dashboard):
    page = dashboard.get(reverse("admin:inventory_inventorylevel_changelist"))

    assert page.status_code == 200
    assert f'href="{IMPORT}"' in page.content.decode()
    assert f'href="{EXPORT}"' in page.content.decode()


def test_preview_lists_every_refused_row_by_line_and_writes_nothing(dashboard, shop, consistent):
    # given a file with a good row and rows the stock refuses
    here, items = shop
    content = b"sku,location_name,stocked_quantity\nSKU-1,Main,5\nSKU-0,Main,3\nNOPE,Main,1\n"
    before = stock()

    # when it is uploaded, all or nothing
    page = upload(dashboard, content)

    # then the preview lists both refusals by line, offers no apply, and nothing is written
    assert page.status_code == 200
    assert page.context["preview"]
    outcome = page.context["outcome"]
    assert [(e["index"], e["type"]) for e in outcome["errors"]] == [
        (4, "not_found"),
        (3, "not_allowed"),
    ]
    text = page.content.decode()
    assert "1 rows: 1 levels would be created" not in text
    assert "3 rows: 1 levels would be created" in text
    assert "Inventory item with sku NOPE was not found" in text
    assert 'name="apply"' not in text
    assert stock() == before
    consistent()


def test_preview_then_apply_imports_the_good_rows(dashboard, shop, superuser, consistent):
    # given the same file, previewed without "all or nothing"
    here, items = shop
    content = b"sku,location_name,stocked_quantity\nSKU-1,Main,5\nSKU-0,Main,3\n"
    page = upload(dashboard, content, atomic=False)
    assert 'name="apply"' in page.content.decode()
    digest = page.context["outcome"]["digest"]

    # when it is applied
    applied = dashboard.post(IMPORT, {"apply": "Apply", "digest": digest})

    # then the good row is written (by the staff user, for the reason chosen) and the refused
    # one shown
    assert applied.status_code == 200
    assert [(e["index"], e["type"]) for e in applied.context["outcome"]["errors"]] == [
        (3, "not_allowed")
    ]
    level = InventoryLevel.objects.get(inventory_item=items[1], location=here)
    assert level.stocked_quantity == 5
    movement = StockMovement.objects.get(level_id=level.pk, reason="cycle_count")
    assert movement.created_by == superuser.pk
    consistent()

    # and the file is gone: applying it again is refused
    again = dashboard.post(IMPORT, {"apply": "Apply", "digest": digest})
    assert again.status_code == 302
    assert messages_of(again) == [("error", "Upload the file again: it is no longer here.")]
    assert InventoryLevel.objects.get(pk=level.pk).version == level.version


def test_a_clean_file_applies_and_returns_to_the_list(dashboard, shop, consistent):
    here, items = shop
    page = upload(dashboard, b"sku,location_name,stocked_delta\nSKU-2,Main,7\n")

    applied = dashboard.post(
        IMPORT, {"apply": "Apply", "digest": page.context["outcome"]["digest"]}
    )

    assert applied.status_code == 302
    assert messages_of(applied) == [("success", "Imported 1 rows: 1 levels created, 0 updated.")]
    assert InventoryLevel.objects.get(inventory_item=items[2]).stocked_quantity == 7
    consistent()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty"),
        (b"sku,where,stocked_quantity\nA,B,1\n", "Wrong header: unknown columns where"),
        (
            "sku,location_name,stocked_quantity\ncaf\xe9,Main,1\n".encode("latin-1"),
            "Line 2 is not UTF-8 text (byte 0xe9)",
        ),
        (
            b"sku,location_name,stocked_quantity\nSKU-1,Main,many\n",
            "The file has bad rows; nothing was imported",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_shown_as_such(dashboard, shop, content, problem, consistent):
    before = stock()

    page = upload(dashboard, content)

    assert page.status_code == 200
    assert page.context["outcome"]["problem"].startswith(problem)
    assert 'name="apply"' not in page.content.decode()
    assert stock() == before
    consistent()


def test_bad_cells_are_listed_by_line(dashboard, shop):
    page = upload(dashboard, b"sku,location_name,stocked_quantity\nSKU-1,Main,many\nSKU-2,,1\n")

    assert [(r["index"], r["message"]) for r in page.context["outcome"]["bad_rows"]] == [
        (2, "stocked_quantity must be an integer"),
        (3, "location_id or location_name is required"),
    ]


def test_export_downloads_the_levels_as_csv(dashboard, shop):
    here, items = shop

    response = dashboard.get(EXPORT, {"location": here.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stock-levels.csv"'
    text = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(text))) == [
        list(EXPORTED),
        [items[0].pk, "SKU-0", here.pk, "Main", "10", "10"],
    ]
