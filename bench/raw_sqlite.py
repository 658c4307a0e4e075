"""The bare limit for ingest: plain ``sqlite3`` batched upserts of the same rows, no Tracklog.

WAL and ``synchronous=FULL`` as Tracklog ships; one ``BEGIN IMMEDIATE ... COMMIT`` per batch.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from bench.pipeline_rows import journal_row, outbox_rows, record_row

_RECORD_COLUMNS = (
    "user_id", "collection_id", "context_id", "content_id", "status", "progress",
    "progress_details", "progress_details_ts", "progress_details_event", "start_count",
    "completed_count", "event_count", "first_access_ts", "last_access_ts",
    "first_completed_ts", "last_completed_ts", "provenance", "updated_ts",
)  # fmt: skip
_KEY = ("user_id", "collection_id", "context_id", "content_id")
_JOURNAL_COLUMNS = (
    "user_id", "event_id", "payload_hash", "type", "collection_id", "context_id", "content_id",
    "module_type", "source", "event_ts", "ingested_ts",
)  # fmt: skip
_OUTBOX_COLUMNS = (
    "partition", "user_id", "collection_id", "context_id", "content_id", "event_count",
    "created_ts", "attempts",
)  # fmt: skip

Batch = tuple[str, Sequence[dict[str, Any]]]


def _insert(table: str, columns: Sequence[str], upsert_key: Sequence[str] = ()) -> str:
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    if upsert_key:
        changed = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in upsert_key)
        sql += f" ON CONFLICT ({', '.join(upsert_key)}) DO UPDATE SET {changed}"
    return sql


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def ingest(db: Path, batches: Sequence[Batch], *, with_pipeline: bool) -> float:
    """Events/s for upserting one row per event (plus journal and outbox rows if asked)."""
    now = int(time.time() * 1000)
    prepared = [_rows(user, events, now, with_pipeline) for user, events in batches]
    events = sum(len(e) for _, e in batches)
    upsert = _insert("consumption", _RECORD_COLUMNS, _KEY)
    journal = _insert("event_journal", _JOURNAL_COLUMNS)
    outbox = _insert("outbox", _OUTBOX_COLUMNS)
    conn = connect(db)
    started = time.perf_counter()
    for records, journal_rows, triggers in prepared:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(upsert, records)
        if with_pipeline:
            conn.executemany(journal, journal_rows)
            conn.executemany(outbox, triggers)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return events / elapsed


def _rows(
    user: str, events: Sequence[dict[str, Any]], now: int, with_pipeline: bool
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    records = []
    for event in events:
        row = record_row(user, event, now)
        row["progress_details"] = _json(row["progress_details"])
        row["provenance"] = _json(row["provenance"])
        records.append(tuple(row[c] for c in _RECORD_COLUMNS))
    if not with_pipeline:
        return records, [], []
    journal = [tuple(journal_row(user, e, now)[c] for c in _JOURNAL_COLUMNS) for e in events]
    triggers = [tuple(r[c] for c in _OUTBOX_COLUMNS) for r in outbox_rows(user, events, now)]
    return records, journal, triggers


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def one_transaction_per_event(db: Path, user: str, events: Sequence[dict[str, Any]]) -> float:
    """Transactions/s when each event is its own durable transaction (the fsync limit).

    Each transaction upserts the event's record and inserts its journal and outbox rows, as a
    single ``view/update`` does.
    """
    now = int(time.time() * 1000)
    records, journal_rows, triggers = _rows(user, events, now, with_pipeline=True)
    upsert = _insert("consumption", _RECORD_COLUMNS, _KEY)
    journal = _insert("event_journal", _JOURNAL_COLUMNS)
    outbox = _insert("outbox", _OUTBOX_COLUMNS)
    conn = connect(db)
    started = time.perf_counter()
    for index, record in enumerate(records):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(upsert, record)
        conn.execute(journal, journal_rows[index])
        conn.execute(outbox, triggers[index % len(triggers)])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(records) / elapsed
