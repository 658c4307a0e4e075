"""Benchmark 2: ``view/sync`` batch ingest (events/s), HTTP and in-process, against raw SQLite."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import raw_sqlite, servers, world
from bench.config import Config, Say
from bench.figures import Figure
from bench.workload import Shape, batches
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Source
from tracklog.services.commands import RecordEvents
from tracklog.services.ingest import record_events

IN_PROCESS_TARGET = 100_000  # events/s
HTTP_TARGET = 60_000
RAW_SHARE = 0.45  # over HTTP, of a raw batched upsert of the same rows
Batch = tuple[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class SyncResult:
    http: float
    in_process: float
    raw_upsert: float
    raw_with_pipeline: float


def run(config: Config, say: Say) -> tuple[list[Figure], SyncResult]:
    shape = Shape(users=config.sync_users)
    work = list(batches(shape, "s", config.sync_batch, config.sync_batches))
    raw = raw_sqlite.ingest(_fresh(config, "raw.db", shape), work, with_pipeline=False)
    say(f"raw sqlite3 upsert: {raw:,.0f} events/s")
    raw_pipe = raw_sqlite.ingest(_fresh(config, "raw-pipe.db", shape), work, with_pipeline=True)
    say(f"raw sqlite3 upsert + journal + outbox: {raw_pipe:,.0f} events/s")
    inproc = in_process(config, shape, work)
    say(f"tracklog record_events in-process: {inproc:,.0f} events/s")
    http = over_http(config, shape, work)
    say(f"tracklog POST /v1/view/sync over HTTP: {http:,.0f} events/s")
    result = SyncResult(http, inproc, raw, raw_pipe)
    return _figures(result), result


def _fresh(config: Config, name: str, shape: Shape) -> Path:
    db = config.workdir / name
    world.prepare(db, shape).close()
    return db


def in_process(config: Config, shape: Shape, work: Sequence[Batch]) -> float:
    """Events/s through ``services.ingest.record_events`` (worker not running)."""
    instance = world.prepare(config.workdir / "sync-inproc.db", shape)
    commands = [to_command(user, events) for user, events in work]
    started = time.perf_counter()
    for command in commands:
        results = record_events(instance.deps, command)
        _check(r.outcome for r in results)
    elapsed = time.perf_counter() - started
    instance.close()
    return sum(len(c.events) for c in commands) / elapsed


def over_http(config: Config, shape: Shape, work: Sequence[Batch]) -> float:
    """Events/s end to end: served by ``tracklog serve`` (embedded worker running), 2 clients."""
    db = config.workdir / "sync-http.db"
    instance = world.prepare(db, shape)
    token = world.admin_token(instance.deps.settings)
    instance.close()
    bodies = [orjson.dumps({"request": {"userId": u, "events": e}}) for u, e in work]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    env = world.environment_for(db)
    with servers.serving(servers.tracklog_command(), config.workdir / "sync.log", env) as url:

        def send(chunk: Sequence[bytes]) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
                for body in chunk:
                    response = client.post("/v1/view/sync", content=body)
                    response.raise_for_status()
                    _check(r["outcome"] for r in response.json()["result"]["results"])

        started = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(send, [bodies[0::2], bodies[1::2]]))
        elapsed = time.perf_counter() - started
    return sum(len(e) for _, e in work) / elapsed


def to_command(user: str, events: Sequence[dict[str, Any]]) -> RecordEvents:
    return RecordEvents(user, tuple(_track_event(e) for e in events), Source.SYNC)


def _track_event(event: dict[str, Any]) -> TrackEvent:
    return TrackEvent(
        type=EventType(event["type"]),
        content_id=event["contentId"],
        collection_id=event["collectionId"],
        event_id=event["eventId"],
        event_ts=event["eventTs"],
        progress=event.get("progress"),
        progress_details=event.get("progressDetails"),
    )


def _check(outcomes: Any) -> None:
    wrong = [o for o in outcomes if o != "applied"]
    if wrong:
        raise RuntimeError(f"{len(wrong)} events not applied: {wrong[:3]}")


def _figures(r: SyncResult) -> list[Figure]:
    http_target = f">= {HTTP_TARGET:,} events/s and >= {RAW_SHARE:.0%} of raw upsert"
    http_passed = r.http >= HTTP_TARGET and r.http >= RAW_SHARE * r.raw_upsert
    target = f">= {IN_PROCESS_TARGET:,} events/s"
    return [
        Figure("view/sync over HTTP", r.http, "events/s", http_target, http_passed,
               bare=r.raw_upsert, bare_name="raw sqlite3 upsert",
               note="1000-event batches, 2 client threads, embedded worker running"),
        Figure("record_events in-process", r.in_process, "events/s", target,
               r.in_process >= IN_PROCESS_TARGET, bare=r.raw_upsert,
               bare_name="raw sqlite3 upsert",
               note="same batches, worker not running"),
        Figure("raw upsert + journal + outbox (cost split)", r.raw_with_pipeline, "events/s",
               "(reference)", True, bare=r.raw_upsert, bare_name="raw sqlite3 upsert",
               note="plain sqlite3: what the journal and outbox rows cost without Tracklog"),
    ]  # fmt: skip
