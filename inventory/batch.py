"""Level changes in bulk: the batch route, and the CSV import (command and Django admin).

`levels_batch` takes rows already read (`LevelRow`, `LevelDelete`) with the errors found
while reading them. It resolves SKUs and location names, locks every level the batch names at
once (one query, in the order every writer locks: `inventory.locks`), checks each row under
the locks and writes the good ones through `inventory.counters.record`, in a few statements
however many rows. Each bad row gives one error `{index, section, type, code, message}`.
Atomic: any error and nothing is written. Not atomic: the good rows are written, the bad ones
reported. A batch that finds a level it would open opened meanwhile by another checks its rows
again, so two imports of the same new levels both apply (or refuse) every row.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from config.api.fields import text_problem
from config.errors import DomainError, Duplicate, InvalidData, NotFound
from config.prepared import insert_rows
from inventory import selectors
from inventory.counters import Change, record
from inventory.locks import LevelKey, lock_levels, locking, not_stocked
from inventory.models import InventoryItem, InventoryLevel, StockLocation, StockMovement
from inventory.services import check_deletable, check_expected, check_stocked

Reason = StockMovement.Reason
MAX_ROWS = 10_000
CREATE, UPDATE, DELETE = "create", "update", "delete"
MAX_INT = 2**31 - 1
TEXT_LIMITS = {"inventory_item_id": 64, "sku": 255, "location_id": 64, "location_name": 255}
TEXT_LIMITS |= {"reference": 255, "note": 10_000}
MINIMUM = {
    "stocked_quantity": 0,
    "stocked_delta": -MAX_INT,
    "incoming_quantity": 0,
    "expected_stocked_quantity": 0,
}
ROW_FIELDS = {
    CREATE: ("inventory_item_id", "sku", "location_id", "stocked_quantity", "incoming_quantity"),
    UPDATE: (
        *("inventory_item_id", "sku", "location_id", "stocked_quantity", "stocked_delta"),
        *("incoming_quantity", "expected_stocked_quantity", "reason", "reference", "note"),
    ),
}


@dataclass(slots=True)
class LevelRow:
    """A create or update row: a level named by its item (id or SKU) and its location (id
    or name); the stock it gets (absolute, or a delta); what the ledger records."""

    index: int
    inventory_item_id: str | None = None
    sku: str | None = None
    location_id: str | None = None
    location_name: str | None = None
    stocked_quantity: int | None = None
    stocked_delta: int | None = None
    incoming_quantity: int | None = None
    expected_stocked_quantity: int | None = None
    reason: str = Reason.CORRECTION
    reference: str | None = None
    note: str | None = None


@dataclass(slots=True)
class LevelDelete:
    index: int
    level_id: str


@dataclass
class BatchResult:
    """The levels created and updated and the ids deleted (when not `written`: those the good
    rows would create, update and delete), and every bad row's error."""

    created: list[InventoryLevel] = field(default_factory=list)
    updated: list[InventoryLevel] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    written: bool = False


def row_error(section: str, index: int, error: DomainError) -> dict:
    return {
        "index": index,
        "section": section,
        "type": error.type,
        "code": error.code,
        "message": error.message,
    }


def bracketed(section: str, index: int) -> str:
    return f"{section}[{index}]"


# Reading rows ---------------------------------------------------------------------------


