"""The migration benchmark runs end to end and writes its figures (tiny size, no timing checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_migration_benchmark_measures_every_step_and_finds_exactly_what_it_changed(
    tmp_path: Path,
) -> None:
    figures = tmp_path / "migration.md"

    done = subprocess.run(
        [
            sys.executable, "-m", "bench.migration", "--records", "2000",
            "--dir", str(tmp_path / "work"), "--write", str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]

    text = figures.read_text()
    for step in (
        "migrate legacy, every file",
        "migrate legacy, consumption",
        "reconcile, clean",
        "reconcile, 1 % different",
    ):
        assert any(row.startswith(f"| {step} |") for row in text.splitlines()), step
    for target in ("migrate ≥", "migrate on PostgreSQL", "peak RSS <", "reconcile 1 M records"):
        row = next(r for r in text.splitlines() if r.startswith(f"| {target}"))
        assert row.rstrip().endswith(("| PASS |", "| **MISS** |", "| n/a |"))
    assert "(as changed)" in text
    for line in ("cores:", "CPU:", "Python:", "SQLite:", "load average after"):
        assert line in text
