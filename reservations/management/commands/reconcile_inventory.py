"""`manage.py reconcile_inventory`: prove each level against its reservations and its stock
movements, print every drift, and with `--fix` repair it."""

from django.core.management import CommandError

from config.actor import ActorCommand
from inventory.models import InventoryItem, StockLocation
from reservations.reconcile import check_batch, levels_of

BATCH_SIZE = 1000
BAR_WIDTH = 30


class Command(ActorCommand):
    help = (
        "Check every inventory level: its reserved_quantity must equal the sum of its "
        "reservations; its stocked, reserved and incoming quantities the sums of its stock "
        "movements' deltas and what its latest movement left; its version the number of its "
        "movements, numbered from 1 without a gap. Prints every drift and exits 1 when it "
        "finds any, 0 when there is none. With --fix, each level that drifted is repaired "
        "under its lock (safe while the API takes traffic) with `reconciled` movements: "
        "reserved_quantity becomes the sum of its reservations; stocked and incoming "
        "quantities stay as they are (what staff saw and sold against) and the ledger records "
        "the difference it did not explain; a lost movement is replaced by one carrying the "
        "change its neighbours show. The run still exits 1 (it found drift); a rerun exits 0."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair what drifted")
        parser.add_argument("--item", help="only the levels of this inventory item id")
        parser.add_argument("--location", help="only the levels at this stock location id")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"levels read per batch (default {BATCH_SIZE}); a batch's drifted levels "
            "are locked and repaired in one transaction",
        )

    def handle(self, *args, fix, item, location, batch_size, **options):
        if item and not InventoryItem.objects.filter(pk=item).exists():
            raise CommandError(f"Inventory item {item} does not exist")
        if location and not StockLocation.objects.filter(pk=location).exists():
            raise CommandError(f"Stock location {location} does not exist")
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        scope = {"item_id": item, "location_id": location}
        terminal = self.stdout.isatty()
        total = levels_of(**scope).count() if terminal else 0
        after, looked, drifts, levels = "", 0, [], set()
        while True:
            batch = check_batch(after=after, size=batch_size, fix=fix, **scope)
            if batch.last is None:
                break
            after, looked = batch.last, looked + batch.looked
            drifts += batch.drifts
            levels.update(d.level_id for d in batch.drifts)
            if terminal:
                self.stdout.write(_bar(looked, total, len(levels)), ending="")
                self.stdout.flush()
        if terminal:
            self.stdout.write("")
        for d in drifts:
            self.stdout.write(
                f"{d.level_id} (item {d.item} at {d.location}): {d.counter} is {d.value}, "
                f"but {d.says}"
            )
        repaired = f"; {len(levels)} repaired" if fix and levels else ""
        self.stdout.write(
            f"{looked} levels checked; {len(levels)} drifted ({len(drifts)} drifts){repaired}."
        )
        if drifts:
            raise CommandError(
                f"{len(levels)} levels drifted" + ("; repaired" if fix else "; --fix repairs them")
            )


def _bar(done: int, total: int, drifted: int) -> str:
    """`[####......] 400/1000 levels, 2 drifted` (levels added meanwhile overfill nothing)."""
    filled = min(BAR_WIDTH * done // max(total, 1), BAR_WIDTH)
    return (
        f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} levels, {drifted} drifted"
    )
