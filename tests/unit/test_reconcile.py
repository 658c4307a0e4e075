"""Reconciliation: a source record is reconciled when merging it into Tracklog changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.merge import combine, record_from_event
from tracklog.domain.model import ConsumptionRecord, EventType, RecordKey, Status, TrackingEvent
from tracklog.domain.reconcile import (
    LAST_ACCESS_AT,
    KeyValues,
    Projection,
    Reconciliation,
    Segment,
    Verdict,
    day_of,
    key_values,
    projection,
    reconcile_partition,
    verdict,
)

TYPES = ("ILT", "Quest", "Course")


def module_of(key: RecordKey) -> str:
    return TYPES[int(key.content_id[1:]) % len(TYPES)]


def segment(key: RecordKey, record: ConsumptionRecord) -> Segment:
    return Segment(module_of(key), day_of(record.last_access_ts))


@st.composite
def sources(draw: st.DrawFn) -> dict[RecordKey, ConsumptionRecord]:
    count = draw(st.integers(1, 25))
    records: dict[RecordKey, ConsumptionRecord] = {}
    for n in range(count):
        key = RecordKey(f"u{n % 4}", "c1", "b1", f"x{n}")
        status = draw(st.sampled_from(list(Status)))
        ts = draw(st.integers(1_700_000_000_000, 1_700_400_000_000))
        done = ts if status == Status.COMPLETED else None
        records[key] = ConsumptionRecord(
            key,
            status=status,
            progress=100 if done else draw(st.integers(0, 99)),
            first_access_ts=ts,
            last_access_ts=ts,
            first_completed_ts=done,
            last_completed_ts=done,
            legacy_view_count=draw(st.integers(0, 4)),
            legacy_completed_count=1 if done else 0,
            legacy=True,
        )
    return records


def run(
    source: dict[RecordKey, ConsumptionRecord],
    target: dict[RecordKey, ConsumptionRecord],
    asked: list[KeyValues] | None = None,
) -> Reconciliation:
    """The partition as the job kind hands it over: projections, and records on request only
    (the keys asked for are added to ``asked``)."""
    result = Reconciliation()
    checked = {key_values(k): (projection(r), segment(k, r)) for k, r in source.items()}
    projected = {key_values(k): (projection(r), r.legacy) for k, r in target.items()}
    asked = [] if asked is None else asked

    def segment_of(key: KeyValues, values: Projection) -> Segment:
        return Segment(module_of(RecordKey(*key)), day_of(values[LAST_ACCESS_AT]))

    def records_at(
        keys: Sequence[KeyValues],
    ) -> tuple[dict[KeyValues, ConsumptionRecord], dict[KeyValues, ConsumptionRecord]]:
        asked.extend(keys)
        return (
            {k: source[RecordKey(*k)] for k in keys},
            {k: target[RecordKey(*k)] for k in keys if RecordKey(*k) in target},
        )

    reconcile_partition(checked, projected, segment_of, records_at, result)
    differing = {d["key"]["contentId"] for d in result.differences if d["kind"] != "extra"}
    assert differing <= {k[3] for k in asked}  # a record-by-record look only where sums differ
    return result


def record_by_record(
    source: dict[RecordKey, ConsumptionRecord], target: dict[RecordKey, ConsumptionRecord]
) -> dict[str, dict[str, int]]:
    """The same classification without any checksum shortcut."""
    result = Reconciliation()
    for key, record in source.items():
        result.record(verdict(target.get(key), record), key, module_of(key), "d")
    for key in set(target) - set(source):
        if target[key].legacy:
            result.record(Verdict.EXTRA, key, module_of(key), "d")
    return {name: counts.as_json() for name, counts in sorted(result.module_types.items())}


@given(sources())
def test_a_source_imported_into_tracklog_reconciles_clean(
    source: dict[RecordKey, ConsumptionRecord],
) -> None:
    result = run(source, dict(source))
    assert result.clean
    assert sum(c.found for c in result.module_types.values()) == len(source)


@given(sources(), st.data())
def test_live_progress_after_the_import_is_not_a_mismatch(
    source: dict[RecordKey, ConsumptionRecord], data: st.DataObject
) -> None:
    target = dict(source)
    for key in data.draw(st.lists(st.sampled_from(sorted(source)), max_size=5, unique=True)):
        end = TrackingEvent(f"live-{key.content_id}", EventType.END, key, 1_800_000_000_000)
        target[key] = combine(target[key], record_from_event(end))
    assert run(source, target).clean


@given(sources(), st.data())
def test_missing_different_and_extra_records_are_named_and_counted(
    source: dict[RecordKey, ConsumptionRecord], data: st.DataObject
) -> None:
    keys = sorted(source)
    gone = set(data.draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)))
    target = {k: r for k, r in source.items() if k not in gone}
    behind = [k for k in target if target[k].legacy_view_count > 0][:2]
    for key in behind:
        target[key] = replace(target[key], legacy_view_count=0)
    extra = RecordKey("u9", "c1", "b1", "x999")
    target[extra] = replace(next(iter(source.values())), key=extra)
    result = run(source, target)
    totals = {
        v: sum(getattr(c, v) for c in result.module_types.values())
        for v in ("missing", "different", "extra")
    }
    assert totals == {"missing": len(gone), "different": len(behind), "extra": 1}
    kinds = {(d["key"]["contentId"], d["kind"]) for d in result.differences}
    assert {(k.content_id, "missing") for k in gone} <= kinds
    assert ("x999", "extra") in kinds
    assert not result.clean


@given(sources(), st.data())
def test_the_checksum_shortcut_never_changes_the_outcome(
    source: dict[RecordKey, ConsumptionRecord], data: st.DataObject
) -> None:
    keys = sorted(source)
    target = {k: r for k, r in source.items() if data.draw(st.booleans()) or k == keys[0]}
    for key in data.draw(st.lists(st.sampled_from(sorted(target)), max_size=3, unique=True)):
        target[key] = replace(
            target[key], progress=max(0, target[key].progress - 1), status=Status.NOT_STARTED
        )
    assert run(source, target).as_json()["moduleTypes"] == record_by_record(source, target)


@given(st.integers(2, 40), st.data())
def test_a_differing_segment_costs_whole_records_only_for_its_differing_keys(
    count: int, data: st.DataObject
) -> None:
    ts = 1_700_000_000_000  # every record in one segment: one module type, one day
    source = {
        key: ConsumptionRecord(key, status=Status.IN_PROGRESS, progress=50, last_access_ts=ts)
        for key in (RecordKey("u1", "c1", "b1", f"x{3 * n}") for n in range(count))
    }
    lowered = data.draw(st.sampled_from(sorted(source)))
    target = {**source, lowered: replace(source[lowered], progress=10)}
    asked: list[KeyValues] = []
    result = run(source, target, asked)
    assert asked == [key_values(lowered)]
    counts = result.counts(TYPES[0])
    assert (counts.found, counts.different, counts.expected) == (count - 1, 1, count)


def test_pending_legacy_events_keep_a_type_unclean_even_when_every_record_matches() -> None:
    result = Reconciliation()
    result.found_segment("ILT", 10)
    assert result.clean
    result.pending("ILT", 2)
    assert not result.clean
    assert result.as_json()["moduleTypes"]["ILT"]["pendingInLegacy"] == 2
    assert Reconciliation.from_json(result.as_json()).as_json() == result.as_json()


@given(st.integers(-(2**40), 2**45))
def test_the_day_of_a_time_is_its_utc_calendar_day(ms: int) -> None:
    expected = datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")
    assert day_of(ms) == expected
    assert day_of(None) == "undated"
