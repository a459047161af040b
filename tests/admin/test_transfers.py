"""Stock transfers through the admin: drafts are written by the transfer services, and each
transfer's page ships, receives and cancels it through them; the list shows what is in
flight at each location."""

import pytest

from inventory.models import InventoryLevel
from tests.admin.utils import admin_url, form_errors, messages_of
from tests.factories.inventory import LevelFactory, StockLocationFactory
from transfers import services
from transfers.models import StockTransfer

pytestmark = pytest.mark.django_db


def stock(item, location) -> tuple[int, int]:
    level = InventoryLevel.objects.get(inventory_item=item, location=location)
    return level.stocked_quantity, level.incoming_quantity


@pytest.fixture
def level(db):
    return LevelFactory(stocked_quantity=10)


def form(level, destination, items_text, **extra) -> dict:
    return {
        "from_location": level.location_id,
        "to_location": destination.pk,
        "items_text": items_text,
        "reference": "",
        "note": "",
        "metadata": "",
        **extra,
    }


def test_a_draft_is_created_and_edited_by_the_services(dashboard, level, consistent):
    destination = StockLocationFactory()
    sku = level.inventory_item.sku

    response = dashboard.post(admin_url(StockTransfer, "add"), form(level, destination, f"{sku} 4"))

    assert response.status_code == 302, form_errors(response)
    transfer = StockTransfer.objects.get()
    assert [(r.inventory_item_id, r.quantity) for r in transfer.items.all()] == [
        (level.inventory_item_id, 4)
    ]
    url = admin_url(StockTransfer, "change", transfer.pk)
    assert sku in dashboard.get(url).content.decode()  # the draft's items, as lines
    response = dashboard.post(url, form(level, destination, f"{level.inventory_item_id} 6"))
    assert response.status_code == 302, form_errors(response)
    assert transfer.items.get().quantity == 6
    consistent()


@pytest.mark.parametrize(
    ("items_text", "error"),
    [
        ("SKU 0", "quantity must be a positive integer"),
        ("SKU 1\nSKU 2", "listed twice"),
        ("nothing-like-it 1", "was not found"),
        ("SKU", "write the SKU or id"),
    ],
)
def test_a_bad_draft_is_a_form_error(dashboard, level, items_text, error):
    text = items_text.replace("SKU", level.inventory_item.sku)
    response = dashboard.post(
        admin_url(StockTransfer, "add"), form(level, StockLocationFactory(), text)
    )
    assert response.status_code == 200
    assert any(error in message for message in form_errors(response))
    assert not StockTransfer.objects.exists()


def test_the_same_location_at_both_ends_is_a_form_error(dashboard, level):
    data = form(level, level.location, f"{level.inventory_item.sku} 1")
    response = dashboard.post(admin_url(StockTransfer, "add"), data)
    assert any("must differ" in message for message in form_errors(response))


def test_the_page_ships_receives_and_cancels(dashboard, level, consistent):
    destination = StockLocationFactory()
    item, source = level.inventory_item_id, level.location_id
    first, second = (
        services.transfer_create(
            from_location_id=source,
            to_location_id=destination.pk,
            items=[{"inventory_item_id": item, "quantity": 3}],
        )
        for _ in range(2)
    )
    url = admin_url(StockTransfer, "change", first.pk)
    assert 'name="_ship"' in dashboard.get(url).content.decode()

    response = dashboard.post(url, {"_ship": "Ship"})
    assert response.status_code == 302
    assert messages_of(response) == [("success", f"Stock transfer {first.pk} shipped.")]
    assert stock(item, source) == (7, 0)
    page = dashboard.get(url).content.decode()
    assert 'name="_receive"' in page
    assert 'name="_ship"' not in page

    dashboard.post(url, {"_receive": "Receive"})
    assert stock(item, destination) == (3, 0)
    assert StockTransfer.objects.get(pk=first.pk).status == "received"

    dashboard.post(admin_url(StockTransfer, "change", second.pk), {"_ship": "Ship"})
    dashboard.post(admin_url(StockTransfer, "change", second.pk), {"_cancel": "Cancel"})
    assert StockTransfer.objects.get(pk=second.pk).status == "canceled"
    assert stock(item, source) == (7, 0)
    assert stock(item, destination) == (3, 0)
    consistent()


def test_a_refused_step_is_an_error_message(dashboard, level, consistent):
    transfer = services.transfer_create(
        from_location_id=level.location_id,
        to_location_id=StockLocationFactory().pk,
        items=[{"inventory_item_id": level.inventory_item_id, "quantity": 11}],
    )
    response = dashboard.post(admin_url(StockTransfer, "change", transfer.pk), {"_ship": "Ship"})
    [(tag, message)] = messages_of(response)
    assert tag == "error"
    assert "requested 11, available 10" in message
    assert StockTransfer.objects.get(pk=transfer.pk).status == "draft"
    consistent()


def test_the_list_shows_transfers_in_flight_at_a_location(dashboard, level):
    destination = StockLocationFactory()
    made = [
        services.transfer_create(
            from_location_id=level.location_id,
            to_location_id=destination.pk,
            items=[{"inventory_item_id": level.inventory_item_id, "quantity": 1}],
        )
        for _ in range(3)
    ]
    services.transfer_ship(transfer_id=made[0].pk)
    services.transfer_ship(transfer_id=made[1].pk)
    services.transfer_receive(transfer_id=made[1].pk)

    for location in (level.location_id, destination.pk):
        response = dashboard.get(admin_url(StockTransfer, "changelist"), {"in_flight_at": location})
        assert [t.pk for t in response.context["cl"].result_list] == [made[0].pk]
    other = dashboard.get(
        admin_url(StockTransfer, "changelist"), {"in_flight_at": StockLocationFactory().pk}
    )
    assert list(other.context["cl"].result_list) == []
