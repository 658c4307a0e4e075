"""The reconciliation's spill: items come back per partition, in the order added, replaced when
asked, and the folder goes away on close."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracklog.domain.model import ConsumptionRecord, RecordKey, Status
from tracklog.services.jobs.kinds.partition_spill import PartitionSpill


def record(user: str, content: str) -> ConsumptionRecord:
    key = RecordKey(user, "c1", "k1", content)
    return ConsumptionRecord(key=key, status=Status.IN_PROGRESS, progress=40)


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
    folder = Path(spill._folder.name)
    spill.close()
    assert not folder.exists()


def test_a_partition_outside_the_range_is_refused() -> None:
    spill = PartitionSpill(2)
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        spill.add(2, "x")
    spill.close()
