"""Bulk-job benchmark (SPEC §9): resync of N records, rollback of N changed rows, abort latency.

    .venv/bin/python -m bench.jobs --records 1000000 [--postgres] [--write FILE]

Data is generated straight into the store (this measures jobs, not ingest): a SQLite file, or with
``--postgres`` a throwaway PostgreSQL started from the installed binaries; every job runs through
the real command line (``python -m tracklog jobs ...``) in its own process, whose wall time and
peak RSS (``wait4``) are reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tracklog.adapters.store import tables
from tracklog.domain.errors import Conflict
from tracklog.services.deps import Deps
from tracklog.services.jobs import control
from tracklog.settings import Settings
from tracklog.testing.adapters import engine
from tracklog.testing.instances import ready_instance

DAY_MS = 86_400_000
LEAVES = 10  # contents per collection: one enrolment = 10 consumption records
COLLECTIONS = 20
SECRET = "bench-secret-0123456789abcdef0123456789"


@dataclass
class Figure:
    name: str
    rows: int
    seconds: float
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def generate(settings: Settings, records: int) -> int:
    """Collections, enrolments, ``records`` consumption rows and as many journal events (old)."""
    instance = ready_instance(settings)
    now = instance.deps.clock.now_ms()
    sql_engine = engine(instance.deps.store)
    enrolments = records // LEAVES
    with sql_engine.begin() as conn:
        conn.execute(
            tables.collections.insert(),
            [
                {
                    "collection_id": f"c{c}", "version": 1, "name": None, "type": "Course",
                    "leaf_nodes": [f"c{c}-l{n}" for n in range(LEAVES)], "optional_nodes": [],
                    "module_types": {}, "created_ts": now,
                }
                for c in range(COLLECTIONS)
            ],
        )  # fmt: skip
    chunk = 20_000
    for start in range(0, enrolments, chunk):
        keys = [
            (f"u{e // 2:07d}", f"c{e % COLLECTIONS}")
            for e in range(start, min(start + chunk, enrolments))
        ]
        with sql_engine.begin() as conn:
            conn.execute(
                tables.enrolments.insert(),
                [{"user_id": u, "collection_id": c, "context_id": c, "enrolled_ts": now,
                  "active": True, "moved_to": None, "updated_ts": now} for u, c in keys],
            )  # fmt: skip
            conn.execute(
                tables.consumption.insert(),
                [_record(u, c, n, now) for u, c in keys for n in range(LEAVES)],
            )
            conn.execute(
                tables.event_journal.insert(),
                [_event(u, c, n, now - 40 * DAY_MS) for u, c in keys for n in range(LEAVES)],
            )
    instance.close()
    return enrolments


def _record(user: str, collection: str, n: int, now: int) -> dict[str, object]:
    done = (hash((user, n)) % 3) == 0
    return {
        "user_id": user, "collection_id": collection, "context_id": collection,
        "content_id": f"{collection}-l{n}", "status": 2 if done else 1,
        "progress": 100 if done else 40,
        "progress_details": None, "progress_details_ts": None, "progress_details_event": "",
        "start_count": 1, "completed_count": 1 if done else 0, "event_count": 2,
        "first_access_ts": now, "last_access_ts": now, "first_completed_ts": now if done else None,
        "last_completed_ts": now if done else None, "provenance": None, "updated_ts": now,
    }  # fmt: skip


def _event(user: str, collection: str, n: int, ts: int) -> dict[str, object]:
    return {
        "user_id": user, "event_id": f"{user}-{collection}-{n}", "payload_hash": "x" * 16,
        "type": "end", "collection_id": collection, "context_id": collection,
        "content_id": f"{collection}-l{n}", "module_type": "Resource", "source": "api",
        "event_ts": ts, "ingested_ts": ts,
    }  # fmt: skip


def cli(url: str, *args: str) -> tuple[float, float, int]:
    """Run ``tracklog`` in a child process: wall seconds, peak RSS in MB, exit code.

    The peak is that of the child and the helper processes it starts (a large reconciliation
    has one per core), sampled from /proc every 0.1 s while it runs: the larger of the child's
    own ``VmHWM`` and the highest sum of the whole tree's resident sets. (``wait4``'s
    ``ru_maxrss`` would also count the parent's memory at fork time, and no helper's.)
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    env.update(TRACKLOG_DATABASE_URL=url, TRACKLOG_AUTH_JWT_SECRET=SECRET)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child never blocks
        child = subprocess.Popen(
            [sys.executable, "-m", "tracklog", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            stdin=subprocess.DEVNULL,
        )
        peak = 0.0
        while child.poll() is None:
            tree = sum(_status_mb(pid, "VmRSS") for pid in (child.pid, *_descendants(child.pid)))
            peak = max(peak, _status_mb(child.pid, "VmHWM"), tree)
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            print(f"tracklog {' '.join(args)}: exit {child.returncode}; its stderr ends:\n{tail}")
    return elapsed, peak, child.returncode


def _status_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/PID/status (``VmHWM``, ``VmRSS``) in MB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children...), from /proc's parent links."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def abort_latency(settings: Settings) -> tuple[float, float] | None:
    """Abort during a resync: seconds until the request is stored (it waits for SQLite's write
    lock) and until the job stands still; ``None`` if the job finished first (too little data)."""
    instance = ready_instance(settings)
    deps = instance.deps
    result: list[tuple[float, float, int]] = []
    runner = threading.Thread(
        target=lambda: result.append(cli(settings.database_url, "jobs", "run", "resync"))
    )
    runner.start()
    job_id = _wait_for_running_job(deps)
    asked = time.perf_counter()
    try:
        control.request_abort(deps, job_id, "bench")
    except Conflict:
        runner.join()
        instance.close()
        return None
    stored = time.perf_counter() - asked
    while control.get_job(deps, job_id).state not in ("aborted", "finished"):
        time.sleep(0.005)
    stopped = time.perf_counter() - asked
    runner.join()
    instance.close()
    return stored, stopped


