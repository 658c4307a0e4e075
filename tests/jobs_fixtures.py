"""Jobs fixtures: twin databases seeded alike, to compare an interrupted run with a clean one.

Imported by the conftest of each test package that uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeTracklog
from tests.integration.jobs.support import seed, spoil_summaries
from tracklog.adapters.clock import ManualClock
from tracklog.bootstrap import Tracklog

T0 = 1_790_000_000_000  # the frozen time every twin is seeded and run at

MakeTwin = Callable[[str], Tracklog]


@pytest.fixture
def twin_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second empty database of the same backend as the test's own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'twin.db'}"
        return
    databases: Any = request.getfixturevalue("postgres_databases")  # server-mode test backends
    url: str = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def seeded_twin(make_tracklog: MakeTracklog, database_url: str, twin_url: str) -> MakeTwin:
    """``seeded_twin(url)``: a store seeded and spoiled exactly like any other, at frozen time."""

    def make(url: str) -> Tracklog:
        instance = make_tracklog(clock=ManualClock(T0), database_url=url)
        seed(instance.deps)
        assert instance.worker is not None
        instance.worker.drain()
        spoil_summaries(instance.deps)
        return instance

    return make
