"""CSV import benchmark: `manage.py import_levels` of many levels on PostgreSQL.

    .venv/bin/python bench/import_levels.py                     # 10,000 then 100,000 rows
    .venv/bin/python bench/import_levels.py --rows 100000 --args "--batch-size 2000"
    .venv/bin/python bench/import_levels.py --rows 20000 --profile   # where the time goes

For each `--rows` size: drops and recreates the database `stockroom_bench_import` (127.0.0.1,
trust auth), migrates, seeds 4 locations and one inventory item per 4 rows, and stocks half of
the (item, location) pairs (with their opening movements); writes a CSV of one row per pair
(`sku,location_name,stocked_quantity`, shuffled), so half the rows update a level and half
create one; then runs the command in a subprocess and prints its summary, rows per second, wall
seconds, CPU seconds of the command and of its PostgreSQL backend, and the command's peak RSS.
Then it checks that every level holds the stock its row gave, that each level's counters equal
the sums of its stock movements, and that the summary's counts match. Exits 1 if a check fails
or a run exceeds `--timeout`. The aim: 100,000 rows in at most 30 s on a 2-core machine, peak
memory flat in the number of rows.
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import command_arguments, print_runs, run_command, setup_django  # noqa: E402
from seed import migrate, open_ledger, reset_database  # noqa: E402

LOCATIONS = 4
TARGET_SECONDS = 30  # for 100,000 rows


def parse_args():
    return command_arguments(
        __doc__, "--rows", "stockroom_bench_import", "import_levels"
    ).parse_args()


def seed(rows: int, rng: random.Random, path: str) -> dict:
    """Items, locations and half the levels; the CSV file of `rows` rows. Returns what the
    checks need: the stock each row sets, summed, and how many levels exist before."""
    from django.db import transaction

    from config.ids import PrefixedId
    from inventory.models import InventoryItem, InventoryLevel, StockLocation

    def make(model, prefix, values):
        objs = [model(id=PrefixedId(prefix)(), **row) for row in values]
        model.objects.bulk_create(objs, batch_size=5000)
        return objs

    with transaction.atomic():
        locations = make(
            StockLocation, "sloc", [{"name": f"Warehouse {n}"} for n in range(LOCATIONS)]
        )
        items = make(
            InventoryItem,
            "iitem",
            [{"sku": f"SKU-{n:06d}", "title": f"Item {n}"} for n in range(-(-rows // LOCATIONS))],
        )
        pairs = [(item, location) for item in items for location in locations][:rows]
        stocked = pairs[::2]
        make(
            InventoryLevel,
            "ilev",
            [{"inventory_item": i, "location": loc, "stocked_quantity": 50} for i, loc in stocked],
        )
        open_ledger()
    rng.shuffle(pairs)
    total = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("sku,location_name,stocked_quantity\n")
        for item, location in pairs:
            quantity = rng.randrange(200)
            total += quantity
            out.write(f"{item.sku},{location.name},{quantity}\n")
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("VACUUM ANALYZE")
    return {"total": total, "existing": len(stocked)}


def verify(rows: int, seeded: dict, output: str) -> list[str]:
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(stocked_quantity), 0) FROM inventory_inventorylevel"
        )
        count, total = cursor.fetchone()
        if (count, total) != (rows, seeded["total"]):
            problems.append(f"{count} levels holding {total}, not {rows} holding {seeded['total']}")
        cursor.execute(
            """SELECT count(*) FROM inventory_inventorylevel l
               LEFT JOIN (SELECT level_id, sum(stocked_delta) s, sum(reserved_delta) r,
                                 sum(incoming_delta) i, count(*) n
                          FROM inventory_stockmovement GROUP BY 1) m ON m.level_id = l.id
               WHERE (l.stocked_quantity, l.reserved_quantity, l.incoming_quantity, l.version)
                     <> (coalesce(m.s, 0), coalesce(m.r, 0), coalesce(m.i, 0), coalesce(m.n, 0))"""
        )
        if (bad := cursor.fetchone()[0]) != 0:
            problems.append(f"{bad} levels whose counters != the sums of their movements")
    created = rows - seeded["existing"]
    expected = (
        f"{rows} of {rows} rows read: {created} levels created, {seeded['existing']} updated, "
        "0 rows refused."
    )
    if expected not in output:
        problems.append(f"the summary does not say {expected!r}")
    return problems


def main() -> int:
    args = parse_args()
    host, port, user, env = setup_django(args.pg, args.db)
    from django.db import connections

    failed, results = False, []
    for rows in [int(n) for n in args.rows.split(",")]:
        connections.close_all()
        reset_database(host, port, user, args.db)
        migrate()
        path = os.path.join(tempfile.gettempdir(), f"bench-import-{os.getpid()}.csv")
        started = time.perf_counter()
        seeded = seed(rows, random.Random(42), path)
        print(
            f"\n== {rows:,} rows ({seeded['existing']:,} levels exist; file "
            f"{os.path.getsize(path) / 1e6:.1f} MB): seeded in "
            f"{time.perf_counter() - started:.1f} s, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        try:
            command = ["import_levels", path, "--reason", "cycle_count", *args.args.split()]
            result = run_command(env, args, command)
        finally:
            os.unlink(path)
        print(result["output"].rstrip())
        if result["returncode"] != 0:
            print(f"FAILED: exit status {result['returncode']}")
            failed = True
            continue
        problems = verify(rows, seeded, result["output"])
        for problem in problems:
            print(f"CHECK FAILED: {problem}")
        failed |= bool(problems)
        results.append((rows, result))
    failed |= print_runs("rows", results, TARGET_SECONDS)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
