"""Real threads against PostgreSQL: `reconcile_inventory --fix` repairs exactly what drifted
while reservations are made and released on the same levels."""

import io
import random
import threading

import pytest
from django.core.management import CommandError, call_command

from inventory.models import InventoryLevel, StockMovement
from reservations.services import reservation_create, reservation_delete
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

WRITERS = 4


def test_a_fix_under_traffic_repairs_exactly_the_drift_and_keeps_the_invariant(consistent):
    # given: 24 levels, every third with counters changed by hand
    levels = [LevelFactory(stocked_quantity=500, incoming_quantity=3) for _ in range(24)]
    broken = levels[::3]
    for n, level in enumerate(broken):
        changed = {"reserved_quantity": 7} if n % 2 else {"stocked_quantity": 450}
        InventoryLevel.objects.filter(pk=level.pk).update(**changed)
    fixed = threading.Event()

    def reserve_and_release(rng: random.Random) -> int:
        """Reserve and release on random levels until the fix is done, then a little more."""
        held, done, after_fix = [], 0, 0
        while after_fix < 5:
            level = rng.choice(levels)
            held.append(
                reservation_create(
                    inventory_item_id=level.inventory_item_id,
                    location_id=level.location_id,
                    quantity=rng.randint(1, 3),
                ).pk
            )
            if len(held) > 2:
                reservation_delete(reservation_id=held.pop(rng.randrange(len(held))))
            done += 1
            after_fix += fixed.is_set()
        return done

    def work(i: int):
        if i < WRITERS:
            return reserve_and_release(random.Random(i))
        out = io.StringIO()
        try:
            call_command("reconcile_inventory", "--fix", "--batch-size", "3", stdout=out)
        except CommandError:
            return out.getvalue()
        finally:
            fixed.set()
        return None

    # when: the fix runs while 4 writers reserve and release
    *writes, out = run_together(WRITERS + 1, work)

    # then: the writers all succeeded, and the fix found and repaired the broken levels only
    assert all(isinstance(done, int) and done > 5 for done in writes), writes
    assert isinstance(out, str), out
    assert out.splitlines()[-1].startswith("24 levels checked; 8 drifted (")
    assert {line.split()[0] for line in out.splitlines()[:-1]} == {level.pk for level in broken}
    assert set(
        StockMovement.objects.filter(reason="reconciled").values_list("level_id", flat=True)
    ) == {level.pk for level in broken}
    consistent()
    clean = io.StringIO()
    call_command("reconcile_inventory", stdout=clean)
    assert clean.getvalue() == "24 levels checked; 0 drifted (0 drifts).\n"
