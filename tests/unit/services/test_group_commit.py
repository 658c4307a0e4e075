"""Group commit on in-memory ports: commands written together give exactly what they give one after
the other (records, attempts, journal, outbox, each command's results), whatever the grouping;
one failing command does not fail the others of its group."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklog.domain.ingest import Outcome, TrackEvent
from tracklog.domain.model import EventType, Question, Source
from tracklog.domain.modes import Mode
from tracklog.services import ingest, registry
from tracklog.services.commands import Enrol, PutCollection, RecordEvents
from tracklog.services.deps import Deps
from tracklog.services.group_commit import GroupCommit
from tracklog.services.registry import CollectionLookup
from tracklog.testing.fakes import T0, memory_deps
from tracklog.testing.memory_store import MemoryStore

USERS = ("u1", "u2", "u3")
CONTENTS = ("a", "b", "quiz")


@st.composite
def events(draw: st.DrawFn) -> TrackEvent:
    kind = draw(
        st.sampled_from([EventType.START, EventType.UPDATE, EventType.END, EventType.ASSESS])
    )
    content = draw(st.sampled_from(CONTENTS))
    ts = T0 - draw(st.integers(0, 50)) * 1000
    event_id = draw(st.none() | st.sampled_from([f"e{n}" for n in range(6)]))
    if kind is EventType.ASSESS:
        score = Decimal(draw(st.integers(0, 2)))
        question = Question("q1", score, Decimal(2))
        attempt = draw(st.sampled_from(["t1", "t2"]))
        return TrackEvent(
            kind, content, "c1", event_id=event_id, event_ts=ts, attempt_id=attempt,
            questions=(question,),
        )  # fmt: skip
    progress = draw(st.integers(0, 100)) if kind is EventType.UPDATE else None
    return TrackEvent(kind, content, "c1", event_id=event_id, event_ts=ts, progress=progress)


commands = st.lists(
    st.builds(
        lambda user, items: RecordEvents(user, tuple(items), Source.API),
        st.sampled_from(USERS),
        st.lists(events(), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=8,
)


def world(mode: Mode) -> Deps:
    deps = memory_deps(mode=mode)
    registry.put_collection(deps, "admin", PutCollection("c1", CONTENTS))
    registry.put_collection(deps, "admin", PutCollection("c2", ("a", "quiz")))
    for user in USERS:  # enrolments elsewhere: completions copy there in mode copy
        registry.enrol(deps, "admin", Enrol(user, "c2"))
    return deps


def state(deps: Deps) -> dict[str, Any]:
    store = deps.store
    assert isinstance(store, MemoryStore)
    tables = store.state.tables
    outbox = Counter(
        (r["user_id"], r["collection_id"], r["context_id"], r["content_id"], r["event_count"])
        for r in tables["outbox"].values()
    )
    return {
        "consumption": tables["consumption"],
        "attempts": tables["attempts"],
        "journal": tables["event_journal"],
        "outbox": outbox,  # the same triggers; their sequence numbers follow the write order
    }


def outcomes(results: list[ingest.EventResult]) -> list[tuple[Any, ...]]:
    return [(r.event_id, r.outcome, r.key, r.status, r.error and r.error.code) for r in results]


def in_groups(deps: Deps, batch: list[RecordEvents], cuts: list[int]) -> list[list[Any]]:
    collections = CollectionLookup(deps)
    answers: list[list[Any]] = []
    bounds = [0, *sorted(set(cuts)), len(batch)]
    for start, end in itertools.pairwise(bounds):
        group = batch[start:end]
        if not group:
            continue
        prepared = [(c.user_id, ingest.prepare_command(deps, collections, c, T0)) for c in group]
        with deps.store.unit_of_work() as uow:
            plans = ingest.ingest_learners(deps, uow, collections, prepared)
            uow.commit()
        answers += [outcomes(plan.results) for plan in plans]
    return answers


@settings(max_examples=150, deadline=None)
@given(
    batch=commands,
    cuts=st.lists(st.integers(0, 8), max_size=4),
    mode=st.sampled_from([Mode.STRICT, Mode.COPY, Mode.FULL_CARRY_FORWARD]),
)
def test_any_grouping_of_commands_gives_what_they_give_one_by_one(
    batch: list[RecordEvents], cuts: list[int], mode: Mode
) -> None:
    alone, grouped = world(mode), world(mode)
    one_by_one = [outcomes(ingest.record_events(alone, command)) for command in batch]
    assert in_groups(grouped, batch, cuts) == one_by_one
    assert state(grouped) == state(alone)


def test_a_learners_second_command_in_a_group_sees_the_first() -> None:
    deps = world(Mode.STRICT)
    first = TrackEvent(EventType.UPDATE, "a", "c1", event_id="e1", event_ts=T0, progress=30)
    conflicting = TrackEvent(EventType.UPDATE, "a", "c1", event_id="e1", event_ts=T0, progress=60)
    batch = [
        RecordEvents("u1", (first,)),
        RecordEvents("u2", (first,)),  # another learner may use the same id
        RecordEvents("u1", (first,)),
        RecordEvents("u1", (conflicting,)),
    ]
    answers = in_groups(deps, batch, [])
    assert [[row[1] for row in answer] for answer in answers] == [
        [Outcome.APPLIED],
        [Outcome.APPLIED],
        [Outcome.DUPLICATE],
        [Outcome.REJECTED],
    ]


def test_concurrent_requests_share_commits_and_each_gets_its_own_results() -> None:
    deps = world(Mode.STRICT)
    writer = GroupCommit(deps)
    barrier = threading.Barrier(12)
    futures: dict[int, Any] = {}

    def send(n: int) -> None:
        barrier.wait()
        event = TrackEvent(EventType.UPDATE, "a", "c1", event_id=f"e{n}", event_ts=T0, progress=n)
        futures[n] = writer.submit(RecordEvents(USERS[n % 3], (event,)))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        results = {n: future.result(timeout=10) for n, future in futures.items()}
    finally:
        writer.stop()
    assert {n: [(r.event_id, r.outcome) for r in rs] for n, rs in results.items()} == {
        n: [(f"e{n}", Outcome.APPLIED)] for n in range(12)
    }
    with deps.store.reader() as uow:
        records = uow.tracking.records_of_users(list(USERS))
    assert sorted(r.progress for r in records) == [9, 10, 11]  # the furthest of each learner


def test_a_command_that_fails_fails_alone_and_the_rest_of_its_group_is_written() -> None:
    deps = world(Mode.STRICT)
    writer = GroupCommit(deps)
    good = TrackEvent(EventType.UPDATE, "a", "c1", event_id="ok", event_ts=T0, progress=10)
    broken = RecordEvents("u2", (object(),))  # type: ignore[arg-type]  # a fault of ours
    gate = threading.Event()
    original = writer._write

    def held(group: Any) -> None:  # hold the writer so both commands queue into one group
        gate.wait(5)
        original(group)

    writer._write = held  # type: ignore[method-assign]
    first = writer.submit(RecordEvents("u9", (good,)))
    failed = writer.submit(broken)
    ok = writer.submit(RecordEvents("u1", (good,)))
    gate.set()
    try:
        assert [r.outcome for r in first.result(timeout=10)] == [Outcome.APPLIED]
        assert [r.outcome for r in ok.result(timeout=10)] == [Outcome.APPLIED]
        with pytest.raises(AttributeError):
            failed.result(timeout=10)
    finally:
        writer.stop()
    with deps.store.reader() as uow:
        assert {r.key.user_id for r in uow.tracking.records_of_users(["u1", "u2", "u9"])} == {
            "u1",
            "u9",
        }


def test_requests_on_an_event_loop_share_commits_and_each_gets_its_own_results() -> None:
    deps = world(Mode.STRICT)
    writer = GroupCommit(deps)

    async def send_all() -> list[list[ingest.EventResult]]:
        sends = [
            writer.record(
                RecordEvents(
                    USERS[n % 3],
                    (TrackEvent(EventType.UPDATE, "a", "c1", event_id=f"e{n}", event_ts=T0),),
                )
            )
            for n in range(40)
        ]
        return await asyncio.wait_for(asyncio.gather(*sends), 10)

    try:
        results = asyncio.run(send_all())
    finally:
        writer.stop()
    assert [[(r.event_id, r.outcome) for r in rs] for rs in results] == [
        [(f"e{n}", Outcome.APPLIED)] for n in range(40)
    ]


def test_a_request_that_goes_away_while_its_group_is_written_leaves_the_writer_running() -> None:
    """Its write is still made (it was queued); the next requests are answered as ever."""
    deps = world(Mode.STRICT)
    writer = GroupCommit(deps)
    gate = threading.Event()
    original = writer._write

    def held(group: Any) -> None:
        gate.wait(5)
        original(group)

    writer._write = held  # type: ignore[method-assign]
    first = TrackEvent(EventType.UPDATE, "a", "c1", event_id="gone", event_ts=T0, progress=5)
    later = TrackEvent(EventType.UPDATE, "a", "c1", event_id="later", event_ts=T0, progress=7)

    async def scenario() -> list[ingest.EventResult]:
        leaving = asyncio.ensure_future(writer.record(RecordEvents("u1", (first,))))
        await asyncio.sleep(0.05)  # queued, the writer held
        leaving.cancel()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await leaving
        return await asyncio.wait_for(writer.record(RecordEvents("u2", (later,))), 10)

    try:
        answered = asyncio.run(scenario())
    finally:
        writer.stop()
    assert [(r.event_id, r.outcome) for r in answered] == [("later", Outcome.APPLIED)]
    with deps.store.reader() as uow:
        written = uow.tracking.records_of_users(["u1", "u2"])
    assert sorted((r.key.user_id, r.progress) for r in written) == [("u1", 5), ("u2", 7)]
