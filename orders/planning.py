"""Where a line's units are reserved: the allocation strategy, as a pure function.

For each line, in order: the first location (in the sales channel's link order) that can
cover the whole line; otherwise the line is split across the locations in that order; a
backorderable line reserves what is still missing at the first location stocking the item.
A line that cannot be covered reserves nothing and is reported short.
"""

from dataclasses import dataclass, field


@dataclass
class Demand:
    """What one line still needs: `units` per inventory item."""

    line_item_id: str
    label: str
    backorder: bool
    units: dict[str, int]  # inventory_item_id -> units


@dataclass
class Plan:
    placements: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(line_item_id, inventory_item_id, location_id, quantity)"""
    shortages: list[dict] = field(default_factory=list)


def _whole(demand: Demand, locations: list[str], available: dict) -> str | None:
    for location in locations:
        if all(available.get((item, location), 0) >= n for item, n in demand.units.items()):
            return location
    return None


def _split(demand: Demand, locations: list[str], available: dict):
    """Per item, take what each location has, in order; the rest backordered or missing."""
    takes, missing = {}, {}
    for item, units in demand.units.items():
        remaining = units
        for location in locations:
            here = available.get((item, location), 0)
            if remaining and here > 0:
                takes[(item, location)] = min(here, remaining)
                remaining -= takes[(item, location)]
        if remaining:
            stocked_at = [loc for loc in locations if (item, loc) in available]
            if demand.backorder and stocked_at:
                key = (item, stocked_at[0])
                takes[key] = takes.get(key, 0) + remaining
            else:
                missing[item] = remaining
    return [(item, loc, n) for (item, loc), n in takes.items()], missing


def plan(demands: list[Demand], locations: list[str], available: dict[tuple, int]) -> Plan:
    """Plan reservations for `demands`; `available` maps (item, location) to free units for
    every level that exists, and is updated as units are placed."""
    result = Plan()
    for demand in demands:
        units = {item: n for item, n in demand.units.items() if n > 0}
        if not units:
            continue
        demand = Demand(demand.line_item_id, demand.label, demand.backorder, units)
        location = _whole(demand, locations, available)
        if location is not None:
            takes = [(item, location, n) for item, n in units.items()]
        else:
            takes, missing = _split(demand, locations, available)
            if missing:
                for item, short in missing.items():
                    free = sum(max(available.get((item, loc), 0), 0) for loc in locations)
                    result.shortages.append(
                        {
                            "line_item_id": demand.line_item_id,
                            "inventory_item_id": item,
                            "label": demand.label,
                            "requested": units[item],
                            "available": free,
                            "missing": short,
                        }
                    )
                continue
        for item, loc, n in takes:
            available[(item, loc)] = available.get((item, loc), 0) - n
            result.placements.append((demand.line_item_id, item, loc, n))
    return result
