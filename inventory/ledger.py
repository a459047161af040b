"""What the stock ledger says of levels: the sums of their movements' deltas, how the
movements are numbered, the counters the latest left, and the versions missing among them."""

from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Subquery, Sum, Window
from django.db.models.functions import Lag

from inventory.models import InventoryLevel, StockMovement

Counters = tuple[int, int, int]  # stocked, reserved, incoming
ZERO: Counters = (0, 0, 0)
COUNTERS = ("stocked_quantity", "reserved_quantity", "incoming_quantity")
DELTAS = ("stocked_delta", "reserved_delta", "incoming_delta")
AFTERS = ("stocked_after", "reserved_after", "incoming_after")


@dataclass(frozen=True, slots=True)
class Gap:
    """Versions `first`..`last` are missing: the movement before them left `before` (zeros
    when they start at 1), the one after them started from `after`."""

    first: int
    last: int
    before: Counters
    after: Counters


@dataclass(frozen=True, slots=True)
class Ledger:
    """A level's movements: how many, the highest version, the sums of their deltas, the
    counters the latest (highest) left, and the runs of versions missing below it."""

    count: int = 0
    top: int = 0
    sums: Counters = ZERO
    latest: Counters = ZERO
    gaps: tuple[Gap, ...] = ()


def counters_of(level: InventoryLevel) -> Counters:
    return tuple(getattr(level, name) for name in COUNTERS)


def ledgers(level_ids: list[str]) -> dict[str, Ledger]:
    """The ledger of each of these levels (an empty one for a level without movements)."""
    summary = (
        StockMovement.objects.filter(level_id__in=level_ids)
        .order_by()
        .values("level_id")
        .annotate(count=Count("pk"), top=Max("version"), **{d: Sum(d) for d in DELTAS})
    )
    newest = StockMovement.objects.filter(level_id=OuterRef("pk")).order_by("-version")
    latest = {
        level_id: afters
        for level_id, *afters in StockMovement.objects.filter(
            pk__in=InventoryLevel.objects.filter(pk__in=level_ids).values(
                latest=Subquery(newest.values("pk")[:1])
            )
        ).values_list("level_id", *AFTERS)
    }
    rows = {row["level_id"]: row for row in summary}
    gaps = _gaps([pk for pk, row in rows.items() if row["count"] != row["top"]])
    return {
        pk: Ledger(
            count=row["count"],
            top=row["top"],
            sums=tuple(row[d] for d in DELTAS),
            latest=tuple(latest[pk]),
            gaps=tuple(gaps.get(pk, ())),
        )
        for pk, row in rows.items()
    }


def _gaps(level_ids: list[str]) -> dict[str, list[Gap]]:
    """The runs of missing versions of these levels (whose movements are not numbered 1..n):
    each movement whose version does not follow its predecessor's ends one."""
    if not level_ids:
        return {}

    def previous(field: str) -> Window:
        return Window(
            Lag(field, default=0), partition_by=F("level_id"), order_by=F("version").asc()
        )

    rows = (
        StockMovement.objects.filter(level_id__in=level_ids)
        .annotate(previous=previous("version"), **{f"previous_{a}": previous(a) for a in AFTERS})
        .filter(version__gt=F("previous") + 1)
        .order_by("level_id", "version")
        .values_list(
            "level_id", "version", "previous", *(f"previous_{a}" for a in AFTERS), *AFTERS, *DELTAS
        )
    )
    found = {}
    for level_id, version, previous_version, *values in rows:
        before, afters, deltas = values[:3], values[3:6], values[6:]
        after = tuple(a - d for a, d in zip(afters, deltas, strict=True))
        found.setdefault(level_id, []).append(
            Gap(previous_version + 1, version - 1, tuple(before), after)
        )
    return found
