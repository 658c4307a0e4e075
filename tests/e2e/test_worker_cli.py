"""``tracklog worker`` belongs to server mode and says so when started without Redis."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tracklog.entrypoints.cli.main import app
from tracklog.testing.instances import TEST_SECRET


def test_worker_without_redis_explains_what_it_needs(tmp_path: Path) -> None:
    env = {
        "TRACKLOG_DATABASE_URL": f"sqlite:///{tmp_path / 'tracklog.db'}",
        "TRACKLOG_AUTH_JWT_SECRET": TEST_SECRET,
        "TRACKLOG_REDIS_URL": "",
    }

    result = CliRunner().invoke(app, ["worker"], env=env)

    assert result.exit_code == 2
    assert "TRACKLOG_REDIS_URL" in result.output
