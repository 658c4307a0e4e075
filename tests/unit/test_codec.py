"""A stored record reads back as the record that was stored, whatever its provenance."""

import pytest

from tracklog.adapters.store import codec
from tracklog.domain.model import (
    DIRECT,
    ConsumptionRecord,
    Provenance,
    ProvenanceKind,
    RecordKey,
    Status,
)

KEY = RecordKey("u1", "course-1", "batch-1", "do_1")
SOURCE = RecordKey("u1", "course-0", "batch-0", "do_1")


def stored_values(record: ConsumptionRecord) -> list[object]:
    row = codec.record_to_row(record, now_ts=1)
    return [row[name] for name in codec.RECORD_COLUMNS]


@pytest.mark.parametrize(
    "provenance",
    [DIRECT, Provenance(ProvenanceKind.COPIED, SOURCE, "carry-forward", 1_700_000_000_000)],
    ids=["direct", "copied"],
)
def test_a_record_reads_back_field_for_field(provenance: Provenance) -> None:
    record = ConsumptionRecord(
        key=KEY,
        status=Status.COMPLETED,
        progress=100,
        progress_details={"position": 12},
        progress_details_ts=5,
        progress_details_event="e1",
        start_count=2,
        completed_count=1,
        event_count=4,
        first_access_ts=1,
        last_access_ts=2,
        first_completed_ts=3,
        last_completed_ts=4,
        provenance=provenance,
        legacy_view_count=7,
        legacy_completed_count=1,
        legacy=True,
    )
    assert codec.record_from_values(stored_values(record)) == record


def test_a_direct_provenance_written_out_in_full_is_direct() -> None:
    values = stored_values(ConsumptionRecord(key=KEY))
    values[codec.RECORD_COLUMNS.index("provenance")] = {"kind": "direct"}
    assert codec.record_from_values(values).provenance is DIRECT
