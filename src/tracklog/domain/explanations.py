"""Why a status is what it is, in plain words (``GET /v1/explain``): pure sentence building."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tracklog.domain.model import (
    ConsumptionRecord,
    Enrolment,
    ProvenanceKind,
    RecordKey,
    RequestedKey,
)
from tracklog.domain.modes import Mode


@dataclass(frozen=True, slots=True)
class JournalEvent:
    """One applied event as the journal remembers it (kept for the retention period)."""

    event_id: str
    type: str
    key: RecordKey
    source: str
    event_ts: int
    ingested_ts: int


@dataclass(frozen=True, slots=True)
class Facts:
    mode: Mode
    requested: RequestedKey
    read_key: RecordKey | None  # None: not a leaf of the collection (full-carry-forward)
    record: ConsumptionRecord | None
    enrolment: Enrolment | None
    events: Sequence[JournalEvent]  # at the key read, then at the copy or move source
    source: ConsumptionRecord | None  # the copy source's record, when it still exists
    retention_days: int


MODE_RULE = {
    Mode.STRICT: "progress counts only in the collection and context where it was made",
    Mode.FULL_CARRY_FORWARD: "each content has one record, (content, content), wherever it is "
    "consumed, and every collection reads it",
    Mode.COLLECTION_CARRY_FORWARD: "progress in a collection is stored once, under "
    "(collection, collection), and counts in every context of that collection",
    Mode.COPY: "progress is kept per collection and context, and completions made elsewhere are "
    "copied into an enrolment when the copy rules hold",
    Mode.MOVE: "progress is kept per collection and context, and an ongoing enrolment's progress "
    "moves into the learner's new context for the same collection",
}

_STATUS_WORDS = {0: "0 (not started)", 1: "1 (in progress)", 2: "2 (completed)"}


def explain(facts: Facts) -> str:
    """A few sentences: the mode's rule, the key read, how the record got its status."""
    parts = [
        f"This instance runs in {facts.mode.value} mode: {MODE_RULE[facts.mode]}.",
        _where(facts),
    ]
    record = facts.record
    if record is None:
        parts.append(f"No record is stored there, so the status is {_STATUS_WORDS[0]}.")
        return " ".join(parts)
    parts.append(f"Its status is {_STATUS_WORDS[int(record.status)]}.")
    parts.append(_origin(facts, record))
    return " ".join(p for p in parts if p)


def _where(facts: Facts) -> str:
    asked = facts.requested
    if asked.collection_id is None:
        subject = f"content '{asked.content_id}' outside any collection (organic)"
    else:
        context = asked.context_id or asked.collection_id
        subject = (
            f"content '{asked.content_id}' in collection '{asked.collection_id}', "
            f"context '{context}'"
        )
    if facts.read_key is None:
        return (
            f"A read of {subject} finds nothing: in this mode a collection is read leaf by leaf, "
            f"and '{asked.content_id}' is not a leaf of '{asked.collection_id}'."
        )
    moved = facts.enrolment.moved_to if facts.enrolment else None
    via = (
        f" (this enrolment's progress moved to context '{moved}'; reads follow it)" if moved else ""
    )
    return f"A read of {subject} looks at the record stored at {key_text(facts.read_key)}{via}."


def _origin(facts: Facts, record: ConsumptionRecord) -> str:
    p = record.provenance
    if p.kind is ProvenanceKind.COPIED and p.source_key is not None:
        head = (
            f"It was copied on {when(p.at)} from {key_text(p.source_key)} under the copy rule "
            f"'{p.rule}'."
        )
        return " ".join([head, _events_sentence(facts, p.source_key, facts.source, "The source")])
    if p.kind is ProvenanceKind.MOVED and p.source_key is not None:
        head = f"It was moved on {when(p.at)} from {key_text(p.source_key)} ({p.rule})."
        moved_events = _events_sentence(facts, p.source_key, record, "Before the move it")
        later = [e for e in facts.events if e.key == record.key]
        tail = f" {len(later)} event(s) were applied here since." if later else ""
        return " ".join([head, moved_events]) + tail
    return "It was written directly. " + _events_sentence(facts, record.key, record, "It")


def _events_sentence(
    facts: Facts, key: RecordKey, record: ConsumptionRecord | None, subject: str
) -> str:
    events = [e for e in facts.events if e.key == key]
    if not events:
        return (
            f"{subject} has no events left in the journal (events are kept "
            f"{facts.retention_days} days)."
        )
    completed_ts = record.first_completed_ts if record else None
    completing = [
        e for e in events if e.event_ts == completed_ts and e.type in ("end", "update", "assess")
    ]
    counted = f"{subject} was made by {len(events)} journalled event(s)"
    if completing:
        first = completing[0]
        return (
            f"{counted}; it was completed by event '{first.event_id}' ({first.type}, "
            f"eventTs {when(first.event_ts)})."
        )
    last = events[-1]
    return (
        f"{counted}; the latest is '{last.event_id}' ({last.type}, eventTs {when(last.event_ts)})."
    )


def key_text(key: RecordKey) -> str:
    if key.collection_id == key.context_id == key.content_id:
        return f"the organic record of content '{key.content_id}'"
    where = f"collection '{key.collection_id}', context '{key.context_id}'"
    return f"({where}, content '{key.content_id}')"


def when(ms: int | None) -> str:
    if ms is None:
        return "an unknown time"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
