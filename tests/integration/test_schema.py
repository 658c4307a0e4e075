"""The schema the migrations build is exactly the one the code declares (``tables.py``)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog


def test_migrations_and_table_definitions_agree(tracklog: Tracklog) -> None:
    store = tracklog.deps.store
    assert store.is_current()
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert differences == []
