"""Queries over consumption records, attempts, summaries and the user's side of the pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, Table, and_, bindparam, delete, or_, select
from sqlalchemy.sql.elements import ColumnElement

from tracklog.adapters.store import codec, tables
from tracklog.adapters.store.driver_reads import fetch
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import chunks, upsert
from tracklog.domain.model import (
    Attempt,
    ConsumptionRecord,
    EnrolmentKey,
    RecordFacts,
    RecordKey,
    StoredCompletion,
    Summary,
)
from tracklog.domain.modes import RecordScope
from tracklog.domain.reconcile import PROJECTION_FIELDS

_C = tables.consumption.c
_A = tables.attempts.c
_S = tables.summaries.c

KEYS_PER_QUERY = 64
_RECORD = [_C[name] for name in codec.RECORD_COLUMNS]  # decoded by position (codec)
_PROJECTION_COLUMNS = (*codec.RECORD_COLUMNS[:4], *PROJECTION_FIELDS, "legacy")


def _padded(part: Sequence[Any]) -> Sequence[Any]:
    """``part`` repeated at its end up to the next power of two: the OR-of-keys statements are
    built for 1, 2, 4 ... 64 keys only (a repeated key is harmless in an OR)."""
    size = 1 << (len(part) - 1).bit_length()
    return [*part, *[part[-1]] * (size - len(part))]


@lru_cache(maxsize=8)
def _records_by_key(count: int) -> Select[Any]:
    """The records of ``count`` keys: an OR of primary-key equalities, which both backends answer
    with one index lookup per key (SQLite scans the table for a row-value ``IN (VALUES ...)``).
    Built once per count (a power of two, see ``_padded``): building a statement (and its cache
    key) per call cost more than running it."""
    return select(*_RECORD).where(
        or_(
            *(
                and_(
                    _C.user_id == bindparam(f"u{n}"),
                    _C.collection_id == bindparam(f"c{n}"),
                    _C.context_id == bindparam(f"x{n}"),
                    _C.content_id == bindparam(f"a{n}"),
                )
                for n in range(count)
            )
        )
    )


@lru_cache(maxsize=64)
def _at_enrolments(table: Table, count: int, wanted: tuple[str, ...] = ()) -> Select[Any]:
    """The rows of ``table`` (only the ``wanted`` columns, if named) under ``count`` enrolment
    keys (user, collection, context): an OR of equalities on the leading primary-key columns,
    one index range per key on both backends. Built once per table, count (a power of two, see
    ``_padded``) and columns."""
    columns = table.c
    selected = [columns[name] for name in wanted] if wanted else [table]
    return select(*selected).where(
        or_(
            *(
                and_(
                    columns.user_id == bindparam(f"u{n}"),
                    columns.collection_id == bindparam(f"c{n}"),
                    columns.context_id == bindparam(f"x{n}"),
                )
                for n in range(count)
            )
        )
    )


def _rows_at_enrolments(
    conn: Connection,
    traits: StoreTraits,
    table: Table,
    keys: Iterable[EnrolmentKey],
    wanted: tuple[str, ...] = (),
) -> Iterator[Sequence[Any]]:
    for part in chunks(sorted(set(keys)), KEYS_PER_QUERY):
        part = _padded(part)  # noqa: PLW2901
        params: dict[str, str] = {}
        for n, key in enumerate(part):
            params[f"u{n}"] = key.user_id
            params[f"c{n}"] = key.collection_id
            params[f"x{n}"] = key.context_id
        yield from fetch(conn, traits, _at_enrolments(table, len(part), wanted), params)


T = TypeVar("T")
V = TypeVar("V")


ENROLMENT_COLUMNS = ("user_id", "collection_id", "context_id")


def _by_enrolment(
    conn: Connection,
    traits: StoreTraits,
    table: Table,
    keys: Iterable[EnrolmentKey],
    columns: tuple[str, ...],
    decode: Callable[[Sequence[Any]], T],
) -> dict[EnrolmentKey, list[T]]:
    """The rows of ``table`` under each enrolment key (every asked key is a key), only
    ``columns`` (which begin with ``ENROLMENT_COLUMNS``), each decoded from its plain result
    tuple. Rows are grouped by their first three values, so no key object is built per row."""
    assert columns[:3] == ENROLMENT_COLUMNS
    found: dict[EnrolmentKey, list[T]] = {key: [] for key in keys}
    if len(found) == 1:  # a read's usual case: every row is the one key's, nothing to group
        (only,) = found.values()
        only.extend(decode(row) for row in _rows_at_enrolments(conn, traits, table, found, columns))
        return found
    at = {(k.user_id, k.collection_id, k.context_id): items for k, items in found.items()}
    for row in _rows_at_enrolments(conn, traits, table, found, columns):
        at[row[0], row[1], row[2]].append(decode(row))
    return found


class TrackingRepository:
    def __init__(self, conn: Connection, traits: StoreTraits, now_ts: int):
        self._conn = conn
        self._traits = traits
        self._now = now_ts

    # consumption records -------------------------------------------------------------------
    def records_by_key(self, keys: Iterable[RecordKey]) -> dict[RecordKey, ConsumptionRecord]:
        """The stored records of these keys, of any learners, in one query per 64 keys."""
        found: dict[RecordKey, ConsumptionRecord] = {}
        for part in chunks(sorted(set(keys)), KEYS_PER_QUERY):
            part = _padded(part)  # noqa: PLW2901
            params: dict[str, str] = {}
            for n, k in enumerate(part):
                params[f"u{n}"] = k.user_id
                params[f"c{n}"] = k.collection_id
                params[f"x{n}"] = k.context_id
                params[f"a{n}"] = k.content_id
            for row in fetch(self._conn, self._traits, _records_by_key(len(part)), params):
                record = codec.record_from_values(row)
                found[record.key] = record
        return found

    def put_records(self, records: Sequence[ConsumptionRecord]) -> None:
        upsert(
            self._conn,
            self._traits,
            tables.consumption,
            [codec.record_to_row(r, self._now) for r in records],
        )

    def records_in(self, user_id: str, scopes: Sequence[RecordScope]) -> list[ConsumptionRecord]:
        """The records in ``scopes`` by prebuilt statements: whole (collection, context) places,
        and named contents by primary key."""
        places = {
            EnrolmentKey(user_id, s.collection_id, s.context_id)
            for s in scopes
            if s.content_ids is None
        }
        keys = {
            RecordKey(user_id, s.collection_id, s.context_id, content)
            for s in scopes
            if s.content_ids is not None
            for content in s.content_ids
        }
        of_places = self.records_of_enrolments(places).values()
        if not keys:  # places are distinct enrolments, so their records are distinct
            return [r for records in of_places for r in records]
        found = {r.key: r for records in of_places for r in records}
        found.update(self.records_by_key(keys))
        return list(found.values())

    def organic_records(self, user_id: str) -> list[ConsumptionRecord]:
        query = select(*_RECORD).where(
            _C.user_id == user_id,
            _C.collection_id == _C.content_id,
            _C.context_id == _C.content_id,
        )
        return [codec.record_from_values(row) for row in self._conn.execute(query)]

    def completed_records(
        self, user_id: str, content_ids: Iterable[str]
    ) -> list[ConsumptionRecord]:
        """The user's completed records of these contents, under any key (copy sources)."""
        found: list[ConsumptionRecord] = []
        for part in chunks(sorted(set(content_ids))):
            query = select(*_RECORD).where(
                _C.user_id == user_id, _C.content_id.in_(part), _C.status == 2
            )
            found.extend(codec.record_from_values(row) for row in self._conn.execute(query))
        return found

    def records_of_enrolment(self, key: EnrolmentKey) -> list[ConsumptionRecord]:
        query = select(*_RECORD).where(*_enrolment_clause(key, _C))
        return [codec.record_from_values(row) for row in self._conn.execute(query)]

    def records_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[ConsumptionRecord]]:
        """``records_of_enrolment`` of several keys (any learners), one query per 64 keys."""
        return _by_enrolment(
            self._conn,
            self._traits,
            tables.consumption,
            keys,
            codec.RECORD_COLUMNS,
            codec.record_from_values,
        )

    def record_facts_of_enrolments(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, list[RecordFacts]]:
        return _by_enrolment(
            self._conn,
            self._traits,
            tables.consumption,
            keys,
            codec.RECORD_FACTS_COLUMNS,
            codec.record_facts,
        )

    def record_facts_of_users(self, user_ids: Sequence[str]) -> list[RecordFacts]:
        return _of_users(
            self._conn,
            self._traits,
            tables.consumption,
            codec.RECORD_FACTS_COLUMNS,
            user_ids,
            codec.record_facts,
        )

    def records_of_users(self, user_ids: Sequence[str]) -> list[ConsumptionRecord]:
        """Every record of these learners (a bulk job's batch reads them in one query)."""
        return _of_users(
            self._conn,
            self._traits,
            tables.consumption,
            codec.RECORD_COLUMNS,
            user_ids,
            codec.record_from_values,
        )

    def legacy_learners(self, after: str | None, limit: int) -> list[str]:
        query = select(_C.user_id).where(_C.legacy.is_(True))
        if after is not None:
            query = query.where(_C.user_id > after)
        query = query.group_by(_C.user_id).order_by(_C.user_id).limit(limit)
        return list(self._conn.execute(query).scalars())

    def record_projections_of_users(self, user_ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The reconciliation's view of these learners' records (no record objects)."""
        return _of_users(
            self._conn, self._traits, tables.consumption, _PROJECTION_COLUMNS, user_ids, tuple
        )

    # attempts ------------------------------------------------------------------------------
    def attempt(self, key: RecordKey, attempt_id: str) -> Attempt | None:
        query = select(tables.attempts).where(
            _A.user_id == key.user_id,
            _A.collection_id == key.collection_id,
            _A.context_id == key.context_id,
            _A.content_id == key.content_id,
            _A.attempt_id == attempt_id,
        )
        row = self._conn.execute(query).mappings().first()
        return codec.attempt_from_row(row) if row else None

    def put_attempts(self, attempts: Sequence[Attempt]) -> None:
        upsert(
            self._conn,
            self._traits,
            tables.attempts,
            [codec.attempt_to_row(a, self._now) for a in attempts],
        )

    def attempts_in(self, user_id: str, scopes: Sequence[RecordScope]) -> list[Attempt]:
        by_place: dict[EnrolmentKey, list[RecordScope]] = {}
        for scope in scopes:
            place = EnrolmentKey(user_id, scope.collection_id, scope.context_id)
            by_place.setdefault(place, []).append(scope)
        found = [
            attempt
            for place, attempts in self.attempts_of_enrolments(by_place).items()
            for attempt in attempts
            if any(
                s.content_ids is None or attempt.key.content_id in s.content_ids
                for s in by_place[place]
            )
        ]
        return sorted(found, key=lambda a: (a.assessment_ts, a.attempt_id))

    def attempts_of_enrolment(self, key: EnrolmentKey) -> list[Attempt]:
        query = select(tables.attempts).where(*_enrolment_clause(key, _A))
        return [codec.attempt_from_row(row) for row in self._conn.execute(query).mappings()]

    def attempts_of_enrolments(
        self, keys: Iterable[EnrolmentKey], *, with_questions: bool = True
    ) -> dict[EnrolmentKey, list[Attempt]]:
        """The attempts under several enrolment keys, each list oldest first (``attempts_in``);
        without their questions when not asked for (``attempts_of_users``)."""
        if with_questions:
            columns, decode = codec.ATTEMPT_COLUMNS, codec.attempt_from_values
        else:
            columns, decode = codec.ATTEMPT_TOTALS_COLUMNS, codec.attempt_totals
        found = _by_enrolment(self._conn, self._traits, tables.attempts, keys, columns, decode)
        for attempts in found.values():
            attempts.sort(key=lambda a: (a.assessment_ts, a.attempt_id))
        return found

    def attempts_of_users(
        self, user_ids: Sequence[str], *, with_questions: bool = True
    ) -> list[Attempt]:
        """Every attempt of these learners, oldest first per record (without their questions
        when not asked for: decoding those is most of the cost of reading an attempt)."""
        if with_questions:
            columns, decode = codec.ATTEMPT_COLUMNS, codec.attempt_from_values
        else:
            columns, decode = codec.ATTEMPT_TOTALS_COLUMNS, codec.attempt_totals
        found = _of_users(self._conn, self._traits, tables.attempts, columns, user_ids, decode)
        return sorted(found, key=lambda a: (a.key, a.assessment_ts, a.attempt_id))

    def delete_enrolment_records(self, key: EnrolmentKey) -> None:
        """Remove one enrolment's records and attempts (after they were moved elsewhere)."""
        for table in (tables.consumption, tables.attempts):
            self._conn.execute(delete(table).where(*_enrolment_clause(key, table.c)))

    # summaries -----------------------------------------------------------------------------
    def summary(self, key: EnrolmentKey) -> Summary | None:
        query = select(tables.summaries).where(*_enrolment_clause(key))
        row = self._conn.execute(query).mappings().first()
        return codec.summary_from_row(row) if row else None

    def summaries_by_key(self, keys: Iterable[EnrolmentKey]) -> dict[EnrolmentKey, Summary]:
        found: dict[EnrolmentKey, Summary] = {}
        names = tuple(tables.summaries.c.keys())
        for row in _rows_at_enrolments(self._conn, self._traits, tables.summaries, keys):
            summary = codec.summary_from_row(dict(zip(names, row, strict=True)))
            found[summary.key] = summary
        return found

    def stored_completions(
        self, keys: Iterable[EnrolmentKey]
    ) -> dict[EnrolmentKey, StoredCompletion]:
        found = _by_enrolment(
            self._conn,
            self._traits,
            tables.summaries,
            keys,
            codec.STORED_COMPLETION_COLUMNS,
            codec.stored_completion,
        )
        return {key: items[0] for key, items in found.items() if items}

    def summaries_of(self, user_id: str) -> list[Summary]:
        query = (
            select(tables.summaries)
            .where(_S.user_id == user_id)
            .order_by(_S.collection_id, _S.context_id)
        )
        return [codec.summary_from_row(row) for row in self._conn.execute(query).mappings()]

    def move_summary(self, source: EnrolmentKey, target: EnrolmentKey) -> None:
        """Give ``target`` the stored summary of ``source`` (sticky completion moves with it)
        unless ``target`` has its own; ``source`` keeps its row (it now reads through target)."""
        summary = self.summary(source)
        if summary is not None and self.summary(target) is None:
            self.put_summary(replace(summary, key=target))

    def put_summary(self, summary: Summary) -> None:
        self.put_summaries([summary])

    def put_summaries(self, summaries: Sequence[Summary]) -> None:
        upsert(
            self._conn, self._traits, tables.summaries, [codec.summary_to_row(s) for s in summaries]
        )

    def add_completion_event(self, summary: Summary) -> None:
        key = summary.key
        self._conn.execute(
            tables.completion_events.insert().values(
                user_id=key.user_id,
                collection_id=key.collection_id,
                context_id=key.context_id,
                completed_ts=summary.completed_ts or self._now,
                collection_version=summary.collection_version,
                emitted_ts=self._now,
            )
        )

    # deletion ------------------------------------------------------------------------------
    def delete_user_data(
        self, user_id: str, collection_id: str | None, context_id: str | None
    ) -> dict[str, int]:
        """Remove a user's tracking data (all, or one enrolment) from every table."""
        counts: dict[str, int] = {}
        for table in tables.LEARNER_TABLES:
            clauses: list[ColumnElement[bool]] = [table.c.user_id == user_id]
            if collection_id is not None:
                clauses.append(table.c.collection_id == collection_id)
            if context_id is not None:
                clauses.append(table.c.context_id == context_id)
            result = self._conn.execute(delete(table).where(and_(*clauses)))
            counts[str(table.name)] = result.rowcount  # plain str: orjson refuses quoted_name keys
        return counts


def _of_users(
    conn: Connection,
    traits: StoreTraits,
    table: Table,
    columns: tuple[str, ...],
    user_ids: Sequence[str],
    decode: Callable[[Sequence[Any]], V],
) -> list[V]:
    """These learners' rows of ``table``, only ``columns`` (in that order), each decoded from its
    plain result tuple: one query per 500 learners (on the driver where that is cheaper)."""
    statement = _rows_of_users(table, columns)
    found: list[V] = []
    for part in chunks(sorted(set(user_ids)), 500):
        found.extend(map(decode, fetch(conn, traits, statement, {"user_ids": list(part)})))
    return found


@lru_cache(maxsize=16)
def _rows_of_users(table: Table, columns: tuple[str, ...]) -> Select[Any]:
    """Built once per table and column set, with the learners as a list parameter."""
    selected = [table.c[name] for name in columns]
    return select(*selected).where(table.c.user_id.in_(bindparam("user_ids", expanding=True)))


def _enrolment_clause(key: EnrolmentKey, columns: Any = _S) -> list[ColumnElement[bool]]:
    return [
        columns.user_id == key.user_id,
        columns.collection_id == key.collection_id,
        columns.context_id == key.context_id,
    ]
