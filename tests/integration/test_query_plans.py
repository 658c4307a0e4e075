"""Every statement of the hot paths finds its rows through an index, on both backends.

The hot paths — single and batched writes, the aggregation of their triggers, the reads and the
legacy reads — run once against a store with a few learners while every statement they send is
recorded; each recorded query is then explained. On SQLite the plan must not ``SCAN`` a learner
table; on PostgreSQL, with sequential scans disabled (on a table this small the planner would
otherwise prefer them), it must not fall back to a ``Seq Scan`` of one. A query that cannot use an
index — the row-value ``IN (VALUES ...)`` SQLite scans for, say — fails here long before a
database grows large enough for anyone to notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from tracklog.adapters.store.store import SqlStore
from tracklog.bootstrap import Tracklog
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.legacy_requests import StateQuery
from tracklog.domain.model import EventType, Question, Source
from tracklog.services import ingest, legacy, reads, registry, summaries
from tracklog.services.commands import Enrol, PutCollection, ReadViews, RecordEvents
from tracklog.services.registry import CollectionLookup

# Tables that grow with the learners and their events: never read by scanning them.
LEARNER_TABLES = (
    "consumption",
    "attempts",
    "summaries",
    "event_journal",
    "enrolments",
    "completion_events",
)
USERS = [f"learner-{n}" for n in range(6)]
Statement = tuple[str, Any]


@contextmanager
def recorded(store: SqlStore) -> Iterator[list[Statement]]:
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many and re.match(r"\s*(SELECT|UPDATE|DELETE)\b", sql, re.I):
            seen.append((sql, params))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def registered(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    leaves = ("a", "b", "c", "quiz")
    registry.put_collection(deps, "admin", PutCollection("c1", leaves))
    for user in USERS:
        registry.enrol(deps, user, Enrol(user, "c1"))
    drain()


def hot_paths(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    deps = tracklog.deps
    collections = CollectionLookup(deps)
    now = deps.clock.now_ms()
    single = [
        RecordEvents(u, (TrackEvent(EventType.UPDATE, "a", "c1", progress=40),)) for u in USERS
    ]
    with deps.store.unit_of_work() as uow:  # a group commit's write
        prepared = [(c.user_id, ingest.prepare_command(deps, collections, c, now)) for c in single]
        ingest.ingest_learners(deps, uow, collections, prepared)
        uow.commit()
    question = (Question("q1", Decimal(1), Decimal(2)),)
    ends = [TrackEvent(EventType.END, c, "c1", event_id=f"e-{c}") for c in "abc"]
    submit = TrackEvent(EventType.ASSESS, "quiz", "c1", attempt_id="t1", questions=question)
    batch = (*ends, submit)
    ingest.record_events(deps, RecordEvents(USERS[0], batch, Source.SYNC))  # a sync batch
    drain()  # the aggregation of every trigger
    reads.read_views(deps, ReadViews(USERS[0], "c1"))
    reads.read_views(deps, ReadViews(USERS[0], "c1", content_ids=frozenset({"a"})))
    reads.read_assessments(deps, USERS[0], "c1", None, None)
    summaries.read_summary(deps, USERS[0], "c1", None)
    summaries.list_summaries(deps, USERS[0], live=True)
    summaries.list_summaries(deps, USERS[1])
    legacy.read_content_state(deps, USERS[0], StateQuery("c1", "c1", None, with_scores=True))
    legacy.list_courses(deps, USERS[0], live=True)


def scans(store: SqlStore, statements: list[Statement]) -> list[str]:
    """The learner tables each statement reads by scanning, with the statement."""
    found: list[str] = []
    postgres = store.traits.name == "postgresql"
    with store.engine.connect() as conn:
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        for sql, params in dict.fromkeys((s, _frozen(p)) for s, p in statements):
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = conn.exec_driver_sql(prefix + sql, _thawed(params)).fetchall()
            plan = "\n".join(str(row[-1]) for row in rows)
            for table in LEARNER_TABLES:
                pattern = rf"Seq Scan on {table}\b" if postgres else rf"\bSCAN {table}\b"
                if re.search(pattern, plan):
                    found.append(f"{table}: {sql}\n{plan}")
        conn.rollback()
    return found


def _frozen(params: Any) -> Any:
    if isinstance(params, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in params.items()))
    if isinstance(params, list | tuple):
        return ("__seq__", tuple(_frozen(v) for v in params))
    return params


def _thawed(params: Any, nested: bool = False) -> Any:
    if isinstance(params, tuple) and params and params[0] == "__seq__":
        values = [_thawed(v, nested=True) for v in params[1]]
        return values if nested else tuple(values)  # a list value is bound as an array
    if isinstance(params, tuple):
        return {k: _thawed(v, nested=True) for k, v in params}
    return params


def test_no_hot_path_scans_a_learner_table(tracklog: Tracklog, drain: Callable[[], int]) -> None:
    store = tracklog.deps.store
    assert isinstance(store, SqlStore)
    registered(tracklog, drain)
    with recorded(store) as statements:
        hot_paths(tracklog, drain)
    assert len(statements) > 20  # the workload really ran through the store
    assert scans(store, statements) == []


def test_registry_changes_find_a_collections_enrolments_by_index(
    tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    store = tracklog.deps.store
    assert isinstance(store, SqlStore)
    with recorded(store) as statements:
        registered(tracklog, drain)
        new_tree = PutCollection("c1", ("a", "b", "c", "quiz", "d"))
        registry.put_collection(tracklog.deps, "admin", new_tree)  # recomputes its enrolments
        drain()
    assert any("enrolments" in sql for sql, _ in statements)
    assert scans(store, statements) == []
