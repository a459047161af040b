"""`manage.py import_levels`: set stock levels from a CSV file, in batches."""

from functools import partial

from django.core.management import CommandError

from config.actor import ActorCommand
from inventory.level_csv import BATCH_SIZE, CsvError, ImportReport, import_levels
from inventory.models import StockMovement

BAR_WIDTH = 30


class Command(ActorCommand):
    help = (
        "Set stock levels from a CSV file (UTF-8, a header row): the item by sku or "
        "inventory_item_id, the location by location_id or location_name, and "
        "stocked_quantity (the stock) or stocked_delta (added to it); optional "
        "expected_stocked_quantity (the row is refused when the stock is not that) and "
        "reference. A missing level is created. A wrong header, an empty file, text that is "
        "not UTF-8 or a bad cell stops the import before anything is written. Then the rows "
        "are applied in batches of one transaction each; a refused row (unknown SKU or "
        "location, stock below what is reserved, a stale expected quantity, a level named "
        "twice in a batch) is reported by its line and the others go through, unless "
        "--atomic. Exits 1 when any row was refused. An interrupted import has applied whole "
        "batches only: a file of stocked_quantity can simply be run again; for a file of "
        "stocked_delta, rerun it with --from-line (the line after the last one applied, which "
        "the import prints), or give each row an expected_stocked_quantity so that rows "
        "already applied are refused as stale."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row against the stock; write nothing",
        )
        parser.add_argument(
            "--reason",
            default=StockMovement.Reason.CORRECTION,
            choices=StockMovement.MANUAL_REASONS,
            help="the reason the stock movements record (default correction)",
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="check every row first and write nothing if any is refused",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"rows per transaction (default {BATCH_SIZE}); their levels stay locked "
            "until it commits",
        )
        parser.add_argument(
            "--from-line", type=int, default=0, help="skip the rows before this line of the file"
        )

    def handle(self, *args, file, dry_run, reason, atomic, batch_size, from_line, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        terminal = self.stdout.isatty()
        last = {"applied": 0}

        def on_batch(report: ImportReport) -> None:
            last["applied"] = report.applied_through
            if terminal:
                self.stdout.write(_bar(report), ending="")
                self.stdout.flush()

        def on_error(error: dict) -> None:
            if terminal:
                self.stdout.write("\r\033[K", ending="")
            self.stdout.write(f"line {error['index']}: {error['type']}: {error['message']}")

        try:
            report = import_levels(
                partial(open, file, "rb"),
                reason=reason,
                atomic=atomic,
                dry_run=dry_run,
                batch_size=batch_size,
                from_line=from_line,
                on_error=on_error,
                on_batch=on_batch,
            )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except CsvError as error:
            for row in error.errors:
                self.stdout.write(f"line {row['index']}: {row['message']}")
            raise CommandError(error.message) from error
        except KeyboardInterrupt:
            self.stdout.write("")
            raise CommandError(_interrupted(last["applied"])) from None
        if terminal:
            self.stdout.write("")
        self.stdout.write(_summary(report, atomic=atomic, dry_run=dry_run))
        if report.stopped:
            raise CommandError(f"Stopped: {report.stopped}. {_interrupted(last['applied'])}")
        if report.refused:
            raise CommandError(f"{report.refused} rows refused")


def _summary(report: ImportReport, *, atomic: bool, dry_run: bool) -> str:
    would = "would be " if report.checking else ""
    summary = (
        f"{report.done} of {report.rows} rows read: {report.created} levels {would}created, "
        f"{report.updated} {would}updated, {report.refused} rows refused"
    )
    if report.refused and report.checking and not dry_run:
        return summary + "; nothing was written (--atomic)."
    return summary + "."


def _interrupted(applied_through: int) -> str:
    if not applied_through:
        return "Nothing was applied."
    return (
        f"Rows up to line {applied_through} were applied; rerun with --from-line "
        f"{applied_through + 1} to apply the rest."
    )


def _bar(report: ImportReport) -> str:
    """`\\r[#####.....] 4000/10000 rows, 3 refused` (checking: the atomic check first)."""
    filled = BAR_WIDTH * report.done // max(report.rows, 1)
    verb = "checked" if report.checking else "applied"
    return (
        f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {report.done}/{report.rows} rows "
        f"{verb}, {report.refused} refused"
    )
