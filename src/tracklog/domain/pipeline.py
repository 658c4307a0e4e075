"""The values the event pipeline passes around: journal entries, outbox triggers, dead letters.

An applied event leaves a ``JournalEntry`` (dedup, audit, explain, volume per module type) and a
``NewTrigger`` in the outbox, in the same transaction as the data. A trigger names a stored key (or,
with an empty ``content_id``, an enrolment) whose summaries must be recomputed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import NamedTuple

PARTITIONS = 64  # fixed: triggers are stamped with it; workers own subsets of it
ENROLMENT_TRIGGER = ""  # a trigger whose content_id is empty names an enrolment directly


def partition_of(user_id: str) -> int:
    """All of one learner's work lands in one partition, so one worker handles it in order."""
    return zlib.crc32(user_id.encode()) % PARTITIONS


class JournalEntry(NamedTuple):
    """One applied event as the journal remembers it (for the retention period). A named tuple:
    a sync batch makes a thousand of them, and the tuple is the row the store inserts."""

    user_id: str
    event_id: str
    payload_hash: str
    type: str
    collection_id: str
    context_id: str
    content_id: str
    module_type: str | None
    source: str
    event_ts: int
    ingested_ts: int


@dataclass(frozen=True, slots=True)
class NewTrigger:
    """An outbox row to add: "recompute what this stored key (or this enrolment) feeds"."""

    user_id: str
    collection_id: str
    context_id: str
    content_id: str
    created_ts: int
    event_count: int = 0

    @property
    def partition(self) -> int:
        return partition_of(self.user_id)

    @property
    def names_enrolment(self) -> bool:
        return self.content_id == ENROLMENT_TRIGGER


@dataclass(frozen=True, slots=True)
class Trigger:
    """An outbox row as stored: pending until a worker has aggregated it."""

    seq: int
    partition: int
    user_id: str
    collection_id: str
    context_id: str
    content_id: str
    event_count: int
    created_ts: int
    attempts: int
    last_error: str | None = None
    relayed_ts: int | None = None

    @property
    def names_enrolment(self) -> bool:
        return self.content_id == ENROLMENT_TRIGGER


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A trigger that failed ``TRACKLOG_DLQ_MAX_ATTEMPTS`` times, kept with its error."""

    id: int
    user_id: str
    collection_id: str
    context_id: str
    content_id: str
    error: str
    attempts: int
    created_ts: int
    failed_ts: int
