"""Server-mode benchmarks: throwaway PostgreSQL + Redis, 1 then 2 API processes, 3 workers.

Load comes from ``wrk`` (``bench.loadgen``, as in ``python -m bench``), and the bare FastAPI
endpoint is measured first in the same run, with the same connections, as the yardstick.

Run from the repository root: ``.venv/bin/python -m bench.server_mode`` (or
``PYTHONPATH=. .venv/bin/python bench/server_mode.py``). Prints one markdown table. Sizes are
small by default so that it finishes in about a minute on 2 shared cores; ``--scale N`` multiplies
them.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

from bench import servers
from bench.loadgen import Load, LoadResult, closed_loop, paced
from bench.payloads import SUMMARY_READ, VIEW_READ, VIEW_UPDATE
from bench.workload import Shape
from bench.world import register_collections
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.domain.model import EnrolmentKey
from tracklog.services import registry
from tracklog.services.commands import Enrol
from tracklog.testing import backends
from tracklog.testing.deployment import Deployment
from tracklog.testing.load import wait_converged

Row = tuple[str, str, float]
CONNECTIONS = 8  # per measurement, shared out over the API processes


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _timed_requests(
    count: int,
    clients: int,
    send: Callable[[httpx.Client, int], httpx.Response],
    pace_per_s: float | None = None,
) -> tuple[float, list[float]]:
    """Send ``count`` requests from ``clients`` threads: closed loop, or paced at a total rate."""
    latencies: list[float] = []
    lock = threading.Lock()
    began = time.perf_counter()

    def run(index: int) -> None:
        with httpx.Client(timeout=30) as http:
            for n in range(index, count, clients):
                if pace_per_s:
                    time.sleep(max(0.0, began + n / pace_per_s - time.perf_counter()))
                start = time.perf_counter()
                reply = send(http, n)
                elapsed = time.perf_counter() - start
                assert reply.status_code == 200, reply.text
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def world(control: Tracklog, shape: Shape) -> list[EnrolmentKey]:
    """The SQLite benchmarks' world on PostgreSQL: the shape's collections registered and every
    learner enrolled in each (the payloads of ``bench.payloads`` write and read there)."""
    deps = control.deps
    register_collections(deps, shape)  # enrolled one by one: SQLite's bulk insert is not for here
    keys = [
        EnrolmentKey(user, collection, collection)
        for user in shape.user_ids()
        for collection in shape.collection_ids()
    ]
    for key in keys:
        registry.enrol(deps, key.user_id, Enrol(key.user_id, key.collection_id))
    return keys


def closed_loops(loads: list[Load], seconds: float, connections: int) -> LoadResult:
    """One ``wrk`` per API process at once (``connections`` shared out), summed."""
    each = max(1, connections // len(loads))
    with ThreadPoolExecutor(len(loads)) as pool:
        results = list(
            pool.map(lambda load: closed_loop(load, seconds=seconds, connections=each), loads)
        )
    return LoadResult(  # latencies: the larger of the processes' percentiles
        sum(r.requests for r in results),
        max(r.seconds for r in results),
        sum(r.errors for r in results),
        max(r.p50_ms for r in results),
        max(r.p99_ms for r in results),
        results[0].generator,
    )


def single_event_http(loads: list[Load], seconds: float) -> tuple[list[Row], LoadResult]:
    top = closed_loops(loads, seconds, CONNECTIONS)
    processes = f"{len(loads)} API process{'es' if len(loads) > 1 else ''}"
    name = f"single-event HTTP (view/update), {processes}"
    return [
        (name, "requests/s", top.rate),
        (name, "p99 ms", top.p99_ms),
        (name, "errors", float(top.errors)),
    ], top


def reads(url: str, token: str, users: int, seconds: float, bare: Load) -> list[Row]:
    """``view/read`` and ``summary/read`` on one API process in server mode (records and registry
    from PostgreSQL, Redis for the registry cache and the stream): the max rate, then the p99 at
    half of it, each beside the bare endpoint measured the same way in the same run."""
    rows: list[Row] = []
    for payload in (VIEW_READ, SUMMARY_READ):
        load = Load(url, payload, token, users, "read")
        closed_loop(load, seconds=1, connections=CONNECTIONS)  # warm-up
        top = closed_loop(load, seconds=seconds, connections=CONNECTIONS)
        half = paced(load, seconds=seconds, rate=top.rate / 2)
        bare_half = paced(bare, seconds=seconds, rate=top.rate / 2)
        name = f"{payload.path.removeprefix('/v1/')}, 1 API process (PostgreSQL + Redis)"
        rows += [
            (name, "requests/s", top.rate),
            (f"{name}, p99 at half that rate", "ms", half.p99_ms),
            ("bare endpoint paced at the same rate, p99", "ms", bare_half.p99_ms),
            (f"{name}, errors", "count", float(top.errors + half.errors)),
        ]
    return rows


def sync_against_copy(deployment: Deployment, urls: list[str], batches: int) -> list[Row]:
    """``view/sync`` of 100-event batches against a raw COPY of as many consumption rows."""
    token = deployment.token("sync-learner")
    events = 100

    def send(http: httpx.Client, i: int) -> httpx.Response:
        batch = [
            {
                "type": "end",
                "contentId": f"x{i}-{j}",
                "eventId": uuid.uuid4().hex,
                "eventTs": int(time.time() * 1000),
            }
            for j in range(events)
        ]
        headers = {"Authorization": f"Bearer {token}"}
        return http.post(
            f"{urls[0]}/v1/view/sync", json={"request": {"events": batch}}, headers=headers
        )

    elapsed, _ = _timed_requests(batches, 1, send)
    with httpx.Client(timeout=30) as http:  # the batches were applied, not rejected
        last = send(http, batches).json()["result"]["results"]
    assert {r["outcome"] for r in last} == {"applied"}, last[:2]
    copy_rate = _copy_rate(str(deployment.values["database_url"]), batches * events)
    return [
        ("view/sync, 100 events per call, 1 client", "events/s", batches * events / elapsed),
        ("raw COPY into consumption (same row count)", "rows/s", copy_rate),
    ]


def _copy_rate(url: str, rows: int) -> float:
    base, _, options = url.partition("?options=-csearch_path%3D")
    with psycopg.connect(base) as conn:
        conn.execute(f'SET search_path TO "{options}"')
        data = io.StringIO()
        for i in range(rows):
            data.write(f"copy-user\tc\tc\tk{i}\t2\t100\t\t1\t1\t1\t0\n")
        began = time.perf_counter()
        with conn.cursor().copy(
            "COPY consumption (user_id, collection_id, context_id, content_id, status, progress,"
            " progress_details_event, start_count, completed_count, event_count, updated_ts)"
            " FROM STDIN"
        ) as copy:
            copy.write(data.getvalue())
        conn.commit()
        return rows / (time.perf_counter() - began)


def aggregation_lag(
    control: Tracklog, loads: list[Load], keys: list[EnrolmentKey], seconds: float, rate: float
) -> list[Row]:
    """Oldest pending trigger's age, sampled while single-event writes flow at ``rate``/s."""
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            with control.deps.store.reader() as uow:
                _, oldest = uow.outbox.backlog()
            samples.append(0.0 if oldest is None else max(0, time.time() * 1000 - oldest) / 1000)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    with ThreadPoolExecutor(len(loads)) as pool:
        share = rate / len(loads)
        list(pool.map(lambda load: paced(load, seconds=seconds, rate=share, connections=4), loads))
    wait_converged(control, keys)
    done.set()
    sampler.join()
    name = f"aggregation lag, 3 workers, writes paced at {rate:.0f}/s (50 % of capacity)"
    return [(name, "p99 s (sampled)", _percentile(samples, 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    scale = parser.parse_args().scale
    postgres, cache = backends.PostgresServer().start(), backends.RedisServer().start()
    databases = backends.PostgresDatabases(postgres.url)
    # the shipped worker poll (200 ms), not the tests' faster one
    deployment = Deployment(
        databases.create(), cache.url, Path(tempfile.mkdtemp()), worker_poll_ms=200
    )
    try:
        rows = _run(deployment, scale)
    finally:
        deployment.stop()
        cache.cleanup()
        postgres.cleanup()
    print("| benchmark | unit | value |\n|---|---|---|")
    for name, unit, value in rows:
        print(f"| {name} | {unit} | {value:.1f} |")


def _run(deployment: Deployment, scale: int) -> list[Row]:
    control = deployment.control()
    shape = Shape(users=100 * scale, contents_per_collection=20)
    keys = world(control, shape)
    token = deployment.token("bench-admin", Role.ADMIN, Role.REPORTER)
    seconds = 5.0
    rows: list[Row] = []
    with servers.serving(servers.bare_command(), deployment.logs / "bare.log") as bare_url:
        bare = Load(bare_url, VIEW_READ, token, shape.users, "bare")
        closed_loop(bare, seconds=1, connections=CONNECTIONS)
        top = closed_loop(bare, seconds=seconds, connections=CONNECTIONS)
        rows.append(("bare FastAPI endpoint, 1 process", "requests/s", top.rate))
        for _ in range(3):
            deployment.start_worker()
        urls = [deployment.start_api()]

        def updates(prefix: str) -> list[Load]:
            return [Load(url, VIEW_UPDATE, token, shape.users, prefix) for url in urls]

        closed_loops(updates("warm"), 1, CONNECTIONS)
        one, single = single_event_http(updates("one"), seconds)
        rows += one
        rows += reads(urls[0], token, shape.users, seconds, bare)
        urls.append(deployment.start_api())
        closed_loops(updates("warm2"), 1, CONNECTIONS)
        two, both = single_event_http(updates("two"), seconds)
        rows += two
    rows.append(("single-event HTTP, 2 API processes over 1", "ratio", both.rate / single.rate))
    rows += sync_against_copy(deployment, urls, 20 * scale)
    rows += aggregation_lag(control, updates("lag"), keys, seconds, both.rate / 2)
    control.close()
    return rows


if __name__ == "__main__":
    main()
