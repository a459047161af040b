"""`manage.py release_expired_reservations`: release every reservation whose hold lapsed."""

from django.core.management import CommandError

from config.actor import ActorCommand
from reservations.services import release_expired_batch

BATCH_SIZE = 500


class Command(ActorCommand):
    help = (
        "Release every expired reservation (an `expired` movement each), in batches of one "
        "transaction each: an interrupted run loses nothing and a rerun continues. For cron; "
        "safe while the API takes traffic (writers also release expired holds they meet)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"reservations per transaction (default {BATCH_SIZE})",
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        released = batches = 0
        while (count := release_expired_batch(size=batch_size)) is not None:
            released, batches = released + count, batches + 1
        self.stdout.write(f"Released {released} expired reservations in {batches} batches.")
