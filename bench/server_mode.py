"""Server-mode benchmarks: throwaway PostgreSQL + Redis, 1 then 2 API processes, 3 workers.

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
from pathlib import Path

import httpx
import psycopg

from tracklog.bootstrap import Tracklog
from tracklog.testing import backends
from tracklog.testing.deployment import Deployment
from tracklog.testing.load import enrol_learners, wait_converged

Row = tuple[str, str, float]


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


def single_event_http(
    deployment: Deployment,
    urls: list[str],
    users: list[str],
    n: int,
    pace_per_s: float | None = None,
) -> list[Row]:
    tokens = [deployment.token(u) for u in users]

    def send(http: httpx.Client, i: int) -> httpx.Response:
        body = {"request": {"contentId": "abcde"[i % 5], "collectionId": "c1"}}
        body["request"]["eventId"] = uuid.uuid4().hex
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        return http.post(f"{urls[i % len(urls)]}/v1/view/end", json=body, headers=headers)

    elapsed, latencies = _timed_requests(n, 8, send, pace_per_s)
    name = f"single-event HTTP, {len(urls)} API process{'es' if len(urls) > 1 else ''}"
    return [
        (name, "requests/s", n / elapsed),
        (name, "p99 ms", _percentile(latencies, 0.99) * 1000),
    ]


def view_read(deployment: Deployment, urls: list[str], users: list[str], n: int) -> list[Row]:
    tokens = [deployment.token(u) for u in users]

    def send(http: httpx.Client, i: int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        body = {"request": {"collectionId": "c1"}}
        return http.post(f"{urls[i % len(urls)]}/v1/view/read", json=body, headers=headers)

    elapsed, latencies = _timed_requests(n, 8, send)
    return [
        ("view/read (Redis cache)", "requests/s", n / elapsed),
        ("view/read (Redis cache)", "p99 ms", _percentile(latencies, 0.99) * 1000),
    ]


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
    control: Tracklog, deployment: Deployment, urls: list[str], n: int, rate: float
) -> list[Row]:
    """Oldest pending trigger's age, sampled while single-event writes flow at ``rate``/s."""
    users = [f"lag-{i}" for i in range(50)]
    keys = enrol_learners(control, users)
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
    single_event_http(deployment, urls, users, n, pace_per_s=rate)
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
    deployment = Deployment(databases.create(), cache.url, Path(tempfile.mkdtemp()))
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
    users = [f"learner-{i}" for i in range(100)]
    enrol_learners(control, users)
    for _ in range(3):
        deployment.start_worker()
    urls = [deployment.start_api()]
    rows: list[Row] = single_event_http(deployment, urls, users, 1000 * scale)  # one API process
    one_process = rows[0][2]
    urls.append(deployment.start_api())
    rows += single_event_http(deployment, urls, users, 1000 * scale)
    capacity = rows[2][2]  # single-event requests/s, closed loop: the capacity of this set-up
    rows.append(("single-event HTTP, 2 API processes over 1", "ratio", capacity / one_process))
    rows += view_read(deployment, urls, users, 1000 * scale)
    rows += sync_against_copy(deployment, urls, 20 * scale)
    rows += aggregation_lag(control, deployment, urls, 500 * scale, capacity / 2)
    control.close()
    return rows


if __name__ == "__main__":
    main()
