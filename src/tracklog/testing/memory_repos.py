"""The repositories of the in-memory store, over rows keyed like the SQL tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from tracklog.adapters.store import codec, tables
from tracklog.domain.explanations import JournalEvent
from tracklog.domain.jobs import Job, Key, Row
from tracklog.domain.model import (
    Attempt,
    Collection,
    ConsumptionRecord,
    Context,
    Enrolment,
    EnrolmentKey,
    RecordFacts,
    RecordKey,
    StoredCompletion,
    Summary,
)
from tracklog.domain.modes import RecordScope
from tracklog.domain.pipeline import DeadLetter, JournalEntry, NewTrigger, Trigger
from tracklog.domain.reconcile import key_values, projection
from tracklog.domain.summaries import stored_completion_of

if TYPE_CHECKING:
    from tracklog.testing.memory_store import Identities

Tables = dict[str, dict[Key, Row]]
ERROR_CHARS = 2000


def _in_scope(row: Row, scopes: Sequence[RecordScope]) -> bool:
    return any(
        row["collection_id"] == s.collection_id
        and row["context_id"] == s.context_id
        and (s.content_ids is None or row["content_id"] in s.content_ids)
        for s in scopes
    )


def _of_enrolment(row: Row, key: EnrolmentKey) -> bool:
    return (row["user_id"], row["collection_id"], row["context_id"]) == (
        key.user_id,
        key.collection_id,
        key.context_id,
    )


class MemoryTracking:
    def __init__(self, t: Tables, ids: Identities, now: int):
        self._t, self._ids, self._now = t, ids, now

    def _records(self, keep: Callable[[Row], bool]) -> list[ConsumptionRecord]:
        rows = self._t["consumption"]
        return [codec.record_from_row(rows[k]) for k in sorted(rows) if keep(rows[k])]

    def _attempts(self, keep: Callable[[Row], bool]) -> list[Attempt]:
        found = [codec.attempt_from_row(r) for r in self._t["attempts"].values() if keep(r)]
        return sorted(found, key=lambda a: (a.assessment_ts, a.attempt_id))

    def records_by_key(self, keys: Iterable[RecordKey]) -> dict[RecordKey, ConsumptionRecord]:
        rows = self._t["consumption"]
        wanted = {(k.user_id, k.collection_id, k.context_id, k.content_id): k for k in keys}
        return {k: codec.record_from_row(rows[t]) for t, k in wanted.items() if t in rows}

    def put_records(self, records: Sequence[ConsumptionRecord]) -> None:
        for record in records:
            row = codec.record_to_row(record, self._now)
            self._t["consumption"][codec_key("consumption", row)] = row

    def records_in(self, user_id: str, scopes: Sequence[RecordScope]) -> list[ConsumptionRecord]:
        return self._records(lambda r: r["user_id"] == user_id and _in_scope(r, scopes))

    def organic_records(self, user_id: str) -> list[ConsumptionRecord]:
        return self._records(
            lambda r: (
                r["user_id"] == user_id and r["collection_id"] == r["context_id"] == r["content_id"]
            )
        )

    def completed_records(
        self, user_id: str, content_ids: Iterable[str]
    ) -> list[ConsumptionRecord]:
        wanted = set(content_ids)
        return self._records(
            lambda r: r["user_id"] == user_id and r["content_id"] in wanted and r["status"] == 2
        )

    def records_of_enrolment(self, key: EnrolmentKey) -> list[ConsumptionRecord]:
        return self._records(lambda r: _of_enrolment(r, key))

    def records_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[ConsumptionRecord]]:
        return {key: self.records_of_enrolment(key) for key in keys}

    def records_of_users(self, user_ids: Sequence[str]) -> list[ConsumptionRecord]:
        wanted = set(user_ids)
        return self._records(lambda r: r["user_id"] in wanted)

    def legacy_learners(self, after: str | None, limit: int) -> list[str]:
        users = {r["user_id"] for r in self._t["consumption"].values() if r["legacy"]}
        return sorted(u for u in users if after is None or u > after)[:limit]

    def record_projections_of_users(self, user_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        return [
            (*key_values(r.key), *projection(r), r.legacy) for r in self.records_of_users(user_ids)
        ]

    def record_facts_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[RecordFacts]]:
        found = self.records_of_enrolments(keys)
        return {key: [codec.facts_of(r) for r in records] for key, records in found.items()}

    def record_facts_of_users(self, user_ids: Sequence[str]) -> list[RecordFacts]:
        return [codec.facts_of(r) for r in self.records_of_users(user_ids)]

    def attempt(self, key: RecordKey, attempt_id: str) -> Attempt | None:
        found = self._t["attempts"].get(
            (key.user_id, key.collection_id, key.context_id, key.content_id, attempt_id)
        )
        return codec.attempt_from_row(found) if found else None

    def put_attempts(self, attempts: Sequence[Attempt]) -> None:
        for attempt in attempts:
            row = codec.attempt_to_row(attempt, self._now)
            self._t["attempts"][codec_key("attempts", row)] = row

    def attempts_in(self, user_id: str, scopes: Sequence[RecordScope]) -> list[Attempt]:
        return self._attempts(lambda r: r["user_id"] == user_id and _in_scope(r, scopes))

    def attempts_of_enrolment(self, key: EnrolmentKey) -> list[Attempt]:
        return self._attempts(lambda r: _of_enrolment(r, key))

    def attempts_of_enrolments(
        self, keys: Iterable[EnrolmentKey], *, with_questions: bool = True
    ) -> dict[EnrolmentKey, list[Attempt]]:
        return {
            key: sorted(
                (
                    attempt if with_questions else replace(attempt, questions=())
                    for attempt in self.attempts_of_enrolment(key)
                ),
                key=lambda a: (a.assessment_ts, a.attempt_id),
            )
            for key in keys
        }

    def attempts_of_users(
        self, user_ids: Sequence[str], *, with_questions: bool = True
    ) -> list[Attempt]:
        wanted = set(user_ids)
        found = self._attempts(lambda r: r["user_id"] in wanted)
        if not with_questions:
            found = [replace(a, questions=()) for a in found]
        return sorted(found, key=lambda a: (a.key, a.assessment_ts, a.attempt_id))

    def delete_enrolment_records(self, key: EnrolmentKey) -> None:
        for name in ("consumption", "attempts"):
            rows = self._t[name]
            for k in [k for k, r in rows.items() if _of_enrolment(r, key)]:
                del rows[k]

    def summary(self, key: EnrolmentKey) -> Summary | None:
        found = self._t["summaries"].get((key.user_id, key.collection_id, key.context_id))
        return codec.summary_from_row(found) if found else None

    def summaries_by_key(self, keys: Iterable[EnrolmentKey]) -> dict[EnrolmentKey, Summary]:
        found = {key: self.summary(key) for key in keys}
        return {key: summary for key, summary in found.items() if summary is not None}

    def stored_completions(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, StoredCompletion]:
        return {key: stored_completion_of(s) for key, s in self.summaries_by_key(keys).items()}

    def summaries_of(self, user_id: str) -> list[Summary]:
        rows = self._t["summaries"]
        return [codec.summary_from_row(rows[k]) for k in sorted(rows) if k[0] == user_id]

    def move_summary(self, source: EnrolmentKey, target: EnrolmentKey) -> None:
        summary = self.summary(source)
        if summary is not None and self.summary(target) is None:
            self.put_summary(replace(summary, key=target))

    def put_summary(self, summary: Summary) -> None:
        row = codec.summary_to_row(summary)
        self._t["summaries"][codec_key("summaries", row)] = row

    def put_summaries(self, summaries: Sequence[Summary]) -> None:
        for summary in summaries:
            self.put_summary(summary)

    def add_completion_event(self, summary: Summary) -> None:
        seq = self._ids.next("completion_events")
        key = summary.key
        self._t["completion_events"][(seq,)] = {
            "seq": seq,
            "user_id": key.user_id,
            "collection_id": key.collection_id,
            "context_id": key.context_id,
            "completed_ts": summary.completed_ts or self._now,
            "collection_version": summary.collection_version,
            "emitted_ts": self._now,
        }

    def delete_user_data(
        self, user_id: str, collection_id: str | None, context_id: str | None
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table in tables.LEARNER_TABLES:
            rows = self._t[table.name]
            doomed = [
                k
                for k, r in rows.items()
                if r["user_id"] == user_id
                and collection_id in (None, r["collection_id"])
                and context_id in (None, r["context_id"])
            ]
            for k in doomed:
                del rows[k]
            counts[str(table.name)] = len(doomed)
        return counts


def codec_key(table: str, row: Row) -> Key:
    return tuple(row[c.name] for c in tables.metadata.tables[table].primary_key.columns)


class MemoryJournal:
    def __init__(self, t: Tables):
        self._rows = t["event_journal"]

    def known(self, user_id: str, event_ids: Iterable[str]) -> dict[str, str]:
        found = {e: self._rows.get((user_id, e)) for e in set(event_ids)}
        return {e: row["payload_hash"] for e, row in found.items() if row is not None}

    def known_of_users(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
        return {user: self.known(user, ids) for user, ids in wanted.items()}

    def add(self, entries: Sequence[JournalEntry]) -> None:
        for entry in entries:
            key = (entry.user_id, entry.event_id)
            if key in self._rows:
                raise KeyError(f"event_journal: duplicate key {key}")  # as a primary key would
            self._rows[key] = entry._asdict()

    def events_at(self, key: RecordKey, limit: int = 100) -> list[JournalEvent]:
        place = (key.user_id, key.collection_id, key.context_id, key.content_id)
        rows = [
            r
            for r in self._rows.values()
            if (r["user_id"], r["collection_id"], r["context_id"], r["content_id"]) == place
        ]
        rows.sort(key=lambda r: (-r["event_ts"], r["event_id"]))
        events = [
            JournalEvent(
                r["event_id"], r["type"], key, r["source"], r["event_ts"], r["ingested_ts"]
            )
            for r in rows[:limit]
        ]
        return events[::-1]

    def counts_by_module_type(self, since_ts: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._rows.values():
            if row["ingested_ts"] >= since_ts:
                name = str(row["module_type"] or "unknown")
                counts[name] = counts.get(name, 0) + 1
        return counts


class MemoryOutbox:
    def __init__(self, t: Tables, ids: Identities, now: int):
        self._rows, self._ids, self._now = t["outbox"], ids, now

    def _triggers(self, keep: Callable[[Row], bool], limit: int | None = None) -> list[Trigger]:
        found = [Trigger(**self._rows[k]) for k in sorted(self._rows) if keep(self._rows[k])]
        return found[:limit] if limit is not None else found

    def add(self, triggers: Sequence[NewTrigger]) -> None:
        for t in triggers:
            seq = self._ids.next("outbox")
            self._rows[(seq,)] = asdict(
                Trigger(
                    seq,
                    t.partition,
                    t.user_id,
                    t.collection_id,
                    t.context_id,
                    t.content_id,
                    t.event_count,
                    t.created_ts,
                    0,
                )
            )

    def claim(self, partitions: Sequence[int] | None, limit: int) -> list[Trigger]:
        wanted = None if partitions is None else set(partitions)
        return self._triggers(lambda r: wanted is None or r["partition"] in wanted, limit)

    def claim_seqs(self, seqs: Sequence[int]) -> list[Trigger]:
        wanted = set(seqs)
        return self._triggers(lambda r: r["seq"] in wanted)

    def claim_for_relay(self, limit: int, relayed_before: int | None) -> list[Trigger]:
        def waiting(row: Row) -> bool:
            relayed = row["relayed_ts"]
            return relayed is None or (relayed_before is not None and relayed < relayed_before)

        return self._triggers(waiting, limit)

    def _update(self, seqs: Sequence[int], **values: Any) -> None:
        for seq in seqs:
            row = self._rows.get((seq,))
            if row is not None:
                self._rows[(seq,)] = {**row, **values}

    def mark_relayed(self, seqs: Sequence[int]) -> None:
        self._update(seqs, relayed_ts=self._now)

    def remove(self, seqs: Sequence[int]) -> None:
        for seq in seqs:
            self._rows.pop((seq,), None)

    def record_failure(self, seqs: Sequence[int], error: str) -> None:
        for seq in seqs:
            row = self._rows.get((seq,))
            if row is not None:
                attempts = row["attempts"] + 1
                self._update(
                    [seq], attempts=attempts, last_error=error[:ERROR_CHARS], relayed_ts=None
                )

    def has_pending_for(self, user_id: str) -> bool:
        return any(r["user_id"] == user_id for r in self._rows.values())

    def backlog(self) -> tuple[int, int | None]:
        created = [r["created_ts"] for r in self._rows.values()]
        return len(created), (min(created) if created else None)


class MemoryDeadLetters:
    def __init__(self, t: Tables, ids: Identities, now: int):
        self._rows, self._outbox, self._ids, self._now = t["dead_letters"], t["outbox"], ids, now

    def add(self, trigger: Trigger, error: str) -> None:
        letter_id = self._ids.next("dead_letters")
        letter = DeadLetter(
            letter_id,
            trigger.user_id,
            trigger.collection_id,
            trigger.context_id,
            trigger.content_id,
            error[:ERROR_CHARS],
            trigger.attempts + 1,
            trigger.created_ts,
            self._now,
        )
        self._rows[(letter_id,)] = asdict(letter)
        self._outbox.pop((trigger.seq,), None)

    def oldest(self, limit: int = 1000) -> list[DeadLetter]:
        return [DeadLetter(**self._rows[k]) for k in sorted(self._rows)[:limit]]

    def count(self) -> int:
        return len(self._rows)

    def take(self, ids: Sequence[int] | None) -> list[DeadLetter]:
        wanted = sorted(self._rows) if ids is None else sorted((i,) for i in ids)
        taken = [DeadLetter(**self._rows.pop(k)) for k in wanted if k in self._rows]
        return taken


class MemoryRegistry:
    def __init__(self, t: Tables, ids: Identities, now: int):
        self._t, self._ids, self._now = t, ids, now

    def collection(self, collection_id: str) -> Collection | None:
        versions = [k for k in self._t["collections"] if k[0] == collection_id]
        return (
            codec.collection_from_row(self._t["collections"][max(versions)]) if versions else None
        )

    def add_collection_version(self, collection: Collection) -> None:
        row = codec.collection_to_row(collection, self._now)
        self._t["collections"][(collection.collection_id, collection.version)] = row

    def context(self, context_id: str) -> Context | None:
        found = self._t["contexts"].get((context_id,))
        return codec.context_from_row(found) if found else None

    def put_context(self, context: Context) -> None:
        self._t["contexts"][(context.context_id,)] = codec.context_to_row(context, self._now)

    def _enrolments(self, keep: Callable[[Row], bool]) -> list[Enrolment]:
        rows = self._t["enrolments"]
        return [codec.enrolment_from_row(rows[k]) for k in sorted(rows) if keep(rows[k])]

    def enrolment(self, key: EnrolmentKey) -> Enrolment | None:
        found = self._t["enrolments"].get((key.user_id, key.collection_id, key.context_id))
        return codec.enrolment_from_row(found) if found else None

    def collection_and_enrolment(
        self, key: EnrolmentKey
    ) -> tuple[Collection | None, Enrolment | None]:
        return self.collection(key.collection_id), self.enrolment(key)

    def enrolments_of(self, user_id: str, active_only: bool = True) -> list[Enrolment]:
        return self._enrolments(
            lambda r: r["user_id"] == user_id and (r["active"] or not active_only)
        )

    def enrolments_of_users(self, user_ids: Sequence[str]) -> list[Enrolment]:
        wanted = set(user_ids)
        return self._enrolments(lambda r: r["user_id"] in wanted)

    def enrolments_in_collection(self, collection_id: str) -> list[Enrolment]:
        return self._enrolments(lambda r: r["collection_id"] == collection_id and r["active"])

    def put_enrolment(self, enrolment: Enrolment) -> None:
        row = codec.enrolment_to_row(enrolment, self._now)
        self._t["enrolments"][codec_key("enrolments", row)] = row

    def moved_enrolments(self, user_id: str) -> dict[tuple[str, str], str]:
        return {
            (r["collection_id"], r["context_id"]): r["moved_to"]
            for r in self._t["enrolments"].values()
            if r["user_id"] == user_id and r["moved_to"] is not None
        }

    def moved_enrolments_of(self, user_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], str]]:
        return {user: self.moved_enrolments(user) for user in user_ids}

    def point_enrolments(self, source: EnrolmentKey, to_context: str) -> None:
        rows = self._t["enrolments"]
        for key, row in list(rows.items()):
            if (row["user_id"], row["collection_id"]) != (source.user_id, source.collection_id):
                continue
            moved = row["moved_to"]
            if moved == source.context_id or row["context_id"] == source.context_id:
                moved = to_context
            if row["context_id"] == to_context:
                moved = None  # the new home holds its own progress
            if moved != row["moved_to"]:
                rows[key] = {**row, "moved_to": moved, "updated_ts": self._now}

    def deactivate_enrolment(self, key: EnrolmentKey) -> bool:
        rows = self._t["enrolments"]
        found = rows.get((key.user_id, key.collection_id, key.context_id))
        if found is None:
            return False
        rows[(key.user_id, key.collection_id, key.context_id)] = {
            **found,
            "active": False,
            "updated_ts": self._now,
        }
        return True

    def audit(self, actor: str, action: str, target: dict[str, Any], details: Any = None) -> None:
        entry_id = self._ids.next("audit_log")
        self._t["audit_log"][(entry_id,)] = {
            "id": entry_id,
            "at_ts": self._now,
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
        }

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._t["audit_log"]
        return [dict(rows[k]) for k in sorted(rows, reverse=True)[:limit]]

    def stamp(self, name: str) -> str | None:
        found = self._t["instance"].get((name,))
        return None if found is None else str(found["value"])

    def set_stamp(self, name: str, value: str) -> None:
        self._t["instance"][(name,)] = {"name": name, "value": value, "set_ts": self._now}


class MemoryJobs:
    def __init__(self, t: Tables, ids: Identities, now: int):
        self._t, self._ids, self._now = t, ids, now

    def create(self, values: dict[str, Any]) -> int:
        job_id = self._ids.next("jobs")
        row: Row = {c.name: None for c in tables.jobs.columns}
        row.update(created_ts=self._now, batches_done=0, rows_done=0, rows_changed=0)
        row.update(values, id=job_id)
        self._t["jobs"][(job_id,)] = row
        return job_id

    def get(self, job_id: int) -> Job | None:
        found = self._t["jobs"].get((job_id,))
        return codec.job_from_row(found) if found else None

    def recent(self, limit: int = 50, states: Sequence[str] | None = None) -> list[Job]:
        rows = self._t["jobs"]
        keys = [
            k for k in sorted(rows, reverse=True) if states is None or rows[k]["state"] in states
        ]
        return [codec.job_from_row(rows[k]) for k in keys[:limit]]

    def update(self, job_id: int, **values: Any) -> None:
        found = self._t["jobs"].get((job_id,))
        if found is not None:
            self._t["jobs"][(job_id,)] = {**found, **values}

    def request_abort(self, job_id: int) -> bool:
        exists = (job_id,) in self._t["jobs"]
        self.update(job_id, abort_requested=True)
        return exists

    def abort_requested(self, job_id: int) -> bool:
        found = self._t["jobs"].get((job_id,))
        return bool(found and found["abort_requested"])

    def add_batch(self, job_id: int, batch_no: int, cursor: Any, rows: int, changed: int) -> None:
        self._t["job_batches"][(job_id, batch_no)] = {
            "job_id": job_id,
            "batch_no": batch_no,
            "cursor": cursor,
            "rows": rows,
            "changed": changed,
            "applied_ts": self._now,
        }

    def add_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None:
        self._t["job_before_images"][(job_id, batch_no)] = {
            "job_id": job_id,
            "batch_no": batch_no,
            "rows": len(images),
            "images": list(images),
        }

    def extend_images(self, job_id: int, batch_no: int, images: list[dict[str, Any]]) -> None:
        row = self._t["job_before_images"][(job_id, batch_no)]
        merged = [*row["images"], *images]
        self._t["job_before_images"][(job_id, batch_no)] = {
            **row,
            "images": merged,
            "rows": len(merged),
        }

    def images(self, job_id: int, batch_no: int) -> list[dict[str, Any]]:
        found = self._t["job_before_images"].get((job_id, batch_no))
        return list(found["images"]) if found else []
