"""The registry, the audit log, stamps and the jobs bookkeeping, on every store."""

from __future__ import annotations

from tracklog.domain.model import Collection, Context, ContextType, Enrolment, EnrolmentKey
from tracklog.services.ports import Store


def test_the_latest_collection_version_is_current(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.registry.add_collection_version(Collection("c1", 1, ("a", "b")))
        uow.registry.add_collection_version(
            Collection("c1", 2, ("a", "b", "c"), frozenset({"c"}), "Maths", "Course", {"a": "ILT"})
        )
        uow.commit()
    with store.reader() as uow:
        current = uow.registry.collection("c1")
        assert uow.registry.collection("nope") is None
    assert current == Collection(
        "c1", 2, ("a", "b", "c"), frozenset({"c"}), "Maths", "Course", {"a": "ILT"}
    )


def test_a_collection_and_an_enrolment_read_together_as_each_alone(store: Store) -> None:
    """What a read asks first (one statement on a SQL store): the latest collection version and
    the enrolment, each ``None`` when there is none, whichever of the two exists."""
    enrolled, moved = EnrolmentKey("u1", "c1", "c1"), EnrolmentKey("u1", "c1", "k1")
    with store.unit_of_work() as uow:
        uow.registry.add_collection_version(Collection("c1", 1, ("a",)))
        uow.registry.add_collection_version(Collection("c1", 2, ("a", "b")))
        uow.registry.put_enrolment(Enrolment(enrolled, 100))
        uow.registry.put_enrolment(Enrolment(moved, 200))
        uow.registry.point_enrolments(moved, "k2")
        uow.registry.put_enrolment(Enrolment(EnrolmentKey("u1", "c9", "c9"), 300))
        uow.commit()
    asked = [
        enrolled,
        moved,
        EnrolmentKey("u2", "c1", "c1"),  # a collection, no enrolment
        EnrolmentKey("u1", "c9", "c9"),  # an enrolment in an unknown collection
        EnrolmentKey("u9", "c8", "c8"),  # neither
    ]
    with store.reader() as uow:
        r = uow.registry
        together = [r.collection_and_enrolment(key) for key in asked]
        alone = [(r.collection(key.collection_id), r.enrolment(key)) for key in asked]
    assert together == alone
    assert together[0] == (Collection("c1", 2, ("a", "b")), Enrolment(enrolled, 100))
    assert together[1][1] == Enrolment(moved, 200, active=True, moved_to="k2")
    assert together[2] == (Collection("c1", 2, ("a", "b")), None)
    assert together[3] == (None, Enrolment(EnrolmentKey("u1", "c9", "c9"), 300))
    assert together[4] == (None, None)


def test_contexts_are_replaced_when_put_again(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.registry.put_context(Context("b1", ContextType.BATCH, ("c1",), 10, 20))
        uow.registry.put_context(Context("b1", ContextType.BATCH, ("c1", "c2"), 10, None))
        uow.commit()
    with store.reader() as uow:
        assert uow.registry.context("b1") == Context(
            "b1", ContextType.BATCH, ("c1", "c2"), 10, None
        )
        assert uow.registry.context("b9") is None


def test_enrolments_by_learner_collection_and_moves(store: Store) -> None:
    k1, k2 = EnrolmentKey("u1", "c1", "k1"), EnrolmentKey("u1", "c1", "k2")
    with store.unit_of_work() as uow:
        for key in (k2, k1, EnrolmentKey("u1", "c2", "c2"), EnrolmentKey("u2", "c1", "k1")):
            uow.registry.put_enrolment(Enrolment(key, 100))
        assert uow.registry.deactivate_enrolment(EnrolmentKey("u1", "c2", "c2"))
        assert not uow.registry.deactivate_enrolment(EnrolmentKey("u9", "c2", "c2"))
        uow.registry.point_enrolments(k1, "k2")
        uow.commit()
    with store.reader() as uow:
        r = uow.registry
        assert [e.key for e in r.enrolments_of("u1")] == [k1, k2]
        assert len(r.enrolments_of("u1", active_only=False)) == 3
        assert {e.key.user_id for e in r.enrolments_in_collection("c1")} == {"u1", "u2"}
        assert r.moved_enrolments("u1") == {("c1", "k1"): "k2"}
        assert r.moved_enrolments_of(["u2", "u1"]) == {"u1": {("c1", "k1"): "k2"}, "u2": {}}
        assert r.enrolment(k2) == Enrolment(k2, 100, active=True, moved_to=None)
        assert len(r.enrolments_of_users(["u1", "u2"])) == 4


def test_audit_entries_newest_first_and_stamps(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.registry.audit("ada", "first", {"id": 1})
        uow.registry.audit("ada", "second", {"id": 2}, {"n": 2})
        uow.registry.set_stamp("probe", "strict")
        uow.registry.set_stamp("probe", "copy")
        uow.commit()
    with store.reader() as uow:
        entries = uow.registry.audit_entries(10)
        assert [(e["action"], e["target"], e["details"]) for e in entries] == [
            ("second", {"id": 2}, {"n": 2}),
            ("first", {"id": 1}, None),
        ]
        assert uow.registry.stamp("probe") == "copy"
        assert uow.registry.stamp("never-set") is None


def _job(kind: str, state: str = "pending") -> dict[str, object]:
    return {
        "kind": kind,
        "args": {"collection": "c1"},
        "state": state,
        "abort_requested": False,
        "actor": "ada",
        "host": "h",
        "pid": 1,
        "environment": "development",
        "batch_size": 10,
        "max_rate": None,
        "rows_total": 5,
        "changes": {},
    }


def test_jobs_are_recorded_updated_listed_and_aborted(store: Store) -> None:
    with store.unit_of_work() as uow:
        first = uow.jobs.create(_job("resync"))
        second = uow.jobs.create(_job("purge", "running"))
        uow.jobs.update(first, state="finished", rows_done=5, report={"clean": True})
        assert uow.jobs.request_abort(second)
        assert not uow.jobs.request_abort(999)
        uow.commit()
    with store.reader() as uow:
        job = uow.jobs.get(first)
        assert job is not None
        assert (job.kind, job.state, job.rows_done, job.report) == (
            "resync",
            "finished",
            5,
            {"clean": True},
        )
        assert uow.jobs.get(999) is None
        assert [j.id for j in uow.jobs.recent(10)] == [second, first]
        assert [j.id for j in uow.jobs.recent(10, states=["running"])] == [second]
        assert uow.jobs.abort_requested(second)
        assert not uow.jobs.abort_requested(first)


def test_job_journal_images_are_kept_per_batch(store: Store) -> None:
    image = {"table": "summaries", "key": ["u1", "c1", "c1"], "before": None}
    with store.unit_of_work() as uow:
        job = uow.jobs.create(_job("resync"))
        uow.jobs.add_batch(job, 0, ["u1"], 1, 1)
        uow.jobs.add_images(job, 0, [image])
        uow.jobs.extend_images(job, 0, [{**image, "key": ["u2", "c1", "c1"]}])
        uow.commit()
    with store.reader() as uow:
        assert [i["key"] for i in uow.jobs.images(job, 0)] == [
            ["u1", "c1", "c1"],
            ["u2", "c1", "c1"],
        ]
        assert uow.jobs.images(job, 1) == []


def test_a_collection_reads_as_its_latest_version_every_time(store: Store) -> None:
    """Decoded versions are remembered (versions are never rewritten); a new version, or a
    version number written again after its row was removed, is read afresh."""
    first = Collection("c9", 1, ("a", "b"))
    with store.unit_of_work() as uow:
        uow.registry.add_collection_version(first)
        uow.commit()
    with store.reader() as uow:
        assert uow.registry.collection("c9") == first
    second = Collection("c9", 2, ("a", "b", "c"))
    with store.unit_of_work() as uow:
        uow.registry.add_collection_version(second)
        uow.commit()
    with store.reader() as uow:
        assert uow.registry.collection("c9") == second
        assert uow.registry.collection("nope") is None
