"""The reconciliation's spill: items come back per partition, in the order added, replaced when
asked, and the folder goes away on close; any record survives its flat form."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.model import ConsumptionRecord, Provenance, ProvenanceKind, RecordKey, Status
from tracklog.services.jobs.kinds import reconcile
from tracklog.services.jobs.kinds.partition_spill import BUFFERED, PartitionSpill


def record(user: str, content: str) -> tuple[object, ...]:
    return (user, "c1", "k1", content, 1, None, 40, {"position": [1, 2.5, None]}, True)


def test_items_come_back_by_partition_in_the_order_added_and_can_be_replaced() -> None:
    spill = PartitionSpill(4)
    items = [record(f"u{n}", f"a{n}") for n in range(10)]
    for n, item in enumerate(items):
        spill.add(n % 3, item)
    assert list(spill.read(0)) == items[0::3]
    assert list(spill.read(1)) == items[1::3]
    assert list(spill.read(3)) == []  # nothing was added there
    spill.add(0, items[1])  # after a read, adding appends
    assert list(spill.read(0)) == [*items[0::3], items[1]]
    spill.replace(1, [items[9]])
    assert list(spill.read(1)) == [items[9]]
    folder = spill.folder
    spill.close()
    assert not folder.exists()


def test_more_items_than_a_buffer_holds_come_back_whole_and_in_order() -> None:
    spill = PartitionSpill(2)
    items = [record(f"u{n}", "a") for n in range(BUFFERED * 2 + 7)]
    for item in items:
        spill.add(1, item)
    assert list(spill.read(1)) == items
    spill.replace(1, items[:3])
    assert list(spill.read(1)) == items[:3]
    spill.close()


def test_a_partition_outside_the_range_is_refused() -> None:
    spill = PartitionSpill(2)
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        spill.add(2, "x")
    spill.close()


ids = st.text(min_size=1, max_size=8)
optional_ms = st.none() | st.integers(0, 2**53)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.floats(allow_nan=False) | ids,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ids, inner, max_size=3),
    max_leaves=6,
)
record_keys = st.builds(RecordKey, ids, ids, ids, ids)
provenances = st.just(Provenance.direct()) | st.builds(
    Provenance, st.sampled_from(ProvenanceKind), st.none() | record_keys, st.none() | ids,
    optional_ms,
)  # fmt: skip
consumption_records = st.builds(
    ConsumptionRecord,
    key=record_keys,
    status=st.sampled_from(Status),
    progress=st.integers(0, 100),
    progress_details=st.none() | st.dictionaries(ids, json_values, max_size=3),
    progress_details_ts=optional_ms,
    progress_details_event=ids,
    start_count=st.integers(0, 10**6),
    completed_count=st.integers(0, 10**6),
    event_count=st.integers(0, 10**6),
    first_access_ts=optional_ms,
    last_access_ts=optional_ms,
    first_completed_ts=optional_ms,
    last_completed_ts=optional_ms,
    provenance=provenances,
    legacy_view_count=st.integers(0, 10**6),
    legacy_completed_count=st.integers(0, 10**6),
    legacy=st.booleans(),
)


@given(st.lists(consumption_records, max_size=5))
def test_any_record_comes_back_from_the_spill_as_it_went_in(
    records: list[ConsumptionRecord],
) -> None:
    spill = PartitionSpill(1)
    for item in records:
        spill.add(0, reconcile._flat(item))
    assert [reconcile._record(flat) for flat in spill.read(0)] == records
    spill.close()


def test_the_partitions_grow_with_the_source_so_the_one_in_memory_stays_small() -> None:
    assert reconcile.partitions_for(0) == reconcile.partitions_for(1_000_000) == 64
    assert reconcile.partitions_for(10_000_000) == 400
    assert reconcile.partitions_for(10**12) == reconcile.MAX_PARTITIONS
    spill = PartitionSpill(400)
    assert {spill.partition_of(f"u{n}") for n in range(20_000)} == set(range(400))
    spill.close()


def test_a_spill_absorbs_what_another_wrote_to_its_folder(tmp_path: Path) -> None:
    """A helper process spills its share into a folder the job owns; the job's spill then
    holds both, partition by partition, and the helper's folder is left to its owner."""
    mine, theirs = PartitionSpill(3), PartitionSpill(3, tmp_path)
    items = [record(f"u{n}", "a") for n in range(BUFFERED + 11)]
    for n, item in enumerate(items):
        (mine if n % 2 else theirs).add(n % 3, item)
    theirs.flush()
    theirs.close()
    assert tmp_path.exists()  # not its own folder: not removed
    mine.absorb(tmp_path)
    for partition in range(3):
        got = list(mine.read(partition))
        assert sorted(map(repr, got)) == sorted(map(repr, items[partition::3]))
    mine.close()
