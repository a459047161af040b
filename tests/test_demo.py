import pytest
from django.core.management import call_command

from draft_orders.models import DraftOrder
from orders.models import Order
from reservations.models import ReservationItem


@pytest.mark.django_db
def test_demo_fills_an_empty_store_once_with_the_whole_flow(consistent, capsys, default_channel):
    # when
    call_command("demo", "--no-serve")
    call_command("demo", "--no-serve")
    # then
    out = capsys.readouterr().out
    assert out.count("Seeded the demo store.") == 1
    assert "admin@stockroom.local / stockroom" in out
    assert Order.objects.count() == 2
    assert DraftOrder.objects.filter(status="open").count() == 2
    assert ReservationItem.objects.filter(line_item__isnull=False).count() == 6
    assert ReservationItem.objects.filter(line_item__isnull=True).count() == 2
    consistent()
