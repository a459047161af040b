"""`manage.py purge_idempotency_keys`: delete the Idempotency-Keys older than 24 hours."""

from config.commands import BatchCommand
from config.services import idempotency_keys_purge_batch


class Command(BatchCommand):
    help = (
        "Delete every Idempotency-Key older than 24 hours (no answer is replayed from one), in "
        "batches of one transaction each. For cron, e.g. hourly; safe while the API takes traffic."
    )
    batch_size, batch_unit = 5000, "keys"
    done = "Purged {total} expired idempotency keys in {batches} batches."

    def run_batch(self, size):
        return idempotency_keys_purge_batch(size=size)
