"""Benchmark 1: single-event ``POST /v1/view/update`` over HTTP against a bare FastAPI endpoint."""

from __future__ import annotations

from bench import raw_sqlite, servers, world
from bench.config import Config, Say
from bench.figures import Figure
from bench.loadgen import Load, LoadResult, closed_loop, paced
from bench.payloads import VIEW_UPDATE
from bench.workload import Shape, sync_events

RATE_SHARE = 0.60
P99_LIMIT_MS = 20.0


def run(config: Config, say: Say) -> list[Figure]:
    db = config.workdir / "update.db"
    shape = Shape(users=config.update_users)
    instance = world.prepare(db, shape)
    token = world.admin_token(instance.deps.settings)
    instance.close()
    seconds, conns = config.http_seconds, config.connections
    fsync_limit = _fsync_limit(config, shape)
    say(f"raw sqlite3, one durable transaction per event: {fsync_limit:,.0f} tx/s")

    with servers.serving(servers.bare_command(), config.workdir / "bare.log") as url:
        load = Load(url, VIEW_UPDATE, token, shape.users, "bare")
        closed_loop(load, seconds=1, connections=conns)  # warm-up
        bare = closed_loop(load, seconds=seconds, connections=conns)
    say(f"bare FastAPI: {bare.rate:,.0f} req/s, p99 {bare.p99_ms:.1f} ms ({bare.generator})")

    env = world.environment_for(db)
    with servers.serving(servers.tracklog_command(), config.workdir / "serve.log", env) as url:
        load = Load(url, VIEW_UPDATE, token, shape.users, "max")
        closed_loop(
            Load(url, VIEW_UPDATE, token, shape.users, "warm"), seconds=1, connections=conns
        )
        top = closed_loop(load, seconds=seconds, connections=conns)
        say(f"tracklog view/update: {top.rate:,.0f} req/s, p99 {top.p99_ms:.1f} ms")
        half = paced(
            Load(url, VIEW_UPDATE, token, shape.users, "half"), seconds=seconds, rate=top.rate / 2
        )
        say(f"at {half.rate:,.0f} req/s: p50 {half.p50_ms:.1f} ms, p99 {half.p99_ms:.1f} ms")
    return _figures(bare, top, half, fsync_limit)


def _fsync_limit(config: Config, shape: Shape) -> float:
    db = config.workdir / "one-tx.db"
    world.prepare(db, shape).close()
    user = shape.user_ids()[0]
    return raw_sqlite.one_transaction_per_event(db, user, sync_events(shape, user, "tx", 300))


def _figures(
    bare: LoadResult, top: LoadResult, half: LoadResult, fsync_limit: float
) -> list[Figure]:
    errors = top.errors + half.errors
    note = f"load generator {top.generator}; {errors} non-2xx/failed requests"
    return [
        Figure(
            "view/update max request rate",
            top.rate,
            "req/s",
            f">= {RATE_SHARE:.0%} of bare FastAPI",
            top.rate >= RATE_SHARE * bare.rate and errors == 0,
            bare=bare.rate,
            bare_name="bare FastAPI",
            note=note,
        ),
        Figure(
            f"view/update p99 at half max rate ({half.rate:,.0f} req/s achieved)",
            half.p99_ms,
            "ms",
            f"< {P99_LIMIT_MS:.0f} ms",
            half.p99_ms < P99_LIMIT_MS and errors == 0,
            note=f"p50 {half.p50_ms:.1f} ms; 8 connections paced; {note}",
        ),
        Figure(
            "view/update max rate vs one durable SQLite transaction per event",
            top.rate,
            "req/s",
            "(reference)",
            True,
            bare=fsync_limit,
            bare_name="raw sqlite3 one tx per event",
            note=(
                "single-threaded plain sqlite3, each event its own BEGIN IMMEDIATE ... COMMIT "
                "(record upsert + journal + outbox) with synchronous=FULL: the fsync limit "
                "that one transaction per request imposes"
            ),
        ),
    ]
