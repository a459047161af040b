"""Stock levels as CSV: the file `export_levels` (and the Django admin) writes, and the one
`import_levels` (and the Django admin) reads and applies through `inventory.batch`.

The file is UTF-8 (a byte order mark is allowed), comma-separated, with a header row naming
its columns, in any order:
- the item: `inventory_item_id` or `sku` (when a row has both, the id is used);
- the location: `location_id` or `location_name` (when a row has both, the id is used);
- the stock: `stocked_quantity` (what the level holds) or `stocked_delta` (added to it);
- optional: `expected_stocked_quantity` (compare-and-set: the row is refused when the stock is
  not that), `reference` (recorded on the row's movement).
A row whose level does not exist creates it. An export has the columns `EXPORTED`, its
`expected_stocked_quantity` the stock at export: edit `stocked_quantity` and import it back,
and the levels that changed meanwhile are refused instead of overwritten. Text a spreadsheet
would run as a formula is exported behind a `'` (`FORMULA_START`), which an import takes off.

An import reads the file in three passes, each streaming, so memory stays flat in its size:
its format (header, UTF-8, every cell; any problem and nothing is written), then with `atomic`
every row against the stock without writing (any refusal and nothing is written), then the
rows, `batch_size` at a time, each batch one transaction (`levels_batch`). Errors name the
file's line numbers.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from config.errors import InvalidData
from inventory.batch import UPDATE, LevelRow, either, levels_batch, make_row, row_error
from inventory.models import InventoryLevel

IMPORTED = (
    "inventory_item_id",
    "sku",
    "location_id",
    "location_name",
    "stocked_quantity",
    "stocked_delta",
    "expected_stocked_quantity",
    "reference",
)
EXPORTED = (
    "inventory_item_id",
    "sku",
    "location_id",
    "location_name",
    "stocked_quantity",
    "expected_stocked_quantity",
)
NEEDED = (("inventory_item_id", "sku"), ("location_id", "location_name"))
STOCK = ("stocked_quantity", "stocked_delta")
PREFERRED = {"sku": "inventory_item_id", "location_name": "location_id"}  # the id wins
INTEGER = re.compile(r"[+-]?\d{1,18}")  # longer: refused as not an integer
NUMBERS = ("stocked_quantity", "stocked_delta", "expected_stocked_quantity")
# A text cell a spreadsheet would run as a formula (`=HYPERLINK(...)`) is exported behind a
# quote, which spreadsheets show as text and an import takes off again.
FORMULA_START = tuple("=+-@\t\r'")
BATCH_SIZE = 1000
SHOWN_CELLS = 100  # bad cells listed before the format check gives up


IMPORTED_ROW = (*IMPORTED, "reason")


class CsvError(InvalidData):
    """A file that cannot be imported at all; `errors`: its bad rows, by line."""

    def __init__(self, message: str, errors: list[dict] = ()):
        super().__init__(message)
        self.errors = list(errors)


def line_name(section: str, index: int) -> str:
    return f"line {index}"


@dataclass
class ImportReport:
    rows: int  # rows in the file (from `from_line` on)
    checking: bool  # a pass that writes nothing
    done: int = 0  # rows looked at so far
    created: int = 0
    updated: int = 0
    refused: int = 0
    applied_through: int = 0  # the last line of the last batch written
    stopped: str | None = None  # why an atomic import stopped before the end


def import_levels(
    open_file: Callable[[], io.RawIOBase],
    *,
    reason: str,
    atomic: bool = False,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    from_line: int = 0,
    on_error: Callable[[dict], None] = lambda error: None,
    on_batch: Callable[[ImportReport], None] = lambda report: None,
) -> ImportReport:
    """Apply a CSV file of levels (`open_file()` opens it, in binary, once per pass): bad
    rows are reported (`on_error`) and the others applied, unless `atomic` (any bad row and
    nothing is written) or `dry_run`. CsvError when its format is wrong (nothing written)."""
    rows = check_format(open_file, reason=reason, from_line=from_line)
    run = partial(
        _apply,
        open_file,
        rows,
        reason=reason,
        batch_size=batch_size,
        from_line=from_line,
        on_error=on_error,
        on_batch=on_batch,
    )
    if atomic and not dry_run:
        checked = run(atomic=True, dry_run=True)
        if checked.refused:
            return checked
    return run(atomic=atomic, dry_run=dry_run)


def _apply(open_file, rows: int, *, atomic: bool, dry_run: bool, **options) -> ImportReport:
    report = ImportReport(rows=rows, checking=dry_run)
    on_error, on_batch = options.pop("on_error"), options.pop("on_batch")
    for batch, last_line in _batches(open_file, **options):
        result = levels_batch(
            update=batch, atomic=atomic, dry_run=dry_run, create_missing=True, row_name=line_name
        )
        for error in result.errors:
            on_error(error)
        report.done += len(batch)
        report.created += len(result.created)
        report.updated += len(result.updated)
        report.refused += len({error["index"] for error in result.errors})
        if result.written:
            report.applied_through = last_line
        on_batch(report)
        if atomic and result.errors and not dry_run:
            report.stopped = (
                "the stock changed since the file was checked: the batch ending at line "
                f"{last_line} was not applied, nor any after it"
            )
            break
    return report


def _batches(open_file, *, reason: str, batch_size: int, from_line: int):
    """([rows], last line) of `batch_size` rows at a time."""
    batch, line = [], 0
    for line, row in _rows(open_file, reason, from_line):
        if isinstance(row, InvalidData):  # the file changed since its format was checked
            raise CsvError(f"Line {line}: {row.message}")
        batch.append(row)
        if len(batch) == batch_size:
            yield batch, line
            batch = []
    if batch:
        yield batch, line


def check_format(open_file, *, reason: str, from_line: int = 0) -> int:
    """The number of rows from `from_line` on; CsvError for a wrong header, an empty file,
    text that is not UTF-8, or bad cells (each listed by line, the first SHOWN_CELLS)."""
    rows, errors = 0, []
    for line, row in _rows(open_file, reason, from_line):
        rows += 1
        if isinstance(row, InvalidData):
            errors.append(row_error(UPDATE, line, row))
            if len(errors) == SHOWN_CELLS:
                break
    if errors:
        first = f" (the first {SHOWN_CELLS})" if len(errors) == SHOWN_CELLS else ""
        raise CsvError(f"The file has bad rows{first}; nothing was imported", errors)
    if not rows:
        raise CsvError("The file has a header but no rows of levels")
    return rows


def _rows(open_file, reason: str, from_line: int) -> Iterator[tuple[int, LevelRow | InvalidData]]:
    """(line number, its row, or what is wrong with it) for each row from `from_line` on."""
    with open_file() as binary:
        reader = csv.reader(_text_lines(binary), strict=True)
        try:
            columns = _columns(next(reader, None))
            for cells in reader:
                line = reader.line_num
                if line < from_line or not any(cell.strip() for cell in cells):
                    continue  # before the first line asked for, or blank
                if len(cells) != len(columns):
                    yield line, InvalidData(f"has {len(cells)} cells, the header {len(columns)}")
                    continue
                try:
                    values = {**_values(columns, cells), "reason": reason}
                    yield line, make_row(UPDATE, line, values, IMPORTED_ROW)
                except InvalidData as error:
                    yield line, error
        except csv.Error as error:
            raise CsvError(f"Line {reader.line_num} is not valid CSV: {error}") from error


def _text_lines(binary) -> Iterator[str]:
    """The file's lines as text (a byte order mark dropped); CsvError at the first line that
    is not UTF-8."""
    for number, raw in enumerate(binary, 1):
        try:
            yield (raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw).decode("utf-8")
        except UnicodeDecodeError as error:
            raise CsvError(
                f"Line {number} is not UTF-8 text (byte {raw[error.start]:#04x}): save the file "
                "as CSV UTF-8"
            ) from error


def _columns(header: list[str] | None) -> list[str]:
    if header is None or not any(cell.strip() for cell in header):
        raise CsvError(
            "The file is empty: it needs a header row (such as sku,location_id,"
            "stocked_quantity) and a row per level"
        )
    columns = [cell.strip().lower() for cell in header]
    problems = []
    unknown = [column or "(empty)" for column in columns if column not in IMPORTED]
    if unknown:
        problems.append(f"unknown columns {', '.join(unknown)} (known: {', '.join(IMPORTED)})")
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        problems.append(f"columns named twice: {', '.join(repeated)}")
    for names in (*NEEDED, STOCK):
        if not set(names) & set(columns):
            problems.append(f"a column {either(names)} is needed")
    if set(STOCK) <= set(columns):
        problems.append("give stocked_quantity or stocked_delta, not both")
    if problems:
        raise CsvError(f"Wrong header: {'; '.join(problems)}")
    return columns


def _values(columns: list[str], cells: list[str]) -> dict:
    """A row's non-empty cells by column, numbers as ints, text without an export's formula
    quote; an id wins over a name."""
    values = {}
    for column, cell in zip(columns, cells, strict=True):
        cell = cell.strip()
        if column in NUMBERS:
            cell = int(cell) if INTEGER.fullmatch(cell) else cell
        elif cell[1:].startswith(FORMULA_START) and cell.startswith("'"):
            cell = cell[1:]
        if cell != "":
            values[column] = cell
    for name, preferred in PREFERRED.items():
        if preferred in values:
            values.pop(name, None)
    return values


# Export --------------------------------------------------------------------------------


def export_rows(location_id: str | None = None) -> Iterator[tuple]:
    """The header, then one row per level (by SKU, then location name), read in chunks."""
    yield EXPORTED
    levels = InventoryLevel.objects.order_by("inventory_item__sku", "location__name", "pk")
    if location_id is not None:
        levels = levels.filter(location_id=location_id)
    columns = ("inventory_item_id", "inventory_item__sku", "location_id", "location__name")
    for *texts, stocked in levels.values_list(*columns, "stocked_quantity").iterator(2000):
        yield (*map(_as_text, texts), stocked, stocked)


def _as_text(cell: str | None) -> str | None:
    return f"'{cell}" if cell and cell.startswith(FORMULA_START) else cell


class _Line:
    """A file-like object whose `write` returns what it was given (one CSV line)."""

    def write(self, text: str) -> str:
        return text


def export_lines(location_id: str | None = None) -> Iterator[str]:
    """The export as CSV lines of text (for a streaming download)."""
    writer = csv.writer(_Line())
    for row in export_rows(location_id):
        yield writer.writerow(row)
