"""Where a request's time goes: SQL, cProfile and a cost breakdown of each bench endpoint.

    .venv/bin/python bench/hotspots.py [--requests 100] [--top 25] [--only inventory,create]

Recreates and seeds its own database (`stockroom_bench_profile`, as bench/run.py does), then
calls each endpoint through Django's test client (the whole middleware stack, no HTTP server)
and prints: the SQL of one request, the mean time unprofiled, the share of profiled time in
a few known costs (they may overlap), and cProfile's top functions.

The test client skips what gunicorn adds per request (HTTP parsing, the WSGI environ,
writing the response): about 0.25 ms of CPU.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed import TOKEN, migrate, reset_database, seed  # noqa: E402

# (label, file suffix, function name): cumulative time of these functions.
COSTS = [
    ("DB round trips (psycopg wait)", "psycopg/connection.py", "wait"),
    ("SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("model instances (Model.from_db)", "django/db/models/base.py", "from_db"),
    ("prefetch_related", "django/db/models/query.py", "prefetch_related_objects"),
    ("authentication", "rest_framework/request.py", "_authenticate"),
    ("django-filter FilterSet (is_valid + qs)", "config/api/query.py", "apply_filterset"),
    ("pages rendered by PostgreSQL (page_json)", "config/api/sqljson.py", "page_json"),
    ("output rendering in Python (dump)", "config/api/viewsets.py", "<listcomp>"),
    ("JSON encoding (renderer)", "config/api/renderers.py", "render"),
    ("request body parsing + validation", "config/api/viewsets.py", "validated"),
    ("lock_levels", "inventory/locks.py", "lock_levels"),
    ("prepared reads (config.prepared.Prepared)", "config/prepared.py", "__call__"),
    ("one-row inserts (config.prepared.insert)", "config/prepared.py", "insert"),
    ("counters and ledger (inventory.counters.record)", "inventory/counters.py", "record"),
    ("transaction commit", "django/db/backends/base/base.py", "commit"),
]


def cost_shares(stats: pstats.Stats, total: float) -> list[str]:
    lines = []
    for label, suffix, func in COSTS:
        cum = sum(
            row[3]
            for (filename, _, name), row in stats.stats.items()
            if name == func and filename.endswith(suffix)
        )
        if cum:
            lines.append(f"  {cum / total:6.1%}  {label}")
    return lines


def record_sql(queries: list):
    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    return record


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--only", help="comma-separated: health,reservations,inventory,create")
    p.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    p.add_argument("--db", default="stockroom_bench_profile", help="database to drop and recreate")
    args = p.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"

    import django

    reset_database("127.0.0.1", 5432, "postgres", args.db)
    django.setup()
    migrate()
    seeded = seed()

    from django.db import connection
    from django.test import Client

    body = {
        "inventory_item_id": seeded.hot_item_id,
        "location_id": seeded.hot_location_id,
        "quantity": 1,
    }
    client = Client(headers={"x-medusa-access-token": TOKEN})
    calls = {
        "health": lambda: client.get("/health"),
        "reservations": lambda: client.get("/admin/reservations?limit=50&expand=inventory_item"),
        "inventory": lambda: client.get("/admin/inventory-items?limit=50"),
        "create": lambda: client.post("/admin/reservations", body, content_type="application/json"),
    }
    for name in args.only.split(",") if args.only else list(calls):
        call = calls[name]
        for _ in range(5):  # warm caches and the connection
            assert call().status_code == 200
        queries = []
        with connection.execute_wrapper(record_sql(queries)):
            response = call()
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        plain_ms = (time.perf_counter() - started) * 1000 / args.requests
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        total = time.perf_counter() - started
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        print(f"\n=== {name}: {plain_ms:.2f} ms/request unprofiled, {len(response.content)} bytes")
        print(f"--- {len(queries)} SQL queries in one request:")
        for ms, sql in queries:
            print(f"  [{ms:.2f} ms] {sql[:160]}")
        print(f"--- share of profiled time ({total * 1000 / args.requests:.2f} ms/request):")
        print("\n".join(cost_shares(stats, total)))
        if args.top:
            stats.sort_stats(args.sort).print_stats(args.top)
            text = out.getvalue()
            print(text[text.find("   ncalls") :].rstrip())


if __name__ == "__main__":
    main()