def make_row(section: str, index: int, data, allowed: tuple[str, ...] | None = None) -> LevelRow:
    """A create or update row from JSON values (absent or null: not given), with only the
    `allowed` properties (default: the section's); InvalidData naming every problem."""
    if not isinstance(data, dict):
        raise InvalidData("must be an object")
    allowed = allowed or ROW_FIELDS[section]
    problems = [f"property {name} should not exist" for name in data if name not in allowed]
    values = {}
    for name in allowed:
        value = data.get(name)
        if value is not None:
            problem = _problem(name, value)
            if problem:
                problems.append(f"{name} {problem}")
            else:
                values[name] = int(value) if name in MINIMUM else value
    given = {name for name in allowed if data.get(name) is not None}
    rules = [("inventory_item_id", "sku"), ("location_id", "location_name")]
    if section == UPDATE:
        rules.append(("stocked_quantity", "stocked_delta", "incoming_quantity"))
    for names in rules:
        names = [name for name in names if name in allowed]
        if not given.intersection(names):
            problems.append(f"{either(names)} is required")
    for pair in (("inventory_item_id", "sku"), ("stocked_quantity", "stocked_delta")):
        if given.issuperset(pair):
            problems.append(f"give {either(pair)}, not both")
    if problems:
        raise InvalidData(", ".join(problems))
    return LevelRow(index=index, **values)


def either(names) -> str:
    """`a, b or c`."""
    *first, last = names
    return f"{', '.join(first)} or {last}" if first else last


def _problem(name: str, value) -> str | None:
    if name in MINIMUM:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be an integer"
        if isinstance(value, float) and not value.is_integer():
            return "must be an integer"
        if not MINIMUM[name] <= value <= MAX_INT:
            return f"must be an integer from {MINIMUM[name]} to {MAX_INT}"
        return None
    if name == "reason":
        if value not in StockMovement.MANUAL_REASONS:
            return f"must be one of {', '.join(StockMovement.MANUAL_REASONS)}"
        return None
    if not isinstance(value, str):
        return "must be a string"
    if not value and name != "note":
        return "should not be empty"
    if text_problem(value):
        return text_problem(value)
    if len(value) > TEXT_LIMITS[name]:
        return f"must be shorter than or equal to {TEXT_LIMITS[name]} characters"
    return None


def read_body(data) -> dict:
    """The batch route's body -> `levels_batch` arguments; a bad row is an error of its own,
    a bad body (or more than MAX_ROWS rows) an InvalidData."""
    if not isinstance(data, dict):
        raise InvalidData("The request body must be a JSON object")
    known = (CREATE, UPDATE, DELETE, "atomic")
    problems = [f"property {key} should not exist" for key in data if key not in known]
    sections = {}
    for name in (CREATE, UPDATE, DELETE):
        value = data.get(name, [])
        if isinstance(value, list):
            sections[name] = value
        else:
            problems.append(f"{name} must be an array")
    atomic = data.get("atomic", True)
    if not isinstance(atomic, bool):
        problems.append("atomic must be a boolean")
    if problems:
        raise InvalidData(", ".join(problems))
    total = sum(len(rows) for rows in sections.values())
    if total > MAX_ROWS:
        raise InvalidData(
            f"A batch takes at most {MAX_ROWS:,} rows (create, update and delete together); "
            f"this one has {total:,}. Send it in several batches."
        )
    read = {CREATE: [], UPDATE: [], DELETE: [], "errors": [], "atomic": atomic}
    for section in (CREATE, UPDATE):
        for index, item in enumerate(sections[section]):
            try:
                read[section].append(make_row(section, index, item))
            except InvalidData as error:
                read["errors"].append(row_error(section, index, error))
    for index, level_id in enumerate(sections[DELETE]):
        if isinstance(level_id, str) and 0 < len(level_id) <= 64 and not text_problem(level_id):
            read[DELETE].append(LevelDelete(index, level_id))
        else:
            error = InvalidData("must be an inventory level id (a string)")
            read["errors"].append(row_error(DELETE, index, error))
    return read


# The service ----------------------------------------------------------------------------


