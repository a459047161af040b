"""`manage.py allocate_orders`: reserve stock for open order lines not fully reserved."""

from django.core.management import BaseCommand, CommandError

from inventory.models import SalesChannel, StockLocation
from orders.services import order_lines_allocate

SHOWN_SHORT = 20


class Command(BaseCommand):
    help = (
        "Reserve stock for every open order line that is not fully reserved, at its sales "
        "channel's locations, in batches (one transaction each): an interrupted run loses "
        "nothing and a rerun continues. Safe while the API takes traffic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sales-channel", help="only orders of this sales channel id")
        parser.add_argument("--location", help="reserve only at this stock location id")
        parser.add_argument("--limit", type=int, help="look at no more than this many lines")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--dry-run", action="store_true", help="plan and report only")

    def handle(self, *args, sales_channel, location, limit, batch_size, dry_run, **options):
        if sales_channel and not SalesChannel.objects.filter(pk=sales_channel).exists():
            raise CommandError(f"Sales channel {sales_channel} does not exist")
        if location and not StockLocation.objects.filter(pk=location).exists():
            raise CommandError(f"Stock location {location} does not exist")
        if batch_size < 1 or (limit is not None and limit < 0):
            raise CommandError("--batch-size must be positive and --limit not negative")
        looked, allocated, units, short = 0, set(), 0, {}
        after = ""
        while limit is None or looked < limit:
            size = batch_size if limit is None else min(batch_size, limit - looked)
            ids, plan = order_lines_allocate(
                after=after,
                size=size,
                sales_channel_id=sales_channel,
                location_id=location,
                dry_run=dry_run,
            )
            if not ids:
                break
            after, looked = ids[-1], looked + len(ids)
            for line_id, _, _, quantity in plan.placements:
                allocated.add(line_id)
                units += quantity
            for shortage in plan.shortages:
                short.setdefault(shortage["line_item_id"], []).append(shortage)
            if self.stdout.isatty():
                self.stdout.write(
                    f"\r{looked} lines looked at, {len(allocated)} allocated, {len(short)} short",
                    ending="",
                )
                self.stdout.flush()
        if self.stdout.isatty():
            self.stdout.write("")
        verb = "would be allocated" if dry_run else "allocated"
        self.stdout.write(
            f"{looked} lines looked at; {len(allocated)} lines {verb} ({units} units); "
            f"{len(short)} lines short."
        )
        for shortages in list(short.values())[:SHOWN_SHORT]:
            for s in shortages:
                self.stdout.write(
                    f"  short: {s['label']}: missing {s['missing']} of {s['requested']} "
                    f"(available {s['available']})"
                )
        if len(short) > SHOWN_SHORT:
            self.stdout.write(f"  … and {len(short) - SHOWN_SHORT} more short lines")
