"""Create the bench database and fill it with bulk inserts (a couple of seconds).

Call `reset_database()` before Django connects, then `django.setup()`, `migrate()` and `seed()`.
"""

import importlib
import random
from dataclasses import dataclass

import psycopg

ITEMS = 1000  # inventory items, each with levels at 2-3 locations, each backing one variant
RESERVATIONS = 1000  # spread over RESERVED_LEVELS levels
RESERVED_LEVELS = 5
HOT_STOCK = 10_000_000  # stock of the hot level: more than any run can reserve
TOKEN = "bench-api-token"
DRAFTS = 6000  # open draft orders for the pay phase, one line each, paid once each


@dataclass
class Seeded:
    token: str
    hot_item_id: str
    hot_location_id: str
    draft_ids: list[str]
    pay_item_id: str


def reset_database(host: str, port: int, user: str, name: str) -> None:
    """Drop and recreate the database `name`."""
    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed() -> Seeded:
    """Locations, 1,000 items with levels and variants, 1,000 reservations, a hot level, a user."""
    from django.db import connection, transaction

    from config.ids import PrefixedId
    from config.models import User
    from inventory.models import (
        InventoryItem,
        InventoryLevel,
        Product,
        ProductVariant,
        StockLocation,
        VariantInventoryItem,
    )
    from reservations.models import ReservationItem

    rng = random.Random(42)

    def make(model, prefix, rows):
        objs = [model(id=PrefixedId(prefix)(), **row) for row in rows]
        model.objects.bulk_create(objs, batch_size=1000)
        return objs

    with transaction.atomic():
        User.objects.create(email="bench@example.com", is_staff=True, api_token=TOKEN)
        locations = make(StockLocation, "sloc", [{"name": f"Warehouse {n}"} for n in range(3)])
        items = make(
            InventoryItem,
            "iitem",
            [{"sku": f"SKU-{n:05d}", "title": f"Item {n}", "weight": n % 50} for n in range(ITEMS)],
        )
        levels = []
        for n, item in enumerate(items):
            for location in locations[: 2 + n % 2]:
                levels.append(
                    {
                        "inventory_item": item,
                        "location": location,
                        "stocked_quantity": 100 + n % 17,
                        "incoming_quantity": n % 3,
                    }
                )
        levels = make(InventoryLevel, "ilev", levels)
        products = make(
            Product,
            "prod",
            [{"title": f"Product {n}", "handle": f"product-{n}"} for n in range(ITEMS // 4)],
        )
        variants = make(
            ProductVariant,
            "variant",
            [
                {"product": products[n // 4], "title": f"Variant {n}", "sku": f"SKU-{n:05d}"}
                for n in range(ITEMS)
            ],
        )
        make(
            VariantInventoryItem,
            "pvitem",
            [{"variant": v, "inventory_item": i} for v, i in zip(variants, items, strict=True)],
        )

        # The reservation list: 1,000 reservations over a few levels, counters kept exact.
        reserved = levels[:RESERVED_LEVELS]
        rows = []
        for n in range(RESERVATIONS):
            level = reserved[n % RESERVED_LEVELS]
            quantity = 1 + rng.randrange(3)
            level.stocked_quantity += quantity
            level.reserved_quantity += quantity
            rows.append(
                {
                    "inventory_item_id": level.inventory_item_id,
                    "location_id": level.location_id,
                    "quantity": quantity,
                    "description": f"Seeded reservation {n}",
                }
            )
        make(ReservationItem, "resitem", rows)
        InventoryLevel.objects.bulk_update(reserved, ["stocked_quantity", "reserved_quantity"])

        # The hot level every create reserves from: no reservations yet.
        hot_item = make(InventoryItem, "iitem", [{"sku": "HOT", "title": "Hot item"}])[0]
        make(
            InventoryLevel,
            "ilev",
            [{"inventory_item": hot_item, "location": locations[0], "stocked_quantity": HOT_STOCK}],
        )
        draft_ids, pay_item_id = seed_drafts(make, locations[0], products[0])
        open_ledger()
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("VACUUM ANALYZE")
    return Seeded(TOKEN, hot_item.id, locations[0].id, draft_ids, pay_item_id)


def open_ledger() -> None:
    """Give the levels seeded in bulk their opening movements, as the ledger's migration
    does for a database that had levels before it, so the ledger invariant holds."""
    from django.apps import apps

    migration = importlib.import_module("inventory.migrations.0003_stock_ledger")
    migration.open_ledger(apps, None)


def seed_drafts(make, location, product) -> tuple[list[str], str]:
    """Open drafts of one line (2 units of a managed variant stocked at a location of the
    default channel): paying one places an order that reserves at that location."""
    from draft_orders.models import DraftLineItem, DraftOrder
    from inventory.models import (
        InventoryItem,
        InventoryLevel,
        ProductVariant,
        SalesChannel,
        SalesChannelLocation,
        VariantInventoryItem,
    )

    channel = SalesChannel.objects.get(is_default=True)
    make(SalesChannelLocation, "scloc", [{"sales_channel": channel, "location": location}])
    item = make(InventoryItem, "iitem", [{"sku": "PAY", "title": "Paid item"}])[0]
    make(
        InventoryLevel,
        "ilev",
        [{"inventory_item": item, "location": location, "stocked_quantity": HOT_STOCK}],
    )
    variant = make(
        ProductVariant, "variant", [{"product": product, "title": "Paid", "sku": "PAY"}]
    )[0]
    make(VariantInventoryItem, "pvitem", [{"variant": variant, "inventory_item": item}])
    drafts = make(
        DraftOrder,
        "dorder",
        [
            {"display_id": n + 1, "email": f"buyer{n}@example.com", "sales_channel": channel}
            for n in range(DRAFTS)
        ],
    )
    make(
        DraftLineItem,
        "item",
        [
            {
                "draft_order": d,
                "variant": variant,
                "title": "Paid",
                "unit_price": 1000,
                "quantity": 2,
            }
            for d in drafts
        ],
    )
    return [d.id for d in drafts], item.id