def _wait_for_running_job(deps: Deps) -> int:
    while True:
        running = [j for j in control.list_jobs(deps, 5) if j.state == "running" and j.batches_done]
        if running:
            return running[0].id
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the database.")
    parser.add_argument("--write", type=Path, default=None, help="Write the figures (markdown).")
    parser.add_argument("--postgres", action="store_true", help="Run on a throwaway PostgreSQL.")
    args = parser.parse_args()
    if not args.postgres:
        workdir = args.dir or Path(tempfile.mkdtemp(prefix="tracklog-bench-jobs-"))
        run(f"sqlite:///{workdir / 'bench.db'}", args.records, args.write)
        return
    from tracklog.testing import (
        backends,  # the test suite's throwaway server, started from the binaries
    )

    server = backends.PostgresServer().start()
    try:
        run(backends.PostgresDatabases(server.url).create(), args.records, args.write)
    finally:
        server.cleanup()


def run(url: str, records: int, write: Path | None) -> None:
    settings = Settings(database_url=url, auth_jwt_secret=SECRET, embedded_worker=False)
    started = time.perf_counter()
    enrolments = generate(settings, records)
    took = time.perf_counter() - started
    print(f"generated {records} records, {enrolments} enrolments in {took:.1f}s")
    figures = [_job("resync (summaries from records)", records, url, "jobs", "run", "resync")]
    figures.append(
        _job(
            "purge --older-than 30 (journalled)",
            records,
            url,
            "jobs",
            "run",
            "purge",
            "--older-than",
            "30",
        )
    )
    figures.append(_job("rollback of the purge", records, url, "jobs", "rollback", "2"))
    latency = abort_latency(settings)
    report = render(figures, latency, records, settings.database_url.split(":")[0])
    print(report)
    if write:
        write.write_text(report)


def _job(name: str, rows: int, url: str, *args: str) -> Figure:
    seconds, rss, code = cli(url, *args)
    if code != 0:
        raise SystemExit(f"{name}: exit code {code}")
    print(f"{name}: {seconds:.1f}s, peak RSS {rss:.0f} MB")
    return Figure(name, rows, seconds, rss)


def render(
    figures: list[Figure], abort_s: tuple[float, float] | None, records: int, backend: str
) -> str:
    lines = [
        "# Bulk jobs: benchmark figures",
        "",
        f"`.venv/bin/python -m bench.jobs --records {records}` on {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; store: {backend}; "
        "default batch size, every job through the CLI in its own process.",
        "",
        "| job | rows | wall time | rows/s | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.rows:,} | {f.seconds:.1f} s | {f.rate:,.0f} "
            f"| {f.peak_rss_mb:.0f} MB |"
        )
    if abort_s is None:
        abort = "n/a (the job finished first)"
    else:
        abort = f"stored after {abort_s[0]:.2f} s, job stopped {abort_s[1]:.2f} s after the request"
    lines += [
        "",
        f"`jobs abort` during a resync (default batches of 2000 enrolments): {abort}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
