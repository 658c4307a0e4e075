"""``python -m bench [--quick] [--only NAME ...] [--out FILE]``: run the SPEC §9 suite."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import http_update, lag, machine, reads, sync_ingest
from bench.bottlenecks import name_bottlenecks
from bench.config import Config
from bench.figures import Figure
from bench.report import markdown

NAMES = ("update", "sync", "reads", "lag")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def run(config: Config, only: Sequence[str] = NAMES) -> list[Figure]:
    figures: list[Figure] = []
    capacity = 0.0
    if "update" in only:
        print("1. view/update over HTTP vs bare FastAPI", flush=True)
        figures += http_update.run(config, say)
    if "sync" in only or "lag" in only:
        print("2. view/sync batch ingest vs raw SQLite", flush=True)
        sync_figures, result = sync_ingest.run(config, say)
        figures += sync_figures if "sync" in only else []
        capacity = result.in_process
    if "reads" in only:
        print("3. view/read and summary/read latency", flush=True)
        figures += reads.run(config, say)
    if "lag" in only:
        print("4. aggregation lag at 50 % of capacity", flush=True)
        figures += lag.run(config, say, capacity)
    return name_bottlenecks(figures)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (small sizes)")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report to write")
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args(argv)
    host = machine.describe()
    print("machine:", *host.lines(), sep="\n  ", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracklog-bench-") as tmp:
        workdir = Path(tmp)
        config = Config(workdir=workdir)
        if args.quick:
            config = Config.quick(workdir)
        if args.tiny:
            config = Config.tiny(workdir)
        figures = run(config, args.only)
    elapsed = time.perf_counter() - started
    print("results:", flush=True)
    for figure in figures:
        print(f"  {figure.line()}")
    if not args.no_report:
        text = markdown(
            host, figures, mode=config.mode, seconds=elapsed, load_after=machine.load_average()
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
