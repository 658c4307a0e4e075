"""The migration incident, replayed: two module types stop sending while four go on, and
`tracklog monitor --once`, a separate process reading only the store, alerts on exactly those two
within the hour (here: windows scaled down to 15 minutes against the same window an hour back),
names them, stays quiet for a type whose volume only dips, and POSTs one alert per type."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import clean_env, tracklog
from tracklog.adapters.clock import ManualClock
from tracklog.bootstrap import Tracklog
from tracklog.domain.event_counts import BUCKET_MS
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import EventType, Source
from tracklog.services import ingest, registry
from tracklog.services.commands import PutCollection, RecordEvents
from tracklog.services.event_counts import flush_counts
from tracklog.testing.fakes import T0

TYPES = ("Resource", "SelfAssess", "QuestionSet", "Video", "Practice", "Survey")
STOPPED = {"Practice", "Survey"}  # the incident: these clients stopped sending
DIPPED = "Video"  # sends 5 instead of 8 per bucket: a dip, not an outage
PER_BUCKET = 8
BUCKETS = 21  # 1 h 45 min of steady traffic: the baseline windows (an hour back) and the current
START = T0 - T0 % BUCKET_MS
SCALED = {"TRACKLOG_ALERT_WINDOW": "15m", "TRACKLOG_ALERT_BASELINE_OFFSET": "1h"}


class Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Handler", (Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/alerts", received
    server.shutdown()


def steady_traffic(instance: Tracklog, clock: ManualClock) -> int:
    """Events of six module types, bucket by bucket; the last three buckets (the current 15-minute
    window) without the stopped types and with fewer of the dipped one. Returns "now"."""
    deps = instance.deps
    modules = {f"content-{t}": t for t in TYPES}
    registry.put_collection(
        deps, "admin-1", PutCollection("course-1", tuple(modules), module_types=modules)
    )
    for bucket in range(BUCKETS):
        clock.advance(START + bucket * BUCKET_MS + 1000 - clock.now_ms())
        current = bucket >= BUCKETS - 3
        for module in TYPES:
            if current and module in STOPPED:
                continue
            count = 5 if current and module == DIPPED else PER_BUCKET
            events = tuple(
                TrackEvent(
                    EventType.UPDATE,
                    f"content-{module}",
                    "course-1",
                    event_id=f"{module}-{bucket}-{n}",
                    event_ts=clock.now_ms(),
                    progress=min(99, bucket + n),
                )
                for n in range(count)
            )
            ingest.record_events(deps, RecordEvents(f"learner-{module}", events, Source.SYNC))
        instance.worker.drain()  # the pipeline keeps up: only the volumes are wrong
    flush_counts(deps)
    return START + BUCKETS * BUCKET_MS + 1000  # just after the last bucket closed


def test_monitor_once_names_exactly_the_module_types_that_went_silent(
    make_tracklog: Any,
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    clock = ManualClock(START)
    now = steady_traffic(make_tracklog(clock=clock), clock)
    url, received = webhook
    env = clean_env(database_url) | SCALED | {"TRACKLOG_TEST_CLOCK_MS": str(now)}
    if redis_url is not None:
        env["TRACKLOG_REDIS_URL"] = redis_url

    run = tracklog(tmp_path, env, "monitor", "--once", "--json", "--webhook", url)

    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert not report["healthy"]
    fired = {(a["alert"], a["subject"]) for a in report["alerts"]}
    assert fired == {("module_type_silent", t) for t in STOPPED}
    for alert in report["alerts"]:
        assert alert["subject"] in alert["message"]
    assert report["volumes"][DIPPED]["current"] == 15
    assert report["volumes"]["Resource"]["current"] == 3 * PER_BUCKET
    posted = sorted((p["alert"], p["subject"], p["state"]) for p in received)
    assert posted == sorted(("module_type_silent", t, "firing") for t in STOPPED)
    assert all(p["environment"] == "development" for p in received)


def test_monitor_once_is_quiet_while_every_type_keeps_sending(
    make_tracklog: Any, database_url: str, redis_url: str | None, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    instance = make_tracklog(clock=clock)
    steady_traffic(instance, clock)
    before_stop = START + (BUCKETS - 3) * BUCKET_MS + 1000  # the hour before the incident
    env = clean_env(database_url) | SCALED | {"TRACKLOG_TEST_CLOCK_MS": str(before_stop)}
    if redis_url is not None:
        env["TRACKLOG_REDIS_URL"] = redis_url

    run = tracklog(tmp_path, env, "monitor", "--once")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "healthy: no alert" in run.stdout
