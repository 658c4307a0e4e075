"""The shared event counts and the monitor's samples behave the same on every store."""

from __future__ import annotations

from tracklog.domain.alerts import PipelineSample
from tracklog.domain.event_counts import BUCKET_MS, CountKey
from tracklog.services.ports import Store

B0 = 1_790_000_100_000 - 1_790_000_100_000 % BUCKET_MS


def key(bucket: int, outcome: str = "applied", module: str = "Resource") -> CountKey:
    return CountKey(B0 + bucket * BUCKET_MS, outcome, "", "update", module, "api")


def test_tallies_from_several_processes_add_up_per_bucket_and_label_set(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.counts.add({key(0): 3, key(1): 1, key(1, "rejected"): 2})
        uow.commit()
    with store.unit_of_work() as uow:  # another process's tally, overlapping
        uow.counts.add({key(1): 4, key(2, module="Video"): 5})
        uow.commit()
    with store.reader() as uow:
        assert sorted(uow.counts.counts(B0)) == sorted(
            [(key(0), 3), (key(1), 5), (key(1, "rejected"), 2), (key(2, module="Video"), 5)]
        )
        assert uow.counts.counts(B0 + BUCKET_MS, B0 + 2 * BUCKET_MS, outcome="applied") == [
            (key(1), 5)
        ]
        assert uow.counts.totals(B0 + BUCKET_MS) == {"applied": 10, "rejected": 2}


def test_old_buckets_are_pruned_and_an_uncommitted_tally_is_not_counted(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.counts.add({key(0): 1, key(5): 1})
        uow.commit()
    with store.unit_of_work() as uow:
        uow.counts.add({key(5): 100})  # rolled back: never committed
    with store.unit_of_work() as uow:
        assert uow.counts.prune(B0 + BUCKET_MS) == 1
        uow.commit()
    with store.reader() as uow:
        assert uow.counts.counts(0) == [(key(5), 1)]


def test_the_monitor_keeps_its_newest_samples_oldest_first(store: Store) -> None:
    samples = [PipelineSample(1000 * n, n * 10, n / 4, n % 2) for n in range(1, 8)]
    for sample in samples:
        with store.unit_of_work() as uow:
            uow.counts.add_sample(sample, keep=5)
            uow.commit()
    with store.reader() as uow:
        assert uow.counts.recent_samples(3) == samples[-3:]
        assert uow.counts.recent_samples(10) == samples[-5:]
