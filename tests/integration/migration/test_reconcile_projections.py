"""The reconciliation compares projections read as plain values on both sides: what the store
returns for a record, and what the reconcile job takes from its spilled source, must be exactly
the domain's projection of that record, or clean segments would read as different (or worse,
different ones as clean)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklog.bootstrap import Tracklog
from tracklog.domain.model import (
    DIRECT,
    ConsumptionRecord,
    Provenance,
    ProvenanceKind,
    RecordKey,
    Status,
)
from tracklog.domain.reconcile import key_values, projection
from tracklog.services.jobs.kinds.reconcile import _PROJECTED, _flat, _record

times = st.none() | st.integers(0, 2**42)
_learners = itertools.count()
counts = st.integers(0, 10_000)


@st.composite
def records(draw: st.DrawFn) -> ConsumptionRecord:
    content = draw(st.text("abcxyz_-", min_size=1, max_size=12))
    copied = draw(st.booleans())
    source = RecordKey("u0", "c0", "c0", "elsewhere")
    return ConsumptionRecord(
        RecordKey(draw(st.sampled_from(["u1", "u2"])), "c1", "b1", content),
        status=draw(st.sampled_from(list(Status))),
        progress=draw(st.integers(0, 100)),
        progress_details=draw(st.none() | st.just({"position": 3})),
        start_count=draw(counts),
        completed_count=draw(counts),
        event_count=draw(counts),
        first_access_ts=draw(times),
        last_access_ts=draw(times),
        first_completed_ts=draw(times),
        last_completed_ts=draw(times),
        provenance=Provenance(ProvenanceKind.COPIED, source, "rule", 5) if copied else DIRECT,
        legacy_view_count=draw(counts),
        legacy_completed_count=draw(counts),
        legacy=draw(st.booleans()),
    )


@given(st.lists(records(), min_size=1, max_size=8, unique_by=lambda r: r.key))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_stored_record_projects_as_the_domain_projects_it(
    tracklog: Tracklog, drawn: list[ConsumptionRecord]
) -> None:
    learner = f"learner-{next(_learners)}"  # each example its own learners: nothing to clean up
    stored = [replace(r, key=replace(r.key, user_id=f"{learner}-{r.key.user_id}")) for r in drawn]
    users = sorted({r.key.user_id for r in stored})
    store = tracklog.deps.store
    with store.unit_of_work() as uow:
        uow.tracking.put_records(stored)
        uow.commit()
    with store.reader() as uow:
        rows = uow.tracking.record_projections_of_users(users)
    assert sorted(tuple(row) for row in rows) == sorted(
        (*key_values(r.key), *projection(r), r.legacy) for r in stored
    )


@given(records())
def test_a_spilled_source_record_projects_and_reads_back_as_itself(
    record: ConsumptionRecord,
) -> None:
    flat = _flat(record)
    assert flat[:4] == key_values(record.key)
    assert _PROJECTED(flat) == projection(record)
    assert _record(flat) == record
