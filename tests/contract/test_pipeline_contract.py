"""The journal, the outbox and the dead letters behave the same on every store."""

from __future__ import annotations

from tracklog.adapters.clock import ManualClock
from tracklog.domain.model import RecordKey
from tracklog.domain.pipeline import JournalEntry, NewTrigger, partition_of
from tracklog.services.ports import Store


def entry(user: str, event_id: str, event_ts: int, module: str | None = "Resource") -> JournalEntry:
    return JournalEntry(
        user,
        event_id,
        f"h-{event_id}",
        "update",
        "c1",
        "k1",
        "a",
        module,
        "api",
        event_ts,
        5000 + event_ts,
    )


def trigger(user: str, created: int, content: str = "a") -> NewTrigger:
    return NewTrigger(user, "c1", "k1", content, created, 1)


def test_the_journal_knows_applied_ids_per_learner(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.journal.add([entry("u1", "e1", 1), entry("u1", "e2", 2), entry("u2", "e1", 3)])
        uow.commit()
    with store.reader() as uow:
        assert uow.journal.known("u1", ["e1", "e2", "e9"]) == {"e1": "h-e1", "e2": "h-e2"}
        assert uow.journal.known("u3", ["e1"]) == {}
        # several learners at once: a user's id is not known for another who used it too
        assert uow.journal.known_of_users({"u1": ["e1", "e9"], "u2": ["e1", "e2"], "u3": []}) == {
            "u1": {"e1": "h-e1"},
            "u2": {"e1": "h-e1"},
            "u3": {},
        }


def test_events_at_a_key_are_oldest_first_and_limited_to_the_newest(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.journal.add([entry("u1", f"e{n}", n) for n in range(1, 6)])
        uow.commit()
    with store.reader() as uow:
        events = uow.journal.events_at(RecordKey("u1", "c1", "k1", "a"), limit=3)
    assert [e.event_id for e in events] == ["e3", "e4", "e5"]


def test_volume_per_module_type_counts_what_was_ingested_since(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.journal.add(
            [
                entry("u1", "e1", 1, "ILT"),
                entry("u1", "e2", 100, "ILT"),
                entry("u1", "e3", 100, None),
            ]
        )
        uow.commit()
    with store.reader() as uow:
        assert uow.journal.counts_by_module_type(5000 + 50) == {"ILT": 1, "unknown": 1}


def test_outbox_triggers_are_claimed_oldest_first_by_partition(store: Store) -> None:
    users = [f"user-{n}" for n in range(6)]
    with store.unit_of_work() as uow:
        uow.outbox.add([trigger(u, 100 + i) for i, u in enumerate(users)])
        uow.commit()
    with store.unit_of_work() as uow:
        everything = uow.outbox.claim(None, 10)
        mine = uow.outbox.claim([partition_of("user-3")], 10)
        first_two = uow.outbox.claim(None, 2)
    assert [t.user_id for t in everything] == users
    assert [t.seq for t in everything] == sorted(t.seq for t in everything)
    assert "user-3" in {t.user_id for t in mine}
    assert all(t.partition == partition_of("user-3") for t in mine)
    assert first_two == everything[:2]
    assert everything[0].attempts == 0
    assert everything[0].relayed_ts is None


def test_relaying_failing_and_removing_triggers(store: Store, clock: ManualClock) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add([trigger("u1", 1), trigger("u2", 2)])
        uow.commit()
    with store.unit_of_work() as uow:
        first, second = uow.outbox.claim_for_relay(10, None)
        uow.outbox.mark_relayed([first.seq])
        uow.commit()
    with store.unit_of_work() as uow:
        assert [t.seq for t in uow.outbox.claim_for_relay(10, None)] == [second.seq]
        assert len(uow.outbox.claim_for_relay(10, clock.now_ms() + 1)) == 2
        uow.outbox.record_failure([first.seq], "boom" * 1000)
        uow.commit()
    with store.unit_of_work() as uow:
        [failed] = uow.outbox.claim_seqs([first.seq, 999_999])
        assert (failed.attempts, failed.relayed_ts, len(failed.last_error or "")) == (1, None, 2000)
        assert uow.outbox.has_pending_for("u2")
        assert not uow.outbox.has_pending_for("u9")
        assert uow.outbox.backlog() == (2, 1)
        uow.outbox.remove([first.seq, second.seq])
        uow.commit()
    with store.reader() as uow:
        assert uow.outbox.backlog() == (0, None)


def test_a_dead_letter_leaves_the_outbox_and_is_taken_back_by_id(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.outbox.add([trigger("u1", 1), trigger("u2", 2)])
        uow.commit()
    with store.unit_of_work() as uow:
        first, second = uow.outbox.claim(None, 10)
        uow.dead_letters.add(first, "KeyError: 'x'")
        uow.dead_letters.add(second, "ValueError")
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.outbox.backlog()[0] == 0
        letters = uow.dead_letters.oldest()
        assert [(d.user_id, d.error, d.attempts) for d in letters] == [
            ("u1", "KeyError: 'x'", 1),
            ("u2", "ValueError", 1),
        ]
        assert uow.dead_letters.count() == 2
        assert [d.user_id for d in uow.dead_letters.take([letters[1].id, 424242])] == ["u2"]
        assert [d.user_id for d in uow.dead_letters.take(None)] == ["u1"]
        uow.commit()
    with store.reader() as uow:
        assert uow.dead_letters.count() == 0
