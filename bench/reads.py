"""Benchmark 3: ``view/read`` and ``summary/read`` latency over HTTP on a realistic store."""

from __future__ import annotations

from pathlib import Path

from bench import raw_sqlite, servers, world
from bench.config import Config, Say
from bench.figures import Figure
from bench.loadgen import Load, LoadResult, closed_loop, paced
from bench.payloads import SUMMARY_READ, VIEW_READ, Payload
from bench.workload import Shape, sync_events
from tracklog.adapters.store.upsert import chunks
from tracklog.domain.model import Collection, EnrolmentKey
from tracklog.services import summaries
from tracklog.testing.instances import ready_instance

RATE_SHARE = 0.50  # max rate, of the bare endpoint's
P99_SHARE = 1.5  # p99 at half the max rate, of the bare endpoint's paced at the same rate


def run(config: Config, say: Say) -> list[Figure]:
    shape = Shape(users=config.read_users, contents_per_collection=config.read_contents)
    db = config.workdir / "reads.db"
    instance = world.prepare(db, shape)
    token = world.admin_token(instance.deps.settings)
    instance.close()
    records = fill(db, shape)
    say(f"store: {shape.users:,} learners x {shape.collections} enrolments, {records:,} records")
    aggregated = aggregate(db, shape)
    say(f"stored summaries: {aggregated:,} (as the worker leaves them)")
    seconds, conns = config.http_seconds, config.read_connections
    results: dict[str, LoadResult] = {}
    env = world.environment_for(db)
    with servers.serving(servers.tracklog_command(), config.workdir / "reads.log", env) as url:
        for payload in (VIEW_READ, SUMMARY_READ):
            top, half = _measure(url, payload, token, shape.users, seconds, conns)
            results[payload.path], results[payload.path + " max"] = half, top
    with servers.serving(servers.bare_command(), config.workdir / "bare-reads.log") as url:
        load = Load(url, VIEW_READ, token, shape.users, "bare")
        closed_loop(load, seconds=1, connections=conns)
        results["bare max"] = closed_loop(load, seconds=seconds, connections=conns)
        for p in (VIEW_READ, SUMMARY_READ):  # the bare endpoint paced at each path's rate
            rate = results[p.path].rate
            results[f"bare at {p.path}"] = paced(load, seconds=seconds, rate=rate)
    for name, r in results.items():
        say(f"{name}: p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms at {r.rate:,.0f} req/s")
    figures: list[Figure] = []
    for p in (VIEW_READ, SUMMARY_READ):
        top, half = results[p.path + " max"], results[p.path]
        figures += [
            _rate_figure(top, results["bare max"], p),
            _figure(half, top, results[f"bare at {p.path}"], p),
        ]
    return figures


def fill(db: Path, shape: Shape) -> int:
    """Each learner: every content started, the first half of each course completed."""
    slots = shape.collections * shape.contents_per_collection
    work = [(u, sync_events(shape, u, "fill", slots + slots // 2)) for u in shape.user_ids()]
    raw_sqlite.ingest(db, work, with_pipeline=False)
    return shape.users * slots


def aggregate(db: Path, shape: Shape) -> int:
    """Store every enrolment's summary, as the worker does within a second of the writes.

    ``summary/read`` computes the summary live on every read whatever is stored (read-your-
    writes); what a stored summary changes is that a completion the worker has recorded is not
    recorded again by the read. Without this step a third of the reads (the completed courses)
    would each be a first completion: a write and an fsync, which in service happens once per
    enrolment, within a second of the completing write, in the worker."""
    instance = ready_instance(world.settings_for(db))
    deps = instance.deps
    keys = [
        EnrolmentKey(user, collection, collection)
        for user in shape.user_ids()
        for collection in shape.collection_ids()
    ]
    collections: dict[str, Collection | None] = {}
    for part in chunks(keys, 500):
        with deps.store.unit_of_work() as uow:
            summaries.recompute_many(uow, deps.mode, part, collections=collections)
            uow.commit()
    instance.close()
    return len(keys)


def _measure(
    url: str, payload: Payload, token: str, users: int, seconds: float, conns: int
) -> tuple[LoadResult, LoadResult]:
    """The max rate (closed loop), then latency at half of it (paced)."""
    load = Load(url, payload, token, users, "read")
    closed_loop(load, seconds=1, connections=conns)  # warm-up
    top = closed_loop(load, seconds=seconds, connections=conns)
    return top, paced(load, seconds=seconds, rate=top.rate / 2)


def _rate_figure(top: LoadResult, bare: LoadResult, payload: Payload) -> Figure:
    return Figure(
        f"{payload.path.removeprefix('/v1/')} max request rate",
        top.rate,
        "req/s",
        f">= {RATE_SHARE:.0%} of bare FastAPI",
        top.rate >= RATE_SHARE * bare.rate and top.errors == 0,
        bare=bare.rate,
        bare_name="bare FastAPI",
        note=f"closed loop, the same connections for both; {top.errors} errors; {top.generator}",
    )


def _figure(result: LoadResult, top: LoadResult, bare: LoadResult, payload: Payload) -> Figure:
    return Figure(
        f"{payload.path.removeprefix('/v1/')} p99 latency at half max rate",
        result.p99_ms,
        "ms",
        f"<= {P99_SHARE}x bare FastAPI p99 paced at the same rate (SPEC: 5 ms on a quiet host)",
        result.p99_ms <= P99_SHARE * bare.p99_ms and result.errors == 0,
        bare=bare.p99_ms,
        bare_name="bare FastAPI p99 at the same rate",
        note=(
            f"p50 {result.p50_ms:.2f} ms at {result.rate:,.0f} req/s, half the max rate "
            f"({top.rate:,.0f} req/s, p99 {top.p99_ms:.1f} ms at max); bare endpoint paced at "
            f"the same rate: p50 {bare.p50_ms:.2f} ms; {result.errors + top.errors} errors; "
            f"{result.generator}"
        ),
    )
