"""Holds that lapse: `expires_at` on reservations. An expired reservation holds nothing: a
writer that finds a level short first releases its expired reservations (`expired`
movements), and `release_expired_reservations` sweeps the rest. The clock is patched."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.models import InventoryLevel, StockMovement
from orders.models import LineItem
from reservations import services as reservations
from reservations.models import ReservationItem
from tests.factories.inventory import LevelFactory, StockLocationFactory
from tests.factories.orders import (
    channel_with_locations,
    level_of,
    place_order,
    stocked_variant,
    without_allocation,
)
from tests.factories.reservations import ReservationFactory
from transfers import services as transfers

pytestmark = pytest.mark.django_db
URL = "/admin/reservations"
START = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, monkeypatch):
        self.now = START
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def hold(level, quantity: int, minutes: int | None) -> ReservationItem:
    expires = None if minutes is None else START + dt.timedelta(minutes=minutes)
    return ReservationFactory(level=level, quantity=quantity, expires_at=expires)


def expired_movements(level) -> list[tuple[str, int]]:
    return list(
        StockMovement.objects.filter(level_id=level.pk, reason="expired")
        .order_by("version")
        .values_list("reservation_id", "reserved_delta")
    )


# The API ----------------------------------------------------------------------------------


def test_expires_at_is_set_shown_changed_cleared_and_filtered(api, clock):
    level = LevelFactory(stocked_quantity=10)
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": 1,
        "expires_at": "2026-11-23T13:00:00Z",
    }
    created = api.post(URL, body, format="json").json()["reservation"]
    assert created["expires_at"] == "2026-11-23T13:00:00.000Z"
    forever = api.post(URL, {**body, "expires_at": None}, format="json").json()["reservation"]
    assert forever["expires_at"] is None

    url = f"{URL}/{created['id']}"
    later = api.post(url, {"expires_at": "2026-11-23T15:30:00+01:00"}, format="json").json()
    assert later["reservation"]["expires_at"] == "2026-11-23T14:30:00.000Z"
    listed = api.get(f"{URL}?expires_at[lt]=2026-11-23T15:00:00Z").json()
    assert [r["id"] for r in listed["reservations"]] == [created["id"]]
    assert api.get(f"{URL}?expires_at[gte]=2026-11-23T15:00:00Z").json()["count"] == 0
    cleared = api.post(url, {"expires_at": None}, format="json").json()["reservation"]
    assert cleared["expires_at"] is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-23T11:59:00Z", "expires_at must be in the future"),
        ("2026-11-23T12:00:00Z", "expires_at must be in the future"),
        ("tomorrow", "expires_at must be an ISO 8601 timestamp"),
        (1764000000, "expires_at must be an ISO 8601 timestamp"),
    ],
)
def test_a_past_or_malformed_expires_at_is_400_and_writes_nothing(api, clock, value, message):
    level = LevelFactory(stocked_quantity=10)
    reservation = hold(level, 1, None)
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": 1,
        "expires_at": value,
    }
    for response in (
        api.post(URL, body, format="json"),
        api.post(f"{URL}/{reservation.pk}", {"expires_at": value}, format="json"),
    ):
        assert response.status_code == 400
        assert response.json() == {"type": "invalid_data", "message": message}
    assert ReservationItem.objects.get().expires_at is None


# Writers release expired holds on the levels they find short --------------------------------


def test_a_short_level_releases_its_expired_holds_for_a_new_reservation(api, clock, consistent):
    level = LevelFactory(stocked_quantity=10)
    lapsing, live, forever = hold(level, 4, 30), hold(level, 3, 90), hold(level, 3, None)
    clock.advance(minutes=31)

    body = {"inventory_item_id": level.inventory_item_id, "location_id": level.location_id}
    response = api.post(URL, {**body, "quantity": 4}, format="json")

    assert response.status_code == 200, response.content
    assert set(ReservationItem.objects.values_list("pk", flat=True)) == {
        live.pk,
        forever.pk,
        response.json()["reservation"]["id"],
    }
    assert expired_movements(level) == [(lapsing.pk, -4)]
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 10
    consistent()
    # live holds still hold: the level is full
    assert api.post(URL, {**body, "quantity": 1}, format="json").status_code == 400
    assert expired_movements(level) == [(lapsing.pk, -4)]


def test_a_new_hold_that_lapses_while_it_is_made_is_not_released_by_itself(
    clock, monkeypatch, consistent
):
    # given a full level whose hold has lapsed, and a clock that ticks a second a reading
    level = LevelFactory(stocked_quantity=5)
    lapsed = hold(level, 5, 1)
    later = START + dt.timedelta(minutes=1)
    ticks = iter(later + dt.timedelta(seconds=n) for n in range(1, 1000))
    monkeypatch.setattr(timezone, "now", lambda: next(ticks))
    # when a hold that expires two seconds from now is made (it has lapsed by the time the
    # short level's expired holds are released)
    made = reservations.reservation_create(
        inventory_item_id=level.inventory_item_id,
        location_id=level.location_id,
        quantity=2,
        expires_at=later + dt.timedelta(seconds=2.5),
    )
    # then only the older hold is released; the new one stands, counted once
    assert expired_movements(level) == [(lapsed.pk, -5)]
    assert list(ReservationItem.objects.values_list("pk", flat=True)) == [made.pk]
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 2
    consistent()


def test_a_level_that_is_not_short_keeps_its_expired_holds(clock, consistent):
    level = LevelFactory(stocked_quantity=10)
    lapsing = hold(level, 2, 5)
    clock.advance(minutes=10)
    hold(level, 1, None)
    assert ReservationItem.objects.filter(pk=lapsing.pk).exists()  # the sweep will take it
    consistent()


def test_growing_an_expired_reservation_does_not_release_it(api, clock, consistent):
    level = LevelFactory(stocked_quantity=5)
    mine, other = hold(level, 2, 5), hold(level, 3, 5)
    clock.advance(minutes=10)
    response = api.post(
        f"{URL}/{mine.pk}",
        {"quantity": 4, "expires_at": "2026-11-23T13:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["reservation"]["quantity"] == 4
    assert expired_movements(level) == [(other.pk, -3)]
    consistent()


def test_placing_an_order_releases_expired_holds(clock, consistent):
    location = StockLocationFactory()
    channel_with_locations(location)
    variant = stocked_variant((location, 5))
    level = level_of(variant, location)
    quote = hold(level, 4, 60)
    clock.advance(hours=2)

    order = place_order({variant: 3})

    assert ReservationItem.objects.filter(line_item__order=order).count() == 1
    assert expired_movements(level) == [(quote.pk, -4)]
    consistent()


def test_allocate_orders_releases_expired_holds(clock, consistent):
    location = StockLocationFactory()
    channel_with_locations(location)
    variant = stocked_variant((location, 5))
    level = level_of(variant, location)
    with without_allocation():
        order = place_order({variant: 5})
    quote = hold(level, 5, 60)
    clock.advance(hours=2)

    call_command("allocate_orders", stdout=io.StringIO())

    line = LineItem.objects.get(order=order)
    assert ReservationItem.objects.get(line_item=line).quantity == 5
    assert expired_movements(level) == [(quote.pk, -5)]
    consistent()


def test_shipping_a_transfer_releases_expired_holds(clock, consistent):
    level = LevelFactory(stocked_quantity=6)
    quote, live = hold(level, 4, 60), hold(level, 1, None)
    transfer = transfers.transfer_create(
        from_location_id=level.location_id,
        to_location_id=StockLocationFactory().pk,
        items=[{"inventory_item_id": level.inventory_item_id, "quantity": 5}],
    )
    clock.advance(hours=2)

    transfers.transfer_ship(transfer_id=transfer.pk)

    assert expired_movements(level) == [(quote.pk, -4)]
    assert list(ReservationItem.objects.values_list("pk", flat=True)) == [live.pk]
    consistent()


# The sweep ----------------------------------------------------------------------------------


def sweep(*args) -> str:
    out = io.StringIO()
    call_command("release_expired_reservations", *args, stdout=out)
    return out.getvalue()


def test_the_sweep_releases_only_expired_holds_in_batches(clock, consistent):
    levels = [LevelFactory(stocked_quantity=10) for _ in range(3)]
    lapsing = [hold(level, 2, 10) for level in levels]
    live = [hold(levels[0], 1, 60), hold(levels[1], 1, None)]
    clock.advance(minutes=30)

    assert sweep("--batch-size", "1") == "Released 3 expired reservations in 3 batches.\n"

    assert set(ReservationItem.objects.values_list("pk", flat=True)) == {r.pk for r in live}
    assert set(
        StockMovement.objects.filter(reason="expired").values_list("reservation_id", flat=True)
    ) == {r.pk for r in lapsing}
    movement = StockMovement.objects.filter(reason="expired").first()
    assert movement.created_by == "command:release_expired_reservations"
    consistent()
    assert sweep() == "Released 0 expired reservations in 0 batches.\n"


def test_an_interrupted_sweep_resumes(clock, monkeypatch, consistent):
    from reservations import services

    levels = [LevelFactory(stocked_quantity=10) for _ in range(4)]
    for level in levels:
        hold(level, 1, 10)
    clock.advance(minutes=30)
    real, calls = services.release_expired_batch, []

    def crashing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(**kwargs)

    monkeypatch.setattr(
        "reservations.management.commands.release_expired_reservations.release_expired_batch",
        crashing,
    )
    with pytest.raises(RuntimeError):
        sweep("--batch-size", "1")
    assert ReservationItem.objects.count() == 2  # two batches were committed
    consistent()
    monkeypatch.undo()
    Clock(monkeypatch).advance(minutes=30)
    assert sweep("--batch-size", "1") == "Released 2 expired reservations in 2 batches.\n"
    assert not ReservationItem.objects.exists()
    consistent()
