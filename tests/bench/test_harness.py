"""The benchmark harness runs end to end and writes its report (tiny sizes, no timing checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_command_measures_every_benchmark_and_writes_the_report(
    tmp_path: Path,
) -> None:
    report = tmp_path / "benchmarks.md"

    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--out", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    text = report.read_text()
    for line in ("cores:", "CPU:", "Python:", "SQLite:", "load average"):
        assert line in text
    for benchmark in (
        "view/update max request rate",
        "view/update p99 at half max rate",
        "view/sync over HTTP",
        "record_events in-process",
        "view/read p99 latency at half max rate",
        "summary/read p99 latency at half max rate",
        "aggregation lag p99",
    ):
        row = next(r for r in text.splitlines() if r.startswith(f"| {benchmark}"))
        assert row.rstrip().endswith(("| pass |", "| **miss** |"))
    assert "bare FastAPI" in text
    assert "raw sqlite3 upsert" in text
