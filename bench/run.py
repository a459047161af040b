"""Load benchmark: gunicorn + PostgreSQL on loopback, driven by bench/loadgen.mjs.

    .venv/bin/python bench/run.py [--duration 5] [--server config] [--server gthread:2x4]

Recreates the database `stockroom_bench`, migrates, seeds (bench/seed.py), serves `config.wsgi`
with gunicorn on 127.0.0.1 and a free port, runs every phase (bounded by --duration and
--max-requests), stops gunicorn, checks the hot level's counters and prints a table.
Exits 1 if a check fails. See bench/README.md.
"""

import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed import migrate, reset_database, seed  # noqa: E402

HOST = "127.0.0.1"
# Medusa v1 on a 2-core machine, and what we aim for (3x; 10x for the inventory list).
MEDUSA = {"create": (160, 3), "reservations": (240, 3), "inventory": (32, 10)}
CREATES = ("create", "keyed")  # phases that reserve on the hot level
ALTERNATE_S = 0.5  # the keyed phase: plain and keyed requests take turns in slices this long
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--duration", type=float, default=5.0, help="seconds per phase (default 5)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of unrecorded warm-up")
    p.add_argument("--max-requests", type=int, default=50_000, help="cap per phase")
    p.add_argument(
        "--server",
        action="append",
        help="gunicorn setup, repeatable: config (config/gunicorn.py, the default), sync:W "
        "or gthread:WxT",
    )
    p.add_argument("--db", default="stockroom_bench", help="database to drop and recreate")
    p.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port (trust)")
    p.add_argument(
        "--only", help="comma-separated phases: health,reservations,inventory,create,keyed,pay"
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the phases this many times, in turn (pay only once); the keyed phase's "
        "figures are then the medians of its rounds",
    )
    p.add_argument("--clients", default="1,4,16", help="client counts of the reads")
    p.add_argument("--create-clients", default="1,4,16,64", help="client counts of the create")
    p.add_argument("--json", help="also write the results to this file")
    return p.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of these processes still alive."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return used


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings; a process that exited in between counts as 0."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


class Server:
    """gunicorn serving config.wsgi on 127.0.0.1:port."""

    def __init__(self, spec: str, port: int, env: dict):
        kind, _, size = spec.partition(":")
        if kind == "config":  # what production runs: config/gunicorn.py
            opts = ["--config", "python:config.gunicorn"]
        elif kind == "sync":
            opts = ["--worker-class", "sync", "--workers", size or "5"]
        elif kind == "gthread":
            workers, _, threads = (size or "2x4").partition("x")
            opts = ["--worker-class", "gthread", "--workers", workers, "--threads", threads]
        else:
            raise SystemExit(f"unknown server {kind!r}: use config, sync:W or gthread:WxT")
        self.spec, self.url = spec, f"http://{HOST}:{port}"
        cmd = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}"]
        cmd += opts + ["--log-level", "warning", "--worker-tmp-dir", "/dev/shm"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env)

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /health in time")

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class DbCpu:
    """CPU used by the PostgreSQL backends serving the bench database."""

    def __init__(self, dsn: dict, db: str):
        import psycopg

        self.conn = psycopg.connect(**dsn, dbname=db, autocommit=True)
        self.db = db

    def pids(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.db],
        ).fetchall()
        return [row[0] for row in rows]

    def close(self):
        self.conn.close()


def loadgen(spec: dict) -> dict:
    out = subprocess.run(
        ["node", str(ROOT / "bench/loadgen.mjs")],
        input=json.dumps(spec),  # on stdin: the pay phase's thousands of paths pass no argv limit
        capture_output=True,
        text=True,
        timeout=spec["duration_s"] + spec["timeout_ms"] / 1000 + 30,
        check=True,
    )
    return json.loads(out.stdout)


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phases(seeded, clients: tuple[int, ...], create_clients: tuple[int, ...]) -> list[dict]:
    auth = {"x-medusa-access-token": seeded.token}
    body = {
        "inventory_item_id": seeded.hot_item_id,
        "location_id": seeded.hot_location_id,
        "quantity": 1,
    }
    return [
        {"name": "health", "label": "GET /health", "path": "/health", "clients": clients},
        {
            "name": "reservations",
            "label": "GET /admin/reservations?limit=50&expand=inventory_item",
            "path": "/admin/reservations?limit=50&expand=inventory_item",
            "headers": auth,
            "clients": clients,
        },
        {
            "name": "inventory",
            "label": "GET /admin/inventory-items?limit=50",
            "path": "/admin/inventory-items?limit=50",
            "headers": auth,
            "clients": clients,
        },
        {
            "name": "create",
            "label": "POST /admin/reservations (1 unit, one level)",
            "path": "/admin/reservations",
            "method": "POST",
            "body": body,
            "headers": auth,
            "clients": create_clients,
        },
        {
            "name": "keyed",
            "label": "POST /admin/reservations, a new Idempotency-Key each",
            "plain_label": "POST /admin/reservations, in turn with keyed ones",
            "path": "/admin/reservations",
            "method": "POST",
            "body": body,
            "headers": auth,
            "unique_key": True,
            "alternate_s": ALTERNATE_S,
            "clients": create_clients,
        },
        {
            "name": "pay",
            "label": "POST /admin/draft-orders/{id}/pay (1 line, 2 units)",
            "path": "/admin/draft-orders/{id}/pay",
            "method": "POST",
            "headers": auth,
            "clients": clients,
            "drafts": list(seeded.draft_ids),
        },
    ]


