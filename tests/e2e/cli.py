"""Running ``python -m tracklog ...`` as a user would: a fresh directory and a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tracklog.testing.instances import TEST_SECRET


def clean_env(database_url: str) -> dict[str, str]:
    """The caller's environment without any TRACKLOG_* setting, plus a throwaway database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    env.update(
        TRACKLOG_DATABASE_URL=database_url,
        TRACKLOG_AUTH_JWT_SECRET=TEST_SECRET,
        COLUMNS="300",  # keep long messages on one line
    )
    return env


def tracklog(
    cwd: Path, env: dict[str, str], *args: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracklog", *args],
        cwd=cwd,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1].strip()