@locking
def levels_batch(
    *,
    create: list[LevelRow] = (),
    update: list[LevelRow] = (),
    delete: list[LevelDelete] = (),
    errors: list[dict] = (),
    atomic: bool = True,
    dry_run: bool = False,
    create_missing: bool = False,
    row_name: Callable[[str, int], str] = bracketed,
) -> BatchResult:
    """Create, update and delete levels. `errors`: rows refused while reading them (they
    count for `atomic`). `create_missing`: an update row whose level does not exist creates
    it (the CSV import). `row_name(section, index)` names a row in messages. With `dry_run`,
    or atomic with any error, nothing is written."""
    errors = list(errors)
    keys = _resolve(create, update, delete, errors, row_name)
    sections = {CREATE: create, UPDATE: update, DELETE: delete}
    while True:
        plan = _plan(keys, sections, create_missing)
        result = BatchResult(plan.created, plan.updated, plan.deleted, errors + plan.errors)
        if dry_run or (atomic and result.errors):
            return result
        # A level another batch opened since they were locked: plan again, with it (locked
        # now, it stays: each round has fewer levels to open, so this ends).
        if plan.write():
            result.written = True
            return result


def _plan(keys, sections, create_missing) -> "_Plan":
    """Lock the levels the rows name, and check each row under the locks."""
    levels = lock_levels(sorted(set(keys.values())), missing_ok=True, counters_only=True)
    reserved = sorted({item for (item, _), level in levels.items() if level.reserved_quantity})
    backorderable = selectors.backorderable_item_ids(reserved) if reserved else set()
    plan = _Plan(levels, backorderable, create_missing)
    steps = {CREATE: plan.create, UPDATE: plan.update, DELETE: plan.delete}
    for section, rows in sections.items():
        for row in rows:
            key = keys.get((section, row.index))
            if key is not None:
                try:
                    steps[section](row, key)
                except DomainError as error:
                    plan.errors.append(row_error(section, row.index, error))
    return plan


def _resolve(create, update, delete, errors, row_name) -> dict[tuple[str, int], LevelKey]:
    """(section, index) -> its level's key, for every row whose item and location (or level)
    exist and whose level no other row names; the other rows' errors are added to `errors`."""
    named = [(CREATE, row) for row in create] + [(UPDATE, row) for row in update]
    find_item = _finder(
        InventoryItem,
        "sku",
        [row for _, row in named],
        "inventory_item_id",
        "sku",
        "Inventory item",
    )
    find_location = _finder(
        StockLocation,
        "name",
        [row for _, row in named],
        "location_id",
        "location_name",
        "Stock location",
    )
    keys = {}
    for section, row in named:
        try:
            keys[(section, row.index)] = (find_item(row), find_location(row))
        except DomainError as error:
            errors.append(row_error(section, row.index, error))
    by_id = {
        pk: (item, location)
        for pk, item, location in InventoryLevel.objects.filter(
            pk__in=[row.level_id for row in delete]
        ).values_list("pk", "inventory_item_id", "location_id")
    }
    for row in delete:
        if row.level_id in by_id:
            keys[(DELETE, row.index)] = by_id[row.level_id]
        else:
            error = NotFound(f"Inventory level {row.level_id} was not found")
            errors.append(row_error(DELETE, row.index, error))
    by_level = defaultdict(list)
    for name, key in keys.items():
        by_level[key].append(name)
    for (item, location), names in by_level.items():
        if len(names) > 1:
            listed = ", ".join(row_name(*name) for name in names)
            error = InvalidData(
                f"{listed} name the same level (item {item} at location {location}): "
                "give each level one row"
            )
            for name in names:
                del keys[name]
                errors.append(row_error(*name, error))
    return keys


def _finder(model, name_field: str, rows, id_attr: str, name_attr: str, label: str):
    """`find(row)` -> the id of the row's item or location, named by id or by name (one
    query for every row); NotFound, or InvalidData for a name several rows have."""
    ids = sorted({getattr(row, id_attr) for row in rows if getattr(row, id_attr)})
    names = sorted({getattr(row, name_attr) for row in rows if not getattr(row, id_attr)})
    found = model.objects.filter(Q(pk__in=ids) | Q(**{f"{name_field}__in": names}))
    known, named = set(), defaultdict(list)
    for pk, name in found.values_list("pk", name_field):
        known.add(pk)
        named[name].append(pk)

    def find(row) -> str:
        pk = getattr(row, id_attr)
        if pk:
            if pk not in known:
                raise NotFound(f"{label} {pk} was not found")
            return pk
        name = getattr(row, name_attr)
        matches = named.get(name, ())
        if not matches:
            raise NotFound(f"{label} with {name_field} {name} was not found")
        if len(matches) > 1:
            raise InvalidData(
                f"{len(matches)} {label.lower()}s have {name_field} {name}: give the id"
            )
        return matches[0]

    return find


