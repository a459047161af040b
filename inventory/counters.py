"""The one writer of level counters, and of the stock ledger with them.

Every change to a level's stocked, reserved or incoming quantity is a `Change` passed to
`record`, on levels the caller has locked (`inventory.locks`). `record` applies the changes in
order, writes the counters and one `StockMovement` per change (its deltas, the counters it left
and what caused it) in the caller's transaction. Nothing else writes a counter, so each level's
counters always equal the sums of its movements' deltas. When something did (a hand-written
SQL update, a deleted movement), `reconcile` makes a level and its ledger agree again.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from config.actor import current_actor
from config.ids import PrefixedId
from config.prepared import increment, increment_all, insert_rows, pipelined
from inventory.ledger import ZERO, Counters, Ledger, counters_of
from inventory.locks import LevelKey
from inventory.models import InventoryLevel, StockMovement

COLUMNS = ("stocked_quantity", "reserved_quantity", "incoming_quantity", "version")


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the level of `key`: deltas, the reason, and what caused it."""

    key: LevelKey
    reason: str
    stocked: int = 0
    reserved: int = 0
    incoming: int = 0
    reservation_id: str | None = None
    line_item_id: str | None = None
    order_id: str | None = None
    fulfillment_id: str | None = None
    return_id: str | None = None
    transfer_id: str | None = None
    reference: str | None = None
    note: str | None = None


MOVEMENT_COLUMNS = (
    "id",
    "level_id",
    "inventory_item_id",
    "location_id",
    "version",
    "reason",
    "stocked_delta",
    "reserved_delta",
    "incoming_delta",
    "stocked_after",
    "reserved_after",
    "incoming_after",
    "reservation_id",
    "line_item_id",
    "order_id",
    "fulfillment_id",
    "return_id",
    "transfer_id",
    "reference",
    "note",
    "created_by",
    "created_at",
)
new_movement_id = PrefixedId("smov")


def record(levels: dict[LevelKey, InventoryLevel], changes) -> None:
    """Apply `changes` to these locked levels, save their counters and write the movements.

    The levels' instances follow (their counters and `version` are those written). The
    movements are written as rows, without model instances: a batch may have thousands."""
    actor = current_actor()
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows, after = [], {}
    for change in changes:
        level = levels[change.key]
        state = after.get(change.key) or [
            level.stocked_quantity,
            level.reserved_quantity,
            level.incoming_quantity,
            level.version,
        ]
        state = after[change.key] = [
            state[0] + change.stocked,
            state[1] + change.reserved,
            state[2] + change.incoming,
            state[3] + 1,
        ]
        rows.append(_row(level, change, state, actor, stamp))
    with pipelined():
        if len(after) == 1:  # most writes: statements written once
            ((key, state),) = after.items()
            level = levels[key]
            increment(level, **_deltas(level, state))
        elif after:
            _save_many(levels, after, now)
        insert_rows(StockMovement, MOVEMENT_COLUMNS, rows)


def _row(level: InventoryLevel, change: Change, state: list[int], actor, stamp) -> tuple:
    """A movement's values in `MOVEMENT_COLUMNS` order; `state`: the counters and version
    it leaves."""
    return (
        new_movement_id(),
        level.pk,
        level.inventory_item_id,
        level.location_id,
        state[3],
        change.reason,
        change.stocked,
        change.reserved,
        change.incoming,
        *state[:3],
        change.reservation_id,
        change.line_item_id,
        change.order_id,
        change.fulfillment_id,
        change.return_id,
        change.transfer_id,
        change.reference,
        change.note,
        actor,
        stamp,
    )


def _deltas(level: InventoryLevel, state: list[int]) -> dict[str, int]:
    current = (getattr(level, name) for name in COLUMNS)
    return {name: new - old for name, new, old in zip(COLUMNS, state, current, strict=True)}


def _save_many(levels, after: dict[LevelKey, list[int]], now) -> None:
    """Add each level's deltas: one statement run for every level (`executemany`), however
    different their deltas are."""
    rows = []
    for key, state in after.items():
        level = levels[key]
        rows.append((level.pk, *_deltas(level, state).values()))
        for name, value in zip(COLUMNS, state, strict=True):
            setattr(level, name, value)
        level.updated_at = now
    increment_all(InventoryLevel, COLUMNS, rows, now)


def reconcile(level: InventoryLevel, ledger: Ledger, truth: Counters) -> None:
    """Make a locked level's counters and its ledger (read under the lock) agree on `truth`
    (stocked, reserved, incoming), with `reconciled` movements.

    Each run of versions missing from the ledger is filled: its last movement carries the
    change the movements around it show, the others none. Then, unless the ledger now sums to
    `truth`, its latest movement left `truth` and the level's counters and version match, one
    more movement takes the sums to `truth`. The counters are set to `truth`."""
    actor, now = current_actor(), timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    key = (level.inventory_item_id, level.location_id)
    rows, sums = [], ledger.sums

    def add(version: int, deltas: Counters, left: Counters, note: str) -> None:
        change = Change(key, StockMovement.Reason.RECONCILED, *deltas, note=note)
        rows.append(_row(level, change, [*left, version], actor, stamp))

    for gap in ledger.gaps:
        for version in range(gap.first, gap.last):
            add(version, ZERO, gap.before, f"Replaces lost movement {version}")
        deltas = _minus(gap.after, gap.before)
        add(gap.last, deltas, gap.after, f"Replaces lost movement {gap.last}")
        sums = _plus(sums, deltas)
    version, counters = ledger.top, counters_of(level)
    if (sums, ledger.latest, counters, level.version) != (truth, truth, truth, version):
        version += 1
        add(
            version,
            _minus(truth, sums),
            truth,
            f"Counters were {_named(counters)} at version {level.version}; "
            f"the ledger summed to {_named(sums)}",
        )
    insert_rows(StockMovement, MOVEMENT_COLUMNS, rows)
    values = {**dict(zip(COLUMNS, (*truth, version), strict=True)), "updated_at": now}
    InventoryLevel.objects.filter(pk=level.pk).update(**values)
    for name, value in values.items():
        setattr(level, name, value)


def _minus(a: Counters, b: Counters) -> Counters:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _plus(a: Counters, b: Counters) -> Counters:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _named(counters: Counters) -> str:
    return ", ".join(
        f"{name} {value}"
        for name, value in zip(("stocked", "reserved", "incoming"), counters, strict=True)
    )