def run_phases(server: Server, seeded, args, db_cpu: DbCpu) -> tuple[list[dict], int]:
    """Every phase (each round) against one server; returns the rows and the successful
    creates."""
    rows, creates_ok = [], 0
    only = set(args.only.split(",")) if args.only else None
    read_clients = tuple(int(n) for n in args.clients.split(","))
    create_clients = tuple(int(n) for n in args.create_clients.split(","))
    rounds = [
        (n, phase)
        for n in range(args.rounds)
        for phase in phases(seeded, read_clients, create_clients)
    ]
    for round_, phase in rounds:
        if (only and phase["name"] not in only) or (round_ and "drafts" in phase):
            continue
        base = {
            "url": server.url + phase["path"],
            "method": phase.get("method", "GET"),
            "headers": phase.get("headers", {}),
            "max_requests": args.max_requests,
            "timeout_ms": 15000,
        }
        if "body" in phase:
            base["body"] = phase["body"]
        for option in ("unique_key", "alternate_s"):
            if option in phase:
                base[option] = phase[option]
        drafts = phase.get("drafts")
        share = len(drafts) // len(phase["clients"]) if drafts else 0
        if args.warmup > 0 and drafts is None:  # each draft can be paid once: no warm-up
            warm = loadgen({**base, "clients": 4, "duration_s": args.warmup})
            if phase["name"] in CREATES:
                creates_ok += warm["ok"]
        for clients in phase["clients"]:
            workers = server.workers()
            app0, db0, client0 = proc_cpu(workers), proc_cpu(db_cpu.pids()), client_cpu()
            spec = {**base, "clients": clients, "duration_s": args.duration}
            if drafts is not None:  # a fresh slice of drafts for this client count
                take, drafts[:] = drafts[:share], drafts[share:]
                spec["paths"] = [phase["path"].format(id=d) for d in take]
            result = loadgen(spec)
            app1, db1 = proc_cpu(workers), proc_cpu(set(db0) | set(db_cpu.pids()))
            n = max(result["requests"], 1) / 1000
            spent = [
                cpu_delta(app0, app1) / n,
                cpu_delta(db0, db1) / n,
                (client_cpu() - client0) / n,
            ]
            if phase["name"] in CREATES:
                creates_ok += result["ok"]
            cpu = dict(zip(("app", "db", "client"), (round(ms, 2) for ms in spent), strict=True))
            if "keyed" in result:  # the halves share the phase's CPU: not shown per half
                parts = [("plain", phase["plain_label"], result["plain"], None)]
                parts.append((phase["name"], phase["label"], result["keyed"], None))
            else:
                parts = [(phase["name"], phase["label"], result, cpu)]
            for name, label, figures, cpu_ms in parts:
                rows.append(
                    {
                        "server": server.spec,
                        "round": round_ + 1,
                        "phase": name,
                        "label": label,
                        "clients": clients,
                        **figures,
                        "cpu_ms_per_req": cpu_ms,
                    }
                )
                print(f"  {server.spec:>12} {name:>12} c={clients:<3} {_brief(figures)}")
    return rows, creates_ok


def _brief(r: dict) -> str:
    return f"{r['requests']} req, {r['rps']} rps, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"


def verify(seeded, creates_ok: int) -> list[str]:
    """The hot level's counter equals its reservations, which equal the successful creates."""
    from django.db.models import Sum

    from inventory.models import InventoryLevel
    from reservations.models import ReservationItem

    problems = []
    level = InventoryLevel.objects.get(
        inventory_item_id=seeded.hot_item_id, location_id=seeded.hot_location_id
    )
    held = ReservationItem.objects.filter(
        inventory_item_id=seeded.hot_item_id, location_id=seeded.hot_location_id
    )
    total = held.aggregate(total=Sum("quantity"))["total"] or 0
    count = held.count()
    print(
        f"hot level: reserved_quantity={level.reserved_quantity}, sum of reservations={total}, "
        f"reservations={count}, successful creates={creates_ok}"
    )
    if level.reserved_quantity != total:
        problems.append(f"reserved_quantity {level.reserved_quantity} != sum {total}")
    if count != creates_ok:
        problems.append(f"{count} reservations but {creates_ok} successful creates")
    sums = {
        (row["inventory_item_id"], row["location_id"]): row["total"]
        for row in ReservationItem.objects.values("inventory_item_id", "location_id").annotate(
            total=Sum("quantity")
        )
    }
    for lvl in InventoryLevel.objects.all():
        own = sums.get((lvl.inventory_item_id, lvl.location_id), 0)
        if lvl.reserved_quantity != own or lvl.reserved_quantity > lvl.stocked_quantity:
            problems.append(
                f"level {lvl.id}: reserved {lvl.reserved_quantity}, reservations {own}, "
                f"stocked {lvl.stocked_quantity}"
            )
    return problems


