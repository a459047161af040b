"""Management commands that work in batches of one transaction each (for cron: an interrupted
run loses nothing, and a rerun continues)."""

from django.core.management import BaseCommand, CommandError


class BatchCommand(BaseCommand):
    """`--batch-size N`; runs `run_batch(size)` until it returns None, then prints `done`."""

    batch_size: int
    batch_unit: str  # what a batch holds, for --help
    done: str  # formatted with `total` and `batches`

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=self.batch_size,
            help=f"{self.batch_unit} per transaction (default {self.batch_size})",
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        total = batches = 0
        while (count := self.run_batch(batch_size)) is not None:
            total, batches = total + count, batches + 1
        self.stdout.write(self.done.format(total=total, batches=batches))

    def run_batch(self, size: int) -> int | None:
        """One batch in one transaction: how many it handled, or None when none is left."""
        raise NotImplementedError
