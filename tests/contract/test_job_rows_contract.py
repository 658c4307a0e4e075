"""Generic rows for bulk jobs (by table name, no SQL in the kinds), and the unit of work."""

from __future__ import annotations

import pytest

from tracklog.domain.jobs import Condition
from tracklog.domain.model import Enrolment, EnrolmentKey
from tracklog.services.ports import Store, UnitOfWork


def _enrol(store: Store, *keys: tuple[str, str, str], active: bool = True) -> None:
    with store.unit_of_work() as uow:
        for key in keys:
            uow.registry.put_enrolment(Enrolment(EnrolmentKey(*key), 100, active=active))
        uow.commit()


def test_rows_are_counted_and_paged_in_key_order_with_conditions(store: Store) -> None:
    _enrol(store, ("u2", "c1", "c1"), ("u1", "c2", "c2"), ("u1", "c1", "c1"))
    _enrol(store, ("u3", "c1", "c1"), active=False)
    active = (Condition("active", "is", True),)
    with store.reader() as uow:
        rows = uow.job_rows
        assert rows.count("enrolments") == 4
        assert rows.count("enrolments", active) == 3
        assert rows.count("enrolments", (*active, Condition("collection_id", "==", "c1"))) == 2
        names = ("user_id", "collection_id", "context_id")
        first = rows.page("enrolments", active, None, 2, names)
        rest = rows.page("enrolments", active, tuple(first[-1][n] for n in names), 2, names)
    assert [tuple(r.values()) for r in first + rest] == [
        ("u1", "c1", "c1"),
        ("u1", "c2", "c2"),
        ("u2", "c1", "c1"),
    ]


def test_rows_are_fetched_put_removed_and_checksummed(store: Store) -> None:
    _enrol(store, ("u1", "c1", "c1"), ("u2", "c1", "c1"))
    with store.unit_of_work() as uow:
        rows = uow.job_rows
        before = rows.checksum("enrolments")
        key = ("u1", "c1", "c1")
        [row] = rows.fetch("enrolments", [key, ("u9", "c1", "c1")]).values()
        rows.put("enrolments", [{**row, "enrolled_ts": 7}])
        changed = rows.checksum("enrolments")
        rows.put("enrolments", [row])
        assert rows.checksum("enrolments") == before != changed
        assert rows.row_hash(row) == rows.row_hash(dict(row)) != rows.row_hash(None)
        rows.remove("enrolments", [key])
        assert rows.fetch("enrolments", [key]) == {}
        inserted = rows.insert_new(
            "completion_events",
            {
                "user_id": "u1",
                "collection_id": "c1",
                "context_id": "c1",
                "completed_ts": 1,
                "emitted_ts": 2,
            },
        )
        assert rows.fetch("completion_events", [rows.key_of("completion_events", inserted)])
        assert rows.learner_tables()[0] == "enrolments"
        uow.commit()


def test_work_that_is_not_committed_is_not_kept(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.registry.set_stamp("probe", "strict")  # no commit
    with store.reader() as uow:
        assert uow.registry.stamp("probe") is None


def _fail_inside_a_savepoint(uow: UnitOfWork) -> None:
    with uow.savepoint():
        uow.registry.set_stamp("undone", "yes")
        raise RuntimeError("poison")


def test_a_savepoint_undoes_only_what_failed_inside_it(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.registry.set_stamp("kept", "yes")
        with pytest.raises(RuntimeError, match="poison"):
            _fail_inside_a_savepoint(uow)
        uow.commit()
    with store.reader() as uow:
        assert (uow.registry.stamp("kept"), uow.registry.stamp("undone")) == ("yes", None)


def test_after_commit_callbacks_run_only_once_the_work_is_durable(store: Store) -> None:
    ran: list[str] = []
    with store.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("rolled back"))
    with store.unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("committed"))
        assert ran == []
        uow.commit()
    assert ran == ["committed"]


def test_many_rows_put_at_once_read_back_as_the_last_row_of_each_key(store: Store) -> None:
    """Enough rows for PostgreSQL's COPY path, with JSON, nulls and keys given twice."""
    rows = [
        {
            "user_id": f"u{n % 150:03d}", "collection_id": "c1", "context_id": "c1",
            "content_id": "x", "status": 1 + n // 150, "progress": n % 101,
            "progress_details": None if n % 3 else {"position": n, "notes": ["é", None, 1.5]},
            "progress_details_ts": None, "progress_details_event": "", "start_count": n,
            "completed_count": 0, "event_count": 1, "first_access_ts": n, "last_access_ts": n,
            "first_completed_ts": None, "last_completed_ts": None,
            "provenance": None, "legacy_view_count": 0, "legacy_completed_count": 0,
            "legacy": n % 2 == 0, "updated_ts": 5,
        }
        for n in range(300)  # each of 150 keys twice: the second row must win
    ]  # fmt: skip
    with store.unit_of_work() as uow:
        uow.job_rows.put("consumption", rows)
        uow.commit()
    keys = [(f"u{n:03d}", "c1", "c1", "x") for n in range(150)]
    with store.reader() as uow:
        found = uow.job_rows.fetch("consumption", keys)
    assert found == {key: rows[150 + n] for n, key in enumerate(keys)}
