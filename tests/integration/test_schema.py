"""The schema the migrations build is exactly the one the code declares (``tables.py``)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tracklog.adapters.store import tables
from tracklog.bootstrap import Tracklog
from tracklog.testing.adapters import engine


def test_migrations_and_table_definitions_agree(tracklog: Tracklog) -> None:
    schema = tracklog.schema
    assert schema.current_revision() == schema.head_revision()
    with engine(tracklog.deps.store).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert differences == []


def test_every_table_with_a_learner_column_is_in_the_list_erasure_and_purge_use() -> None:
    with_user = {t.name for t in tables.metadata.sorted_tables if "user_id" in t.c}
    assert with_user == {t.name for t in tables.LEARNER_TABLES}
    assert tables.LEARNER_TABLES[0] is tables.enrolments  # first: the worker stops recomputing