def table(rows: list[dict]) -> str:
    head = (
        f"{'server':>12}  {'endpoint':<54} {'clients':>7} {'requests':>8} {'rps':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  cpu ms/req app/db/client"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        cpu = r["cpu_ms_per_req"]
        lines.append(
            f"{r['server']:>12}  {r['label']:<54} {r['clients']:>7} {r['requests']:>8} "
            f"{r['rps']:>8.1f} {r['p50_ms'] or 0:>8.2f} {r['p99_ms'] or 0:>8.2f} "
            f"{r['errors']:>6}  {'/'.join(f'{ms:.2f}' for ms in cpu.values()) if cpu else '-'}"
        )
    return "\n".join(lines)


def targets(rows: list[dict]) -> str:
    lines = ["", "vs Medusa v1 (best rps over client counts, per server setup):"]
    for server in dict.fromkeys(r["server"] for r in rows):
        for name, (medusa, factor) in MEDUSA.items():
            mine = [r["rps"] for r in rows if r["server"] == server and r["phase"] == name]
            if not mine:
                continue
            best, goal = max(mine), medusa * factor
            verdict = "OK" if best >= goal else "BELOW TARGET"
            lines.append(
                f"  {server:>12} {name:<13} {best:8.1f} rps = {best / medusa:5.1f}x Medusa's "
                f"{medusa} (target {factor}x = {goal}) {verdict}"
            )
    creates = [r for r in rows if r["phase"] == "create"]
    most = max((r["clients"] for r in creates), default=None)
    for r in (r for r in creates if r["clients"] == most):
        stuck = r["statuses"].get("timeout", 0)
        lines.append(
            f"  {r['server']:>12} create at {most} clients: {r['ok']} ok, {stuck} timed out "
            f"({'no hang' if r['ok'] and not stuck else 'HANG'})"
        )
    return "\n".join(lines)


def keyed_vs_plain(rows: list[dict]) -> str:
    """Keyed creates against the plain ones they took turns with: rps over all the rounds'
    turns, and the median of the rounds' ratios."""
    lines = ["", "keyed vs plain create, in turns of 0.5 s (aim: keyed within 10 %):"]
    for server in dict.fromkeys(r["server"] for r in rows):
        ours = [r for r in rows if r["server"] == server]
        for clients in dict.fromkeys(r["clients"] for r in ours if r["phase"] == "keyed"):
            plain, keyed = (
                [r for r in ours if r["phase"] == name and r["clients"] == clients]
                for name in ("plain", "keyed")
            )
            rps = [
                sum(r["requests"] for r in rs) / sum(r["elapsed_s"] for r in rs)
                for rs in (plain, keyed)
            ]
            ratio = statistics.median(
                k["rps"] / p["rps"] - 1 for p, k in zip(plain, keyed, strict=True)
            )
            lines.append(
                f"  {server:>12} c={clients:<3} plain {rps[0]:7.1f} rps, keyed {rps[1]:7.1f} rps "
                f"({rps[1] / rps[0] - 1:+.1%}); median of {len(keyed)} round(s) {ratio:+.1%}; "
                f"p50 {statistics.median(r['p50_ms'] for r in plain):.2f} vs "
                f"{statistics.median(r['p50_ms'] for r in keyed):.2f} ms"
            )
    return "\n".join(lines) if len(lines) > 1 else ""


def main() -> int:
    args = parse_args()
    user, _, hostport = args.pg.partition("@")
    host, _, port = hostport.partition(":")
    dsn = {"host": host, "port": int(port or 5432), "user": user}
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{host}:{dsn['port']}/{args.db}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    os.environ["DJANGO_DEBUG"] = "0"

    started = time.monotonic()
    import django

    django.setup()
    from django.db import connections

    rows, problems = [], []
    for spec in args.server or ["config"]:
        # Every setup starts from the same fresh data, so their figures compare.
        connections.close_all()
        reset_database(dsn["host"], dsn["port"], dsn["user"], args.db)
        migrate()
        seeded = seed()
        connections.close_all()
        print(f"database {args.db} seeded ({time.monotonic() - started:.1f}s so far)")
        db_cpu = DbCpu(dsn, args.db)
        server = Server(spec, free_port(), env)
        try:
            server.wait_ready()
            print(f"gunicorn {spec} on {server.url}")
            got, creates_ok = run_phases(server, seeded, args, db_cpu)
            rows += got
        finally:
            server.stop()
            db_cpu.close()
        problems += [f"{spec}: {p}" for p in verify(seeded, creates_ok)]
        problems += [
            f"{spec}: {r['phase']} at {r['clients']} clients had {r['errors']} errors "
            f"(statuses {r['statuses']})"
            for r in got
            if r["errors"]
        ]

    print()
    print(table(rows))
    print(targets(rows))
    print(keyed_vs_plain(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "problems": problems}, indent=2))
    if problems:
        print("\nCHECKS FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"\nchecks passed; total {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
