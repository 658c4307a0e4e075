"""Benchmark 3: ``view/read`` and ``summary/read`` latency over HTTP on a realistic store."""

from __future__ import annotations

from pathlib import Path

from bench import raw_sqlite, servers, world
from bench.config import Config, Say
from bench.figures import Figure
from bench.loadgen import Load, LoadResult, closed_loop, paced
from bench.payloads import SUMMARY_READ, VIEW_READ, Payload
from bench.workload import Shape, sync_events

P99_LIMIT_MS = 5.0


def run(config: Config, say: Say) -> list[Figure]:
    shape = Shape(users=config.read_users, contents_per_collection=config.read_contents)
    db = config.workdir / "reads.db"
    instance = world.prepare(db, shape)
    token = world.admin_token(instance.deps.settings)
    instance.close()
    records = fill(db, shape)
    say(f"store: {shape.users:,} learners x {shape.collections} enrolments, {records:,} records")
    seconds, conns = config.http_seconds, config.read_connections
    results: dict[str, LoadResult] = {}
    env = world.environment_for(db)
    with servers.serving(servers.tracklog_command(), config.workdir / "reads.log", env) as url:
        for payload in (VIEW_READ, SUMMARY_READ):
            top, half = _measure(url, payload, token, shape.users, seconds, conns)
            results[payload.path], results[payload.path + " max"] = half, top
    with servers.serving(servers.bare_command(), config.workdir / "bare-reads.log") as url:
        rate = results[VIEW_READ.path].rate  # the bare endpoint at the same request rate
        load = Load(url, VIEW_READ, token, shape.users, "bare")
        closed_loop(load, seconds=1, connections=conns)
        results["bare"] = paced(load, seconds=seconds, rate=rate)
    for name, r in results.items():
        say(f"{name}: p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms at {r.rate:,.0f} req/s")
    return [
        _figure(results[p.path], results[p.path + " max"], results["bare"], p)
        for p in (VIEW_READ, SUMMARY_READ)
    ]


def fill(db: Path, shape: Shape) -> int:
    """Each learner: every content started, the first half of each course completed."""
    slots = shape.collections * shape.contents_per_collection
    work = [(u, sync_events(shape, u, "fill", slots + slots // 2)) for u in shape.user_ids()]
    raw_sqlite.ingest(db, work, with_pipeline=False)
    return shape.users * slots


def _measure(
    url: str, payload: Payload, token: str, users: int, seconds: float, conns: int
) -> tuple[LoadResult, LoadResult]:
    """The max rate (closed loop), then latency at half of it (paced)."""
    load = Load(url, payload, token, users, "read")
    closed_loop(load, seconds=1, connections=conns)  # warm-up
    top = closed_loop(load, seconds=seconds, connections=conns)
    return top, paced(load, seconds=seconds, rate=top.rate / 2)


def _figure(result: LoadResult, top: LoadResult, bare: LoadResult, payload: Payload) -> Figure:
    return Figure(
        f"{payload.path.removeprefix('/v1/')} p99 latency at half max rate",
        result.p99_ms,
        "ms",
        f"< {P99_LIMIT_MS:.0f} ms",
        result.p99_ms < P99_LIMIT_MS and result.errors == 0,
        bare=bare.p99_ms,
        bare_name="bare FastAPI p99",
        note=(
            f"p50 {result.p50_ms:.2f} ms at {result.rate:,.0f} req/s, half the max rate "
            f"({top.rate:,.0f} req/s, p99 {top.p99_ms:.1f} ms at max); bare endpoint paced at "
            f"view/read's rate: p50 {bare.p50_ms:.2f} ms; {result.errors + top.errors} errors; "
            f"{result.generator}"
        ),
    )
