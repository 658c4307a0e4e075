"""The database opened again in a helper process (``ReaderOpener``, decision 0519): what crosses
to the helper is the database's address, and the store it opens there reads what the instance
wrote; an in-memory SQLite database, which no other process can see, gets no opener at all."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest

from tests.integration.helpers import record, view
from tracklog.adapters.store.reader_opener import SqlReaderOpener, reader_opener_for
from tracklog.bootstrap import Tracklog
from tracklog.domain.model import EventType, RecordKey, Status


def statuses_seen_by_a_helper(opener: SqlReaderOpener, key: RecordKey) -> list[int]:
    """In a spawned process: the stored status at ``key``, read through the opener's store."""
    store = opener()
    try:
        with store.reader() as uow:
            return [int(r.status) for r in uow.tracking.records_by_key([key]).values()]
    finally:
        store.dispose()


def test_a_helper_process_reads_what_the_instance_wrote(tracklog: Tracklog) -> None:
    deps = tracklog.deps
    record(deps, "u1", view(EventType.END, "a", "e1", collection="c1"))
    opener = deps.open_reader
    assert isinstance(opener, SqlReaderOpener)
    assert pickle.loads(pickle.dumps(opener)) == opener  # only the URL crosses over
    key = RecordKey("u1", "c1", "c1", "a")
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as helpers:
        seen = helpers.apply(statuses_seen_by_a_helper, (opener, key))
    assert seen == [int(Status.COMPLETED)]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://"])
def test_an_in_memory_database_has_no_opener(url: str) -> None:
    assert reader_opener_for(url) is None


def test_a_database_file_or_server_has_one() -> None:
    assert reader_opener_for("sqlite:////var/lib/tracklog/t.db") == SqlReaderOpener(
        "sqlite:////var/lib/tracklog/t.db"
    )
    assert reader_opener_for("postgresql://u@db/t") == SqlReaderOpener("postgresql://u@db/t")
