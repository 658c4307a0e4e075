"""Records, attempts and summaries read back as written, on every store."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tracklog.domain.attempts import build_attempt
from tracklog.domain.model import (
    ConsumptionRecord,
    EnrolmentKey,
    Question,
    RecordFacts,
    RecordKey,
    Status,
    Summary,
)
from tracklog.domain.modes import RecordScope
from tracklog.domain.summaries import stored_completion_of
from tracklog.services.ports import Store

U1, U2 = "learner-1", "learner-2"


def record(
    user: str, collection: str, context: str, content: str, status: int = 1
) -> ConsumptionRecord:
    return ConsumptionRecord(
        RecordKey(user, collection, context, content),
        status=Status(status),
        progress=100 if status == 2 else 40,
        progress_details={"page": 3, "nested": {"a": [1, 2]}},
        progress_details_ts=1000,
        progress_details_event="e1",
        start_count=1,
        completed_count=1 if status == 2 else 0,
        event_count=2,
        first_access_ts=1000,
        last_access_ts=2000,
        first_completed_ts=2000 if status == 2 else None,
        last_completed_ts=2000 if status == 2 else None,
    )


def summary(user: str, collection: str, context: str, status: int = 1) -> Summary:
    return Summary(
        key=EnrolmentKey(user, collection, context),
        enrolled_ts=500,
        status=Status(status),
        progress=1,
        leaf_nodes_count=2,
        completion_percentage=50,
        completed_ts=None,
        content_status={"a": 2, "b": 1},
        assessment_status={},
        last_access_ts=2000,
        collection_version=1,
        last_updated_ts=3000,
    )


def test_records_read_back_by_key_exactly_as_written(store: Store) -> None:
    written = [
        record(U1, "c1", "k1", "a", 2),
        record(U1, "c1", "k1", "b"),
        record(U2, "c1", "k1", "a"),
    ]
    with store.unit_of_work() as uow:
        uow.tracking.put_records(written)
        uow.commit()
    missing = RecordKey(U1, "c1", "k1", "nope")
    with store.reader() as uow:
        found = uow.tracking.records_by_key([r.key for r in written] + [missing])
    assert found == {r.key: r for r in written}


def test_a_record_written_again_is_replaced(store: Store) -> None:
    first = record(U1, "c1", "k1", "a")
    with store.unit_of_work() as uow:
        uow.tracking.put_records([first])
        uow.tracking.put_records([replace(first, status=Status.COMPLETED, progress=100)])
        uow.commit()
    with store.reader() as uow:
        [again] = uow.tracking.records_by_key([first.key]).values()
    assert (again.status, again.progress) == (Status.COMPLETED, 100)


def test_records_in_scopes_organic_completed_and_by_enrolment(store: Store) -> None:
    rows = [
        record(U1, "c1", "k1", "a", 2),
        record(U1, "c1", "k1", "b"),
        record(U1, "c1", "k2", "a"),
        record(U1, "x", "x", "x", 2),
        record(U2, "c1", "k1", "a", 2),
    ]
    with store.unit_of_work() as uow:
        uow.tracking.put_records(rows)
        uow.commit()
    with store.reader() as uow:
        t = uow.tracking
        scoped = t.records_in(
            U1, [RecordScope("c1", "k1", frozenset({"a"})), RecordScope("c1", "k2")]
        )
        assert sorted(r.key for r in scoped) == [rows[0].key, rows[2].key]
        assert [r.key for r in t.organic_records(U1)] == [rows[3].key]
        assert sorted(r.key for r in t.completed_records(U1, ["a", "x", "b"])) == sorted(
            [rows[0].key, rows[3].key]
        )
        assert sorted(r.key for r in t.records_of_enrolment(EnrolmentKey(U1, "c1", "k1"))) == [
            rows[0].key,
            rows[1].key,
        ]
        assert {r.key.user_id for r in t.records_of_users([U2])} == {U2}
        assert t.records_in(U1, []) == []


def test_attempts_keep_their_questions_and_read_oldest_first(store: Store) -> None:
    key = RecordKey(U1, "c1", "k1", "quiz")
    questions = (
        Question("q1", Decimal("0.5"), Decimal(1), 10, {"type": "mcq", "params": [{"a": 1}]}),
    )
    late = build_attempt(key, "t2", 2000, questions, "h2")
    early = build_attempt(key, "t1", 1000, questions, "h1")
    with store.unit_of_work() as uow:
        uow.tracking.put_attempts([late, early])
        uow.commit()
    with store.reader() as uow:
        t = uow.tracking
        assert t.attempt(key, "t1") == early
        assert t.attempt(key, "nope") is None
        assert t.attempts_in(U1, [RecordScope("c1", "k1")]) == [early, late]
        assert t.attempts_of_enrolment(EnrolmentKey(U1, "c1", "k1")) == [early, late]
        assert t.attempts_of_users([U1]) == [early, late]
        bare = [replace(a, questions=()) for a in (early, late)]
        assert t.attempts_of_users([U1], with_questions=False) == bare
        assert t.attempts_of_enrolments([EnrolmentKey(U1, "c1", "k1")], with_questions=False) == {
            EnrolmentKey(U1, "c1", "k1"): bare
        }
        elsewhere = EnrolmentKey(U2, "c1", "k1")
        assert t.attempts_of_enrolments([EnrolmentKey(U1, "c1", "k1"), elsewhere]) == {
            EnrolmentKey(U1, "c1", "k1"): [early, late],
            elsewhere: [],
        }


def test_many_enrolments_read_in_one_call_as_one_by_one(store: Store) -> None:
    """The batched reads of the aggregation and the summary reads: more keys than one query
    takes, several learners, keys with nothing stored."""
    keys = [EnrolmentKey(f"u{n % 7}", f"c{n % 3}", f"k{n}") for n in range(150)]
    rows = [record(k.user_id, k.collection_id, k.context_id, c) for k in keys[::2] for c in "ab"]
    sums = [summary(k.user_id, k.collection_id, k.context_id) for k in keys[::3]]
    with store.unit_of_work() as uow:
        uow.tracking.put_records(rows)
        uow.tracking.put_summaries(sums)
        uow.commit()
    with store.reader() as uow:
        t = uow.tracking
        many = t.records_of_enrolments(keys)
        assert set(many) == set(keys)
        for key in keys:
            one = t.records_of_enrolment(key)
            assert sorted(many[key], key=lambda r: r.key) == sorted(one, key=lambda r: r.key)
        assert t.summaries_by_key(keys) == {s.key: s for s in sums}
        assert t.stored_completions(keys) == {s.key: stored_completion_of(s) for s in sums}
        assert t.records_of_enrolments([]) == {}
        facts = t.record_facts_of_enrolments(keys)  # what a summary reads, nothing else
        assert {k: sorted(v, key=_by_key) for k, v in facts.items()} == {
            k: sorted(map(_facts, v), key=_by_key) for k, v in many.items()
        }
        users = sorted({k.user_id for k in keys})
        assert sorted(t.record_facts_of_users(users), key=_by_key) == sorted(
            map(_facts, t.records_of_users(users)), key=_by_key
        )


def _facts(record: ConsumptionRecord) -> RecordFacts:
    return RecordFacts(record.key, record.status, record.last_access_ts, record.first_completed_ts)


def _by_key(item: RecordFacts) -> RecordKey:
    return item.key


def test_moving_an_enrolment_deletes_its_records_and_keeps_the_summary_once(store: Store) -> None:
    source, target = EnrolmentKey(U1, "c1", "k1"), EnrolmentKey(U1, "c1", "k2")
    with store.unit_of_work() as uow:
        uow.tracking.put_records([record(U1, "c1", "k1", "a")])
        uow.tracking.put_summary(summary(U1, "c1", "k1"))
        uow.tracking.move_summary(source, target)
        uow.tracking.delete_enrolment_records(source)
        uow.commit()
    with store.reader() as uow:
        assert uow.tracking.records_of_enrolment(source) == []
        moved = uow.tracking.summary(target)
        assert moved is not None
        assert moved.key == target
        assert [s.key for s in uow.tracking.summaries_of(U1)] == [source, target]


def test_deleting_a_learner_counts_per_table_and_keeps_others(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.tracking.put_records([record(U1, "c1", "k1", "a"), record(U2, "c1", "k1", "a")])
        uow.tracking.put_summary(summary(U1, "c1", "k1", 2))
        uow.tracking.add_completion_event(summary(U1, "c1", "k1", 2))
        uow.commit()
    with store.unit_of_work() as uow:
        counts = uow.tracking.delete_user_data(U1, None, None)
        uow.commit()
    assert counts["consumption"] == counts["summaries"] == counts["completion_events"] == 1
    assert counts["attempts"] == 0
    with store.reader() as uow:
        assert uow.tracking.summaries_of(U1) == []
        assert len(uow.tracking.records_of_users([U2])) == 1
