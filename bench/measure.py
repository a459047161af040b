"""Measuring a management command for the benchmarks: wall and CPU time, its PostgreSQL
backend's CPU time and its peak memory."""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def command_arguments(doc: str, sizes: str, db: str, command: str) -> argparse.ArgumentParser:
    """A benchmark's options: the sizes to run, the database, the command's extra options."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(sizes, default="10000,100000", help="comma-separated sizes")
    p.add_argument("--db", default=db, help="database to drop and recreate")
    p.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port (trust)")
    p.add_argument("--timeout", type=float, default=300, help="seconds before a run is killed")
    p.add_argument("--profile", action="store_true", help="run under cProfile, print the top")
    p.add_argument("--args", default="", help=f"extra {command} arguments")
    return p


def setup_django(pg: str, db: str) -> tuple[str, int, str, dict]:
    """Point Django at the database `db` on `pg` (user@host:port) and set it up; (host,
    port, user, the environment for a command's subprocess)."""
    user, _, hostport = pg.partition("@")
    host, _, port = hostport.partition(":")
    url = f"postgres://{user}@{host}:{port}/{db}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return host, int(port), user, {**os.environ, "PYTHONUNBUFFERED": "1"}


class BackendCpu(threading.Thread):
    """Samples the CPU seconds the PostgreSQL backends serving `db` use from now on (from
    /proc) until stopped; a backend's last sample counts, so up to one interval of a backend
    that exits may be missed. Backends open before (this script's own) count from now."""

    def __init__(self, db: str, interval: float = 0.1):
        super().__init__(daemon=True)
        self.tag, self.interval = f" {db} ".encode(), interval
        self.done = threading.Event()
        self.before = self.sample()
        self.seen = dict(self.before)

    def sample(self) -> dict[str, float]:
        used = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.tag not in (entry / "cmdline").read_bytes():
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[entry.name] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        return used

    def run(self):
        while not self.done.wait(self.interval):
            self.seen.update(self.sample())

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.seen.update(self.sample())
        return sum(used - self.before.get(pid, 0.0) for pid, used in self.seen.items())


class PeakMemory(threading.Thread):
    """The peak resident memory (MB) of process `pid` since it last exec'd: its VmHWM, read
    until it exits. (`ru_maxrss` would also count the benchmark's own memory, which the
    child holds between fork and exec.)"""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.path, self.interval = Path(f"/proc/{pid}/status"), interval
        self.done, self.peak = threading.Event(), 0.0

    def run(self):
        while not self.done.wait(self.interval):
            try:
                status = self.path.read_text()
            except OSError:
                return
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak = max(self.peak, int(line.split()[1]) / 1024)

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.peak


def run_command(env: dict, args, command: list[str]) -> dict:
    """Run `manage.py *command` in a subprocess (under cProfile with `args.profile`, killed
    after `args.timeout` s); its wall time, CPU time, its backend's CPU time, peak RSS and
    output."""
    cmd = [sys.executable]
    profile_file = None
    if args.profile:
        profile_file = os.path.join(tempfile.gettempdir(), f"{command[0]}-{os.getpid()}.prof")
        cmd += ["-m", "cProfile", "-o", profile_file]
    cmd += [str(ROOT / "manage.py"), *command]
    db_cpu = BackendCpu(args.db)
    with tempfile.TemporaryFile("w+") as out:
        db_cpu.start()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = PeakMemory(proc.pid)
        peak.start()
        timer = threading.Timer(args.timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        output = out.read()
    if profile_file:
        import pstats

        stats = pstats.Stats(profile_file)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        os.unlink(profile_file)
    return {
        "returncode": proc.returncode,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "db_cpu": db_cpu.stop(),
        "peak_mb": peak.stop(),
        "output": output,
    }


def print_runs(unit: str, runs: list[tuple[int, dict]], target_seconds: float) -> bool:
    """The table of runs (`unit`s each); whether the 100,000 run missed `target_seconds`."""
    print(
        f"\n{unit:>8} {'seconds':>8} {unit + '/s':>8} {'cpu s':>6} {'db cpu s':>8} {'peak MB':>8}"
    )
    for size, r in runs:
        print(
            f"{size:>8} {r['wall']:>8.1f} {size / r['wall']:>8.0f} {r['cpu']:>6.1f} "
            f"{r['db_cpu']:>8.1f} {r['peak_mb']:>8.1f}"
        )
    slower = False
    for size, r in runs:
        if size == 100_000 and r["wall"] > target_seconds:
            print(f"slower than the target ({target_seconds} s for 100,000 {unit})")
            slower = True
    print(
        "(cpu s: the command process; db cpu s: its PostgreSQL backend. On a shared 2-core "
        "machine the wall time also holds waiting for a core: see the load average.)"
    )
    return slower