class _Plan:
    """What the good rows do to the locked levels, checked row by row, written at once."""

    def __init__(self, levels: dict[LevelKey, InventoryLevel], backorderable, create_missing):
        self.levels, self.backorderable = levels, backorderable
        self.create_missing = create_missing
        self.created, self.updated, self.deleted = [], [], []
        self.changes, self.errors = [], []

    def create(self, row: LevelRow, key: LevelKey) -> None:
        if key in self.levels:
            raise Duplicate(
                f"Inventory level for item {key[0]} at location {key[1]} already exists."
            )
        self.created.append(InventoryLevel(inventory_item_id=key[0], location_id=key[1]))
        stocked, incoming = row.stocked_quantity or 0, row.incoming_quantity or 0
        self.changes.append(Change(key, Reason.LEVEL_CREATED, stocked=stocked, incoming=incoming))

    def update(self, row: LevelRow, key: LevelKey) -> None:
        level = self.levels.get(key)
        if level is None and not self.create_missing:
            raise not_stocked(*key)
        fresh = level is None
        if fresh:
            level = InventoryLevel(inventory_item_id=key[0], location_id=key[1])
        check_expected(level, row.expected_stocked_quantity)
        stocked = level.stocked_quantity
        if row.stocked_quantity is not None:
            stocked = row.stocked_quantity
        elif row.stocked_delta is not None:
            stocked += row.stocked_delta
        check_stocked(level, stocked, self.backorderable)
        incoming = (
            level.incoming_quantity if row.incoming_quantity is None else row.incoming_quantity
        )
        change = Change(
            key,
            row.reason,
            stocked=stocked - level.stocked_quantity,
            incoming=incoming - level.incoming_quantity,
            reference=row.reference,
            note=row.note,
        )
        if fresh:
            self.created.append(level)
            self.changes.append(Change(key, Reason.LEVEL_CREATED))
        else:
            self.updated.append(level)
        if change.stocked or change.incoming:
            self.changes.append(change)

    def delete(self, row: LevelDelete, key: LevelKey) -> None:
        level = self.levels.get(key)
        if level is None:  # deleted since its id was looked up
            raise NotFound(f"Inventory level {row.level_id} was not found")
        check_deletable(level)
        self.deleted.append(level.pk)

    def write(self) -> bool:
        """Insert the new levels (empty: `record` gives them their stock), record every
        change, and delete the levels to delete. False, and nothing written, when another
        batch opened one of the new levels since they were locked."""
        levels = dict(self.levels)
        if self.created:  # in key order, as locks: batches creating the same levels wait in turn
            stamp = connection.ops.adapt_datetimefield_value(timezone.now())
            new = sorted(self.created, key=_key)
            rows = [(lv.pk, *_key(lv), 0, 0, 0, 0, stamp, stamp) for lv in new]
            if insert_rows(InventoryLevel, NEW_LEVEL_COLUMNS, rows, skip_taken=True) < len(rows):
                InventoryLevel.objects.filter(pk__in=[lv.pk for lv in new]).delete()
                return False
            levels |= {_key(lv): lv for lv in self.created}
        record(levels, self.changes)
        if self.deleted:
            InventoryLevel.objects.filter(pk__in=self.deleted).delete()
        return True


NEW_LEVEL_COLUMNS = (
    *("id", "inventory_item_id", "location_id"),
    *("stocked_quantity", "reserved_quantity", "incoming_quantity", "version"),
    *("created_at", "updated_at"),
)


def _key(level: InventoryLevel) -> LevelKey:
    return level.inventory_item_id, level.location_id
