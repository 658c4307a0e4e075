"""A consumption row's snapshot: the record it becomes, by field name, and the plain values the
reconciliation spills without building that record."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.legacy import LegacyConsumption
from tracklog.domain.legacy_import import (
    LEGACY_DETAILS_EVENT,
    consumption_snapshot,
    consumption_snapshot_values,
)
from tracklog.domain.model import (
    DIRECT,
    Provenance,
    ProvenanceKind,
    RecordKey,
    RequestedKey,
    Status,
)
from tracklog.domain.modes import Mode, resolve_write
from tracklog.services.jobs.kinds.reconcile import _flat, _flat_snapshot, _record

ids = st.sampled_from(["u1", "do_1", "do_c1", "b1", "b2"])
times = st.none() | st.integers(min_value=0, max_value=2_000_000_000_000)
rows = st.builds(
    LegacyConsumption,
    user_id=ids,
    course_id=ids,
    batch_id=ids,
    content_id=ids,
    status=st.integers(min_value=0, max_value=2),
    progress=st.none() | st.integers(min_value=0, max_value=100),
    view_count=st.integers(min_value=0, max_value=50),
    completed_count=st.integers(min_value=0, max_value=50),
    last_access_ts=times,
    last_completed_ts=times,
    last_updated_ts=times,
    progress_details=st.none() | st.just({"position": 12}),
)


@given(st.sampled_from(Mode), rows)
def test_a_snapshot_is_the_legacy_row_lifted_into_a_record(
    mode: Mode, row: LegacyConsumption
) -> None:
    record = consumption_snapshot(mode, row)

    completed = row.status == 2
    done = (
        (row.last_completed_ts or row.last_access_ts or row.last_updated_ts) if completed else None
    )
    access = row.last_access_ts or done
    assert record.key == resolve_write(
        mode, row.user_id, RequestedKey(row.content_id, row.course_id, row.batch_id)
    )
    assert record.status is Status(row.status)
    assert record.progress == (100 if completed else (row.progress or 0))
    assert record.progress_details == row.progress_details
    if row.progress_details is None:
        assert (record.progress_details_ts, record.progress_details_event) == (None, "")
    else:
        details_ts = row.last_updated_ts or row.last_access_ts or 0
        assert (record.progress_details_ts, record.progress_details_event) == (
            details_ts,
            LEGACY_DETAILS_EVENT,
        )
    assert (record.first_access_ts, record.last_access_ts) == (access, access)
    assert (record.first_completed_ts, record.last_completed_ts) == (done, done)
    assert (record.start_count, record.completed_count, record.event_count) == (0, 0, 0)
    assert record.legacy_view_count == row.view_count
    assert record.legacy_completed_count == (row.completed_count if completed else 0)
    assert record.legacy is True
    assert record.provenance == DIRECT


@given(st.sampled_from(Mode), rows)
def test_the_spilled_values_are_those_of_the_record(mode: Mode, row: LegacyConsumption) -> None:
    spilled = _flat_snapshot(consumption_snapshot_values(mode, row))

    assert spilled == _flat(consumption_snapshot(mode, row))


@given(st.sampled_from(Mode), rows, st.booleans())
def test_a_spilled_record_comes_back_as_it_was(
    mode: Mode, row: LegacyConsumption, copied: bool
) -> None:
    record = consumption_snapshot(mode, row)
    if copied:  # a record with its own provenance, as a folded or copied one may have
        source = RecordKey("u1", "do_c0", "b0", record.key.content_id)
        record = replace(record, provenance=Provenance(ProvenanceKind.COPIED, source, "rule", 7))

    assert _record(_flat(record)) == record
