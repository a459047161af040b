"""`manage.py allocate_orders`: reserve stock for open order lines not fully reserved."""

import time

from django.core.management import CommandError

from config.actor import ActorCommand
from inventory.models import SalesChannel, StockLocation
from orders.allocation import allocate_open_lines

SHOWN_SHORT = 20
BATCH_SIZE = 1000  # ~0.2 s per batch: how long API writes may wait on its level locks


class Command(ActorCommand):
    help = (
        "Reserve stock for every open order line that is not fully reserved, at its sales "
        "channel's locations, in batches (one transaction each): an interrupted run loses "
        "nothing and a rerun continues. Safe while the API takes traffic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sales-channel", help="only orders of this sales channel id")
        parser.add_argument(
            "--location",
            help="reserve only at this stock location id, for the channels linked to it",
        )
        parser.add_argument("--limit", type=int, help="look at no more than this many lines")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"lines per transaction (default {BATCH_SIZE}); the levels they need stay "
            "locked until it commits",
        )
        parser.add_argument("--dry-run", action="store_true", help="plan and report only")

    def handle(self, *args, sales_channel, location, limit, batch_size, dry_run, **options):
        if sales_channel and not SalesChannel.objects.filter(pk=sales_channel).exists():
            raise CommandError(f"Sales channel {sales_channel} does not exist")
        if location and not StockLocation.objects.filter(pk=location).exists():
            raise CommandError(f"Stock location {location} does not exist")
        if batch_size < 1 or (limit is not None and limit < 0):
            raise CommandError("--batch-size must be positive and --limit not negative")
        # Counts, and the first few short lines: memory stays flat however many lines.
        looked = allocated = units = short_lines = 0
        shown = {}  # line id -> its shortages, for the first SHOWN_SHORT short lines
        planned = {} if dry_run else None
        after, batches, longest = "", 0, 0.0
        while limit is None or looked < limit:
            size = batch_size if limit is None else min(batch_size, limit - looked)
            started = time.perf_counter()
            ids, plan = allocate_open_lines(
                after=after,
                size=size,
                sales_channel_id=sales_channel,
                location_id=location,
                dry_run=dry_run,
                planned=planned,
            )
            if not ids:
                break
            batches, longest = batches + 1, max(longest, time.perf_counter() - started)
            after, looked = ids[-1], looked + len(ids)
            # a line is looked at in one batch only, so per-batch counts add up
            allocated += len({line_id for line_id, *_ in plan.placements})
            units += sum(quantity for *_, quantity in plan.placements)
            short_lines += len({s["line_item_id"] for s in plan.shortages})
            for shortage in plan.shortages:
                line_id = shortage["line_item_id"]
                if line_id in shown or len(shown) < SHOWN_SHORT:
                    shown.setdefault(line_id, []).append(shortage)
            if self.stdout.isatty():
                self.stdout.write(
                    f"\r{looked} lines looked at, {allocated} allocated, {short_lines} short",
                    ending="",
                )
                self.stdout.flush()
        if self.stdout.isatty():
            self.stdout.write("")
        verb = "would be allocated" if dry_run else "allocated"
        self.stdout.write(
            f"{looked} lines looked at; {allocated} lines {verb} ({units} units); "
            f"{short_lines} lines short."
        )
        for shortages in shown.values():
            for s in shortages:
                self.stdout.write(
                    f"  short: {s['label']}: missing {s['missing']} of {s['requested']} "
                    f"(available {s['available']})"
                )
        if short_lines > len(shown):
            self.stdout.write(f"  … and {short_lines - len(shown)} more short lines")
        if options["verbosity"] >= 2:  # how long the API may have waited on a level lock
            self.stdout.write(f"{batches} batches; the longest took {longest:.2f} s.")
