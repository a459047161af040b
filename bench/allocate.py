"""Allocation benchmark: `manage.py allocate_orders` over many open order lines on PostgreSQL.

    .venv/bin/python bench/allocate.py                       # 10,000 then 100,000 lines
    .venv/bin/python bench/allocate.py --lines 100000 --args "--batch-size 2000"
    .venv/bin/python bench/allocate.py --lines 20000 --profile   # where the command's time goes

For each `--lines` size: drops and recreates the database `stockroom_bench_alloc` (127.0.0.1,
trust auth), migrates, seeds with COPY and big bulk inserts (1,000 items each behind one
variant; 3 locations linked to one channel; stock for most lines, 1 % of the items short and
1 % backorderable; open orders of 5 lines, every 100th line already reserved), then runs the
command in a subprocess with `--verbosity 2` and prints its summary, lines per second, wall
seconds, CPU seconds of the command and of its PostgreSQL backend, and the command's peak
RSS. Then it checks that every level's `reserved_quantity` equals the sum of its
reservations, that nothing is oversold but backorderable items, that no line is partly
reserved, and that the summary's counts match the database. Exits 1 if a check fails or a
run exceeds `--timeout`. The aim: 100,000 lines in at most 20 s on a 2-core machine, peak
memory flat in the number of lines. Other work on the machine (test runs) shows as wall time
above the two CPU columns; the load average is printed with each size.
"""

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import command_arguments, print_runs, run_command, setup_django  # noqa: E402
from seed import migrate, open_ledger, reset_database  # noqa: E402

ITEMS = 1000
LINES_PER_ORDER = 5
PRE_RESERVED = 100  # every 100th line is reserved before the run (the command skips it)
TARGET_SECONDS = 20  # for 100,000 lines


def parse_args():
    return command_arguments(
        __doc__, "--lines", "stockroom_bench_alloc", "allocate_orders"
    ).parse_args()


