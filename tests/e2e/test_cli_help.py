"""``tracklog --help`` answers at once: asking for help loads neither the app nor the store."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from tracklog.entrypoints.cli.main import app
try:
    app(["{command}", "--help"] if "{command}" else ["--help"])
except SystemExit:
    pass
heavy = sorted(m for m in ("sqlalchemy", "fastapi", "uvicorn", "alembic", "psycopg", "redis")
               if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def _heavy_modules_loaded_by(command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(command=command)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    return done.stdout.strip().splitlines()[-1]


def test_help_of_the_command_and_of_each_verb_loads_no_heavy_module() -> None:
    for command in ("", "serve", "jobs", "db", "dlq", "demo"):
        assert _heavy_modules_loaded_by(command) == "HEAVY:", command


def test_flags_are_shown_as_flags_and_options_with_their_defaults() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tracklog", "jobs", "run", "resync", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    dry_run = next(line for line in done.stdout.splitlines() if "--dry-run" in line)
    assert "<bool>" not in dry_run
    assert "[default: (TRACKLOG_JOB_BATCH_SIZE)]" in done.stdout
