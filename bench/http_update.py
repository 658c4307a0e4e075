"""Benchmark 1: single-event ``POST /v1/view/update`` over HTTP against a bare FastAPI endpoint."""

from __future__ import annotations

from bench import raw_sqlite, servers, world
from bench.config import Config, Say
from bench.figures import Figure
from bench.loadgen import Load, LoadResult, closed_loop, paced
from bench.payloads import LEGACY_UPDATE, VIEW_UPDATE
from bench.workload import Shape, sync_events

RATE_SHARE = 0.60
P99_SHARE = 1.5  # p99 at half the max rate, against the bare endpoint's paced at the same rate


def run(config: Config, say: Say) -> list[Figure]:
    db = config.workdir / "update.db"
    shape = Shape(users=config.update_users)
    instance = world.prepare(db, shape)
    token = world.admin_token(instance.deps.settings)
    instance.close()
    fsync_limit = _fsync_limit(config, shape)
    say(f"raw sqlite3, one durable transaction per event: {fsync_limit:,.0f} tx/s")
    env = world.environment_for(db)
    with servers.serving(servers.tracklog_command(), config.workdir / "serve.log", env) as url:
        top = _max_rate(config, Load(url, VIEW_UPDATE, token, shape.users, "max"))
        say(f"tracklog view/update: {top.rate:,.0f} req/s, p99 {top.p99_ms:.1f} ms")
        half_load = Load(url, VIEW_UPDATE, token, shape.users, "half")
        half = paced(half_load, seconds=config.http_seconds, rate=top.rate / 2)
        say(f"at {half.rate:,.0f} req/s: p50 {half.p50_ms:.1f} ms, p99 {half.p99_ms:.1f} ms")
        legacy = _max_rate(config, Load(url, LEGACY_UPDATE, token, shape.users, "legacy"))
        say(f"tracklog legacy content/state/update: {legacy.rate:,.0f} req/s")
    with servers.serving(servers.bare_command(), config.workdir / "bare.log") as url:
        bare = _max_rate(config, Load(url, VIEW_UPDATE, token, shape.users, "bare"))
        bare_half_load = Load(url, VIEW_UPDATE, token, shape.users, "bare-half")
        bare_half = paced(bare_half_load, seconds=config.http_seconds, rate=top.rate / 2)
    say(f"bare FastAPI: {bare.rate:,.0f} req/s ({bare.generator}); p99 {bare_half.p99_ms:.1f} ms "
        f"at {bare_half.rate:,.0f} req/s")  # fmt: skip
    env["TRACKLOG_SQLITE_SYNCHRONOUS"] = "NORMAL"
    with servers.serving(servers.tracklog_command(), config.workdir / "normal.log", env) as url:
        normal = _max_rate(config, Load(url, VIEW_UPDATE, token, shape.users, "normal"))
    say(f"tracklog view/update with synchronous=NORMAL: {normal.rate:,.0f} req/s")
    figures = _figures(bare, top, half, bare_half, fsync_limit)
    return [*figures, _legacy_figure(legacy, bare), _normal_figure(normal, bare)]


def _legacy_figure(legacy: LoadResult, bare: LoadResult) -> Figure:
    note = (
        "lms-service's route and body, a Tracklog JWT in Authorization; the items go through "
        f"the same group commit as view/update; {legacy.errors} errors"
    )
    name = "legacy content/state/update max rate (one content per request)"
    return _reference(name, legacy, bare, note, passed=legacy.errors == 0)


def _normal_figure(normal: LoadResult, bare: LoadResult) -> Figure:
    note = (
        "the same server with TRACKLOG_SQLITE_SYNCHRONOUS=NORMAL (no fsync per commit; loses "
        "the last transactions on power loss, so not the default, decision 0007): what the "
        f"fsyncs cost; {normal.errors} errors"
    )
    name = "view/update max rate with synchronous=NORMAL (not the default)"
    return _reference(name, normal, bare, note, passed=True)


def _reference(
    name: str, result: LoadResult, bare: LoadResult, note: str, *, passed: bool
) -> Figure:
    """A figure shown beside the bare endpoint's rate, with no target of its own."""
    return Figure(
        name,
        result.rate,
        "req/s",
        "(reference)",
        passed,
        bare=bare.rate,
        bare_name="bare FastAPI",
        note=note,
    )


def _max_rate(config: Config, load: Load) -> LoadResult:
    warm = Load(load.url, load.payload, load.token, load.users, load.prefix + "w")
    closed_loop(warm, seconds=1, connections=config.connections)
    return closed_loop(load, seconds=config.http_seconds, connections=config.connections)


def _fsync_limit(config: Config, shape: Shape) -> float:
    db = config.workdir / "one-tx.db"
    world.prepare(db, shape).close()
    user = shape.user_ids()[0]
    return raw_sqlite.one_transaction_per_event(db, user, sync_events(shape, user, "tx", 300))


def _figures(
    bare: LoadResult, top: LoadResult, half: LoadResult, bare_half: LoadResult, fsync_limit: float
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
            f"<= {P99_SHARE}x bare FastAPI p99 paced at the same rate",
            half.p99_ms <= P99_SHARE * bare_half.p99_ms and errors == 0,
            bare=bare_half.p99_ms,
            bare_name="bare FastAPI p99 at the same rate",
            note=(
                f"p50 {half.p50_ms:.1f} ms; 8 connections paced; bare endpoint paced the same: "
                f"{bare_half.rate:,.0f} req/s, p50 {bare_half.p50_ms:.1f} ms; {note}"
            ),
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
