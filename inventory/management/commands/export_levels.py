"""`manage.py export_levels`: every stock level as CSV, the format `import_levels` reads."""

import csv
import os
import sys

from django.core.management import CommandError

from config.actor import ActorCommand
from inventory.level_csv import export_rows
from inventory.models import StockLocation


class Command(ActorCommand):
    help = (
        "Write every stock level (or those at one location) as CSV: inventory_item_id, sku, "
        "location_id, location_name, stocked_quantity and expected_stocked_quantity (the stock "
        "now). Edit stocked_quantity and import the file back with import_levels: levels whose "
        "stock changed in between are refused instead of overwritten. Reads the levels in "
        "chunks, so memory stays flat."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the file to write (default: standard output)")
        parser.add_argument("--location", help="only the levels at this stock location id")

    def handle(self, *args, file, location, **options):
        if location and not StockLocation.objects.filter(pk=location).exists():
            raise CommandError(f"Stock location {location} does not exist")
        if file is None:
            try:
                _write(self.stdout, location)
                self.stdout.flush()
            except BrokenPipeError:  # `export_levels | head`: the reader has all it wants
                # what is still buffered goes nowhere, not into a traceback at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        with open(file, "w", encoding="utf-8", newline="") as out:
            count = _write(out, location)
        self.stdout.write(f"{count} levels written to {file}.")


def _write(out, location) -> int:
    """Write the export to `out`; the number of levels."""
    writer, count = csv.writer(out), -1  # the header is no level
    for row in export_rows(location):
        writer.writerow(row)
        count += 1
    return count
