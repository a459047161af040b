from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from draft_orders.models import DraftOrder
from orders.models import Order
from reservations.models import ReservationItem


@pytest.fixture(autouse=True)
def _private_static_root(settings, tmp_path):
    """The demo collects static files; other test workers read the project's STATIC_ROOT
    (WhiteNoise scans it) at the same time, so here it writes into a folder of its own."""
    settings.STATIC_ROOT = tmp_path / "static"


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


@pytest.mark.django_db
def test_demo_collects_the_static_files_into_static_root_not_the_projects(default_channel):
    # when
    call_command("demo", "--no-serve")
    # then
    root = Path(settings.STATIC_ROOT)
    assert (root / "admin" / "css" / "base.css").is_file()
    assert not root.is_relative_to(settings.BASE_DIR)
