"""`manage.py release_expired_reservations`: release every reservation whose hold lapsed."""

from config.actor import ActorCommand
from config.commands import BatchCommand
from reservations.services import release_expired_batch


class Command(ActorCommand, BatchCommand):
    help = (
        "Release every expired reservation (an `expired` movement each), in batches of one "
        "transaction each: an interrupted run loses nothing and a rerun continues. For cron; "
        "safe while the API takes traffic (writers also release expired holds they meet)."
    )
    batch_size, batch_unit = 500, "reservations"
    done = "Released {total} expired reservations in {batches} batches."

    def run_batch(self, size):
        return release_expired_batch(size=size)
