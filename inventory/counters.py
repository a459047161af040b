"""The one writer of level counters, and of the stock ledger with them.

Every change to a level's stocked, reserved or incoming quantity is a `Change` passed to
`record`, on levels the caller has locked (`inventory.locks`). `record` applies the changes in
order, writes the counters and one `StockMovement` per change (its deltas, the counters it left
and what caused it) in the caller's transaction. Nothing else writes a counter, so each level's
counters always equal the sums of its movements' deltas. When something did (a hand-written
SQL update, a deleted movement), `reconcile` makes a level and its ledger agree again.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from config.actor import current_actor
from config.prepared import increment, insert
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


def record(levels: dict[LevelKey, InventoryLevel], changes) -> list[StockMovement]:
    """Apply `changes` to these locked levels, save their counters and write the movements.

    The levels' instances follow (their counters and `version` are those written)."""
    actor, now = current_actor(), timezone.now()
    movements, after = [], {}
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
        movements.append(_movement(level, change, state, actor, now))
    if len(after) == 1:  # most writes: statements written once
        ((key, state),) = after.items()
        level = levels[key]
        increment(level, **_deltas(level, state))
        for movement in movements:
            insert(movement)
    elif after:
        _save_many(levels, after, now)
        StockMovement.objects.bulk_create(movements, batch_size=2000)
    return movements


def _deltas(level: InventoryLevel, state: list[int]) -> dict[str, int]:
    current = (getattr(level, name) for name in COLUMNS)
    return {name: new - old for name, new, old in zip(COLUMNS, state, current, strict=True)}


def _movement(level, change: Change, state: list[int], actor, now) -> StockMovement:
    return StockMovement(
        level_id=level.pk,
        inventory_item_id=level.inventory_item_id,
        location_id=level.location_id,
        version=state[3],
        reason=change.reason,
        stocked_delta=change.stocked,
        reserved_delta=change.reserved,
        incoming_delta=change.incoming,
        stocked_after=state[0],
        reserved_after=state[1],
        incoming_after=state[2],
        reservation_id=change.reservation_id,
        line_item_id=change.line_item_id,
        order_id=change.order_id,
        fulfillment_id=change.fulfillment_id,
        return_id=change.return_id,
        transfer_id=change.transfer_id,
        reference=change.reference,
        note=change.note,
        created_by=actor,
        created_at=now,
    )


def _save_many(levels, after: dict[LevelKey, list[int]], now) -> None:
    """One UPDATE per distinct set of deltas (a batch of thousands of levels has few)."""
    by_deltas = defaultdict(list)
    for key, state in after.items():
        level = levels[key]
        by_deltas[tuple(_deltas(level, state).values())].append(level.pk)
        for name, value in zip(COLUMNS, state, strict=True):
            setattr(level, name, value)
        level.updated_at = now
    for deltas, pks in by_deltas.items():
        InventoryLevel.objects.filter(pk__in=pks).update(
            **{name: F(name) + delta for name, delta in zip(COLUMNS, deltas, strict=True)},
            updated_at=now,
        )


def reconcile(level: InventoryLevel, ledger: Ledger, truth: Counters) -> list[StockMovement]:
    """Make a locked level's counters and its ledger (read under the lock) agree on `truth`
    (stocked, reserved, incoming), with `reconciled` movements.

    Each run of versions missing from the ledger is filled: its last movement carries the
    change the movements around it show, the others none. Then, unless the ledger now sums to
    `truth`, its latest movement left `truth` and the level's counters and version match, one
    more movement takes the sums to `truth`. The counters are set to `truth`."""
    actor, now = current_actor(), timezone.now()
    key = (level.inventory_item_id, level.location_id)
    movements, sums = [], ledger.sums

    def add(version: int, deltas: Counters, left: Counters, note: str) -> None:
        change = Change(key, StockMovement.Reason.RECONCILED, *deltas, note=note)
        movements.append(_movement(level, change, [*left, version], actor, now))

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
    StockMovement.objects.bulk_create(movements)
    values = {**dict(zip(COLUMNS, (*truth, version), strict=True)), "updated_at": now}
    InventoryLevel.objects.filter(pk=level.pk).update(**values)
    for name, value in values.items():
        setattr(level, name, value)
    return movements


def _minus(a: Counters, b: Counters) -> Counters:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _plus(a: Counters, b: Counters) -> Counters:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _named(counters: Counters) -> str:
    return ", ".join(
        f"{name} {value}"
        for name, value in zip(("stocked", "reserved", "incoming"), counters, strict=True)
    )
