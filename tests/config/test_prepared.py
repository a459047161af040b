"""Querysets compiled once run with new values and give what the queryset gives."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.prepared import Prepared, Unpreparable, increment, insert, insert_rows, pipelined
from inventory.batch import NEW_LEVEL_COLUMNS
from inventory.models import InventoryItem, InventoryLevel
from reservations.models import ReservationItem
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory

# The placeholders in another order than the filter's, and a constant among the parameters.
at = Prepared(
    lambda location_id, item_id: InventoryLevel.objects.filter(
        inventory_item_id=item_id, location_id=location_id, stocked_quantity__gte=5
    )
)


@pytest.mark.django_db
def test_each_value_goes_where_the_compiler_put_it():
    first = LevelFactory(stocked_quantity=7, metadata={"bin": "A-3"})
    second = LevelFactory(stocked_quantity=9)
    assert at(first.location_id, first.inventory_item_id) == [first]
    assert at(second.location_id, second.inventory_item_id) == [second]
    assert at(first.location_id, second.inventory_item_id) == []


@pytest.mark.django_db
def test_rows_come_back_as_the_queryset_makes_them():
    level = LevelFactory(stocked_quantity=7, metadata={"bin": "A-3"})
    (found,) = at(level.location_id, level.inventory_item_id)
    expected = InventoryLevel.objects.get(pk=level.pk)
    for field in InventoryLevel._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.metadata == {"bin": "A-3"}
    assert found._state.adding is False


@pytest.mark.django_db
def test_constants_of_the_filter_stay():
    level = LevelFactory(stocked_quantity=4)
    assert at(level.location_id, level.inventory_item_id) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build",
    [
        lambda text: InventoryItem.objects.filter(sku__icontains=text),
        lambda text: InventoryItem.objects.filter(sku__startswith=text),
        lambda sku, title: InventoryItem.objects.filter(sku=sku),
    ],
    ids=["rewritten-by-icontains", "rewritten-by-startswith", "left-out"],
)
def test_a_value_that_does_not_reach_the_sql_as_given_is_refused_when_compiled(build):
    # given
    InventoryItemFactory(sku="ABC")
    prepared = Prepared(build)
    values = ["zzz"] * prepared.arity
    # when
    with pytest.raises(Unpreparable) as refusal:
        prepared(*values)
    # then: the error names the build, and nothing runs as a constant later either
    line = build.__code__.co_firstlineno
    assert f"the statement built at {__file__}:{line} cannot be compiled once" in str(refusal.value)
    with pytest.raises(Unpreparable):
        prepared(*values)


@pytest.mark.django_db
def test_insert_writes_the_row_save_would():
    level = LevelFactory()
    reservation = ReservationItem(
        inventory_item_id=level.inventory_item_id,
        location_id=level.location_id,
        quantity=3,
        metadata={"note": "ünïcode", "n": [1, 2]},
    )
    insert(reservation)
    assert reservation._state.adding is False
    assert reservation.created_at is not None
    assert reservation.updated_at is not None
    stored = ReservationItem.objects.get(pk=reservation.pk)
    for field in ReservationItem._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(reservation, field.attname), field.name
    assert stored.pk.startswith("resitem_")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_insert_rows_may_skip_rows_whose_unique_values_are_taken_and_says_how_many_it_wrote(
    count,
):
    location = StockLocationFactory()
    items = InventoryItemFactory.create_batch(count)
    taken = LevelFactory(inventory_item=items[0], location=location, stocked_quantity=5)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = NEW_LEVEL_COLUMNS  # id, item, location, the 4 counters, created and updated
    rows = [
        (f"ilev_{n}", item.pk, location.pk, 0, 0, 0, 0, now, now) for n, item in enumerate(items)
    ]

    assert insert_rows(InventoryLevel, columns, rows, skip_taken=True) == count - 1

    assert set(InventoryLevel.objects.values_list("pk", flat=True)) == {
        taken.pk,
        *(pk for pk, *_ in rows[1:]),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(InventoryLevel, columns, rows[:1])


@pytest.mark.django_db
def test_increment_adds_to_one_row_and_stamps_it():
    level, other = LevelFactory(stocked_quantity=10), LevelFactory(stocked_quantity=10)
    before = level.updated_at
    increment(level, stocked_quantity=5, incoming_quantity=2)
    increment(level, stocked_quantity=-1)
    stored = InventoryLevel.objects.get(pk=level.pk)
    assert (stored.stocked_quantity, stored.incoming_quantity) == (14, 2)
    assert (level.stocked_quantity, level.incoming_quantity) == (14, 2)
    assert stored.updated_at == level.updated_at > before
    assert InventoryLevel.objects.get(pk=other.pk).stocked_quantity == 10


@pytest.mark.django_db
def test_a_pipelined_block_writes_what_it_would_write_alone():
    level = LevelFactory(stocked_quantity=4)
    with transaction.atomic(), pipelined():
        increment(level, stocked_quantity=3)
        increment(level, stocked_quantity=-1)
    level.refresh_from_db()
    assert level.stocked_quantity == 6


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_waits_once_for_a_pipelined_block_and_its_errors_are_djangos():
    level = LevelFactory(stocked_quantity=4)

    def write_past_zero():
        with transaction.atomic(), pipelined():
            assert connection.connection.pgconn.pipeline_status
            with pipelined():  # joins the outer block
                increment(level, stocked_quantity=-10)  # stocked_not_negative
            increment(level, stocked_quantity=1)

    with pytest.raises(IntegrityError):
        write_past_zero()
    level.refresh_from_db()
    assert level.stocked_quantity == 4