def seed(lines: int, rng: random.Random) -> dict:
    """Seed the catalog, stock and `lines` open order lines; returns what the checks need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from config.ids import PrefixedId
    from inventory.models import (
        InventoryItem,
        InventoryLevel,
        Product,
        ProductVariant,
        SalesChannel,
        SalesChannelLocation,
        StockLocation,
        VariantInventoryItem,
    )
    from orders.models import LineItem, Order
    from reservations.models import ReservationItem

    def make(model, prefix, rows):
        objs = [model(id=PrefixedId(prefix)(), **row) for row in rows]
        model.objects.bulk_create(objs, batch_size=5000)
        return objs

    short_items = {n for n in range(ITEMS) if n % 100 == 7}  # ~75 % of their lines short
    backorder_items = {n for n in range(ITEMS) if n % 100 == 57}  # reserved past stock
    mean_units = lines / ITEMS * 2  # quantities are 1-3
    with transaction.atomic():
        channel = SalesChannel.objects.create(name="Bench channel")
        locations = make(StockLocation, "sloc", [{"name": f"Warehouse {n}"} for n in range(3)])
        make(
            SalesChannelLocation,
            "scloc",
            [
                {"sales_channel": channel, "location": loc, "rank": r}
                for r, loc in enumerate(locations)
            ],
        )
        items = make(
            InventoryItem,
            "iitem",
            [{"sku": f"SKU-{n:05d}", "title": f"Item {n}"} for n in range(ITEMS)],
        )
        levels = []
        for n, item in enumerate(items):
            total = (
                int(mean_units / 4)
                if n in short_items or n in backorder_items
                else int(mean_units * 1.5)
            )
            for share, location in zip((0.5, 0.3, 0.2), locations, strict=True):
                levels.append(
                    {
                        "inventory_item": item,
                        "location": location,
                        "stocked_quantity": int(total * share),
                    }
                )
        levels = make(InventoryLevel, "ilev", levels)
        products = make(Product, "prod", [{"title": f"Product {n}"} for n in range(ITEMS // 4)])
        variants = make(
            ProductVariant,
            "variant",
            [
                {
                    "product": products[n // 4],
                    "title": f"Variant {n}",
                    "sku": f"SKU-{n:05d}",
                    "allow_backorder": n in backorder_items,
                }
                for n in range(ITEMS)
            ],
        )
        make(
            VariantInventoryItem,
            "pvitem",
            [{"variant": v, "inventory_item": i} for v, i in zip(variants, items, strict=True)],
        )

        now = timezone.now()
        orders = [PrefixedId("order")() for _ in range(-(-lines // LINES_PER_ORDER))]
        first_level = {level.inventory_item_id: level for level in levels[::3]}
        reserved = []  # every PRE_RESERVED-th line is already reserved whole at Warehouse 0
        with connection.cursor() as cursor:
            with cursor.copy(
                f"COPY {Order._meta.db_table} (id, display_id, status, fulfillment_status, "
                "payment_status, email, currency_code, tax_rate, sales_channel_id, "
                "shipping_methods, created_at, updated_at) FROM STDIN"
            ) as copy:
                for n, order_id in enumerate(orders):
                    copy.write_row(
                        (order_id, n + 1, "pending", "not_fulfilled", "captured",
                         f"buyer{n}@example.com", "usd", 0, channel.pk, "[]", now, now)
                    )  # fmt: skip
            with cursor.copy(
                f"COPY {LineItem._meta.db_table} (id, order_id, variant_id, title, unit_price, "
                "quantity, fulfilled_quantity, returned_quantity, shipped_quantity, created_at, "
                "updated_at) FROM STDIN"
            ) as copy:
                for n in range(lines):
                    k = rng.randrange(ITEMS)
                    line_id, quantity = PrefixedId("item")(), 1 + rng.randrange(3)
                    copy.write_row(
                        (line_id, orders[n // LINES_PER_ORDER], variants[k].pk,
                         variants[k].title, 1000, quantity, 0, 0, 0, now, now)
                    )  # fmt: skip
                    if n % PRE_RESERVED == 0:
                        reserved.append((line_id, items[k].pk, quantity))
            with cursor.copy(
                f"COPY {ReservationItem._meta.db_table} (id, line_item_id, inventory_item_id, "
                "location_id, quantity, created_at, updated_at) FROM STDIN"
            ) as copy:
                for line_id, item_id, quantity in reserved:
                    level = first_level[item_id]
                    level.stocked_quantity += quantity  # counters stay exact, nothing oversold
                    level.reserved_quantity += quantity
                    copy.write_row(
                        (PrefixedId("resitem")(), line_id, item_id, level.location_id, quantity,
                         now, now)
                    )  # fmt: skip
        InventoryLevel.objects.bulk_update(
            list(first_level.values()), ["stocked_quantity", "reserved_quantity"], batch_size=500
        )
        open_ledger()
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("VACUUM ANALYZE")
    return {"pre_reserved": len(reserved)}


def verify(lines: int, pre_reserved: int, output: str) -> list[str]:
    """Counters exact, nothing oversold, every line fully reserved or reported short."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM inventory_inventorylevel l
               LEFT JOIN (SELECT inventory_item_id, location_id, sum(quantity) s
                          FROM reservations_reservationitem GROUP BY 1, 2) r
                 USING (inventory_item_id, location_id)
               WHERE l.reserved_quantity <> coalesce(r.s, 0)"""
        )
        if (bad := cursor.fetchone()[0]) != 0:
            problems.append(f"{bad} levels whose reserved_quantity != sum of reservations")
        cursor.execute(
            """SELECT count(*) FROM inventory_inventorylevel l
               WHERE l.reserved_quantity > l.stocked_quantity AND l.inventory_item_id NOT IN (
                 SELECT vi.inventory_item_id FROM inventory_variantinventoryitem vi
                 JOIN inventory_productvariant v ON v.id = vi.variant_id
                 WHERE v.allow_backorder)"""
        )
        if (bad := cursor.fetchone()[0]) != 0:
            problems.append(f"{bad} levels oversold")
        cursor.execute(
            """SELECT count(*) FILTER (WHERE coalesce(r.s, 0) = li.quantity),
                      count(*) FILTER (WHERE coalesce(r.s, 0) = 0),
                      count(*) FILTER (WHERE coalesce(r.s, 0) NOT IN (0, li.quantity))
               FROM orders_lineitem li
               LEFT JOIN (SELECT line_item_id, sum(quantity) s FROM reservations_reservationitem
                          GROUP BY 1) r ON r.line_item_id = li.id"""
        )
        full, empty, partial = cursor.fetchone()
        cursor.execute(
            """SELECT count(*) FROM inventory_inventorylevel l
               LEFT JOIN (SELECT level_id, sum(stocked_delta) s, sum(reserved_delta) r,
                                 count(*) n FROM inventory_stockmovement GROUP BY 1) m
                 ON m.level_id = l.id
               WHERE (l.stocked_quantity, l.reserved_quantity, l.version)
                     <> (coalesce(m.s, 0), coalesce(m.r, 0), coalesce(m.n, 0))"""
        )
        if (bad := cursor.fetchone()[0]) != 0:
            problems.append(f"{bad} levels whose counters != the sums of their movements")
    if partial:
        problems.append(f"{partial} lines reserved in part (or past their quantity)")
    expected = f"{lines} lines looked at; {full - pre_reserved} lines allocated"
    if expected not in output or f"; {empty} lines short." not in output:
        problems.append(f"summary does not say {expected!r} and {empty} short")
    return problems


def main() -> int:
    args = parse_args()
    host, port, user, env = setup_django(args.pg, args.db)
    from django.db import connections

    failed = False
    rows = []
    for lines in [int(n) for n in args.lines.split(",")]:
        connections.close_all()
        reset_database(host, port, user, args.db)
        t0 = time.perf_counter()
        migrate()
        t1 = time.perf_counter()
        seeded = seed(lines, random.Random(42))
        t2 = time.perf_counter()
        print(
            f"\n== {lines:,} lines ({seeded['pre_reserved']:,} already reserved): migrate "
            f"{t1 - t0:.1f} s, seed {t2 - t1:.1f} s, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        result = run_command(env, args, ["allocate_orders", "--verbosity", "2", *args.args.split()])
        print(result["output"].rstrip())
        if result["returncode"] != 0:
            print(f"FAILED: exit status {result['returncode']}")
            failed = True
            continue
        problems = verify(lines, seeded["pre_reserved"], result["output"])
        for problem in problems:
            print(f"CHECK FAILED: {problem}")
        failed |= bool(problems)
        rows.append((lines, result))
    print_runs("lines", rows, TARGET_SECONDS)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
