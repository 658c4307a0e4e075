"""Mode safety: the mode is stamped at first start; another mode is refused, with a way out."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from tests.conftest import MakeTracklog
from tests.e2e.modes_world import C1, SDA, world_of
from tracklog.entrypoints.cli.main import app
from tracklog.services.instance import InstanceRefused
from tracklog.testing.instances import TEST_SECRET


def _cli(database_url: str, mode: str, *args: str, **env: str) -> tuple[int, str]:
    environ = {
        "TRACKLOG_DATABASE_URL": database_url,
        "TRACKLOG_MODE": mode,
        "TRACKLOG_AUTH_JWT_SECRET": TEST_SECRET,
        **env,
    }
    result = CliRunner().invoke(app, list(args), env=environ)
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def test_another_mode_of_the_same_shape_is_refused_until_adopted(
    make_tracklog: MakeTracklog, database_url: str
) -> None:
    make_tracklog(mode="strict").close()
    with pytest.raises(InstanceRefused) as refused:
        make_tracklog(mode="copy")
    message = str(refused.value)
    assert "TRACKLOG_MODE=copy but this database holds data written in mode 'strict'" in message
    assert "TRACKLOG_MODE=copy tracklog mode adopt" in message
    assert "docs/modes.md, 'Changing the mode of an instance'" in message

    code, output = _cli(database_url, "copy", "mode", "show")
    assert code == 0, output
    assert "database mode: strict · TRACKLOG_MODE: copy" in output
    code, output = _cli(database_url, "copy", "mode", "adopt", "--yes")
    assert code == 0, output
    assert "database mode: strict -> copy" in output

    make_tracklog(mode="copy").close()
    with pytest.raises(InstanceRefused):
        make_tracklog(mode="strict")


def test_a_mode_that_stores_data_elsewhere_cannot_be_adopted(
    make_tracklog: MakeTracklog, database_url: str
) -> None:
    make_tracklog(mode="strict").close()
    with pytest.raises(InstanceRefused) as refused:
        make_tracklog(mode="full-carry-forward")
    assert "no in-place switch" in str(refused.value)
    assert "start a new database in the new mode" in str(refused.value)

    code, output = _cli(database_url, "full-carry-forward", "mode", "adopt", "--yes")
    assert code != 0
    assert "stored under other keys" in output
    with pytest.raises(InstanceRefused):
        make_tracklog(mode="full-carry-forward")


def test_invalid_copy_rules_are_reported_at_start_up_and_copy_nothing(
    make_tracklog: MakeTracklog, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    rules = '{"match": "any", "rules": []}'
    with caplog.at_level(logging.WARNING), world_of(make_tracklog, "copy", copy_rules=rules) as w:
        w.complete(SDA)
        w.enrol(C1, "batch-1")
        assert w.status(SDA, C1, "batch-1") == 0  # fail closed
    warnings = [r.__dict__.get("warning", "") for r in caplog.records]
    assert any(w.startswith("TRACKLOG_COPY_RULES ") for w in warnings), warnings

    code, output = _cli(database_url, "copy", "mode", "show", TRACKLOG_COPY_RULES=rules)
    assert code == 0, output
    assert 'warning: TRACKLOG_COPY_RULES "rules" must be a non-empty list' in output
    assert "nothing will be copied" in output


def test_the_always_rule_copies_even_an_old_completion(make_tracklog: MakeTracklog) -> None:
    rules = '{"match": "all", "rules": [{"type": "always"}]}'
    with world_of(make_tracklog, "copy", copy_rules=rules) as w:
        w.complete(SDA, ts=0)
        w.enrol(C1, "batch-2")
        assert w.status(SDA, C1, "batch-2") == 2
        assert w.row(SDA, C1, "batch-2")["provenance"]["rule"] == "always"
