"""The logs of a real run (issue 11 point 2): ``tracklog serve``, ``tracklog worker`` in server mode
and a few commands, with ``TRACKLOG_LOG_FORMAT=json``. Every line on stderr is a JSON record with
time, level, logger and message, or one of the commands' own messages to the person at the
terminal; a request's line names the request and the user; no token, key, secret or password
appears in anything the processes wrote."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from tests.e2e.cli import clean_env, last_line
from tracklog.domain.api_keys import hash_key
from tracklog.entrypoints.api.app import create_app
from tracklog.testing.backends import free_port
from tracklog.testing.instances import TEST_SECRET

DB_PASSWORD = "pw-in-the-url-7f3e9a"  # PostgreSQL's test server trusts, so any password works
GATEWAY_KEY = "the-gateway-key-5b1c"
REQUIRED = ("time", "level", "logger", "message")
# The few lines ``serve`` and ``worker`` print for a person besides their records (the commands
# print more: tables, lists, summaries; all of it is their conversation with the person).
SERVICE_LINES = re.compile(
    r"^ ?DEVELOPMENT +tracklog · mode \S+$"
    r"|^serving on http://\S+ \(docs at /docs\)$"
    r"|^server mode: summaries are aggregated by `tracklog worker` processes$"
    r"|^worker-\w+ (aggregating \(stop with Ctrl-C or SIGTERM\)|stopped)$"
)
SERVICES = ("serve stderr", "worker stderr")


@dataclass
class Run:
    """Everything the processes of one run wrote, stream by stream."""

    streams: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, done: subprocess.CompletedProcess[str]) -> None:
        self.streams[f"{name} stdout"] = done.stdout
        self.streams[f"{name} stderr"] = done.stderr

    def records(self) -> list[dict[str, Any]]:
        """Every JSON record on a stderr; a service's other lines are its few start-up lines,
        and nowhere is there a record left unformatted (a traceback, uvicorn's ``INFO:``)."""
        found = []
        for name, text in self.streams.items():
            if not name.endswith("stderr"):
                continue
            for line in text.splitlines():
                if line.startswith("{"):
                    record = orjson.loads(line)
                    assert all(key in record for key in REQUIRED), (name, line)
                    found.append(record)
                elif name in SERVICES:
                    assert SERVICE_LINES.match(line), f"{name}: {line!r}"
                else:
                    assert not re.match(r"(Traceback|INFO|WARNING|ERROR)\b", line), (name, line)
        return found


def tracklog(run: Run, name: str, env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tracklog", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    run.add(name, done)
    assert done.returncode in (0, 1), done.stderr  # reconcile says 1 when the data differ
    return done.stdout


class Process:
    def __init__(self, env: dict[str, str], tmp: Path, *args: str):
        self.out, self.err = tmp / f"{args[0]}.out", tmp / f"{args[0]}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tracklog", *args], env=env, stdout=out, stderr=err
            )

    def wait_for(self, ready: Any) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.err.read_text()
            if ready():
                return
            time.sleep(0.05)
        raise AssertionError(f"not ready:\n{self.err.read_text()}")

    def stop(self, run: Run, name: str) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        run.streams[f"{name} stdout"] = self.out.read_text()
        run.streams[f"{name} stderr"] = self.err.read_text()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def env(backend: str, database_url: str, redis_url: str | None) -> dict[str, str]:
    if backend == "postgres":
        database_url = database_url.replace("://postgres@", f"://postgres:{DB_PASSWORD}@", 1)
        assert DB_PASSWORD in database_url
    values = clean_env(database_url)
    values.update(
        TRACKLOG_LOG_FORMAT="json",
        TRACKLOG_LOG_LEVEL="info",
        TRACKLOG_ACCESS_LOG="true",
        TRACKLOG_LEGACY_API_KEYS=hash_key(GATEWAY_KEY),
    )
    if redis_url is not None:
        values["TRACKLOG_REDIS_URL"] = redis_url
    return values


def test_every_process_logs_json_lines_with_context_and_without_secrets(
    env: dict[str, str], backend: str, tmp_path: Path
) -> None:
    run = Run()
    tracklog(run, "db upgrade", env, "db", "upgrade")
    learner = last_line(
        tracklog(run, "token", env, "token", "create", "--sub", "learner-1", "--role", "learner")
    )
    admin = last_line(
        tracklog(run, "token admin", env, "token", "create", "--sub", "ops-1", "--role", "ops")
    )
    entry = tracklog(run, "hash-key", env, "token", "hash-key", stdin=GATEWAY_KEY)
    assert entry.strip() == hash_key(GATEWAY_KEY)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = Process(env, tmp_path, "serve", "--port", str(port))
    try:
        server.wait_for(lambda: _ready(url))
        answers = _requests(url, learner, admin)
        jobs = orjson.loads(tracklog(run, "jobs list", env, "jobs", "list", "--json"))
        assert isinstance(jobs, list)  # stdout is the command's JSON, no log line in it
        export = tmp_path / "export"
        tracklog(run, "export", env, "demo", "legacy-export", str(export), "--learners", "2")
        tracklog(run, "reconcile", env, "reconcile", "--from", str(export))
        if backend == "postgres":
            worker = Process(env, tmp_path, "worker")
            worker.wait_for(lambda: '"worker started"' in worker.err.read_text())
            worker.stop(run, "worker")
    finally:
        server.stop(run, "serve")

    records = run.records()
    by_message: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_message.setdefault(record["message"], []).append(record)
    _check_requests(by_message["request"], answers)
    [started] = by_message["server started"]
    assert started["port"] == port
    assert started["database"] == ("postgresql" if backend == "postgres" else "sqlite")
    assert started["mode"] == "strict"
    assert started["frozen_objects"] > 10_000  # the start-up heap set aside from the collector
    assert "database schema upgraded" in by_message
    assert {r["kind"] for r in by_message["job started"]} == {"reconcile"}
    [ended] = by_message["job ended"]
    assert (ended["kind"], ended["state"], ended["clean"]) == ("reconcile", "finished", False)
    assert "Application startup complete." in by_message  # uvicorn's own, through the same handler
    kinds = {r["kind"] for r in by_message["worker started"]}
    assert kinds == ({"stream"} if backend == "postgres" else {"embedded"})
    if backend == "postgres":
        assert len(by_message["worker stopped"]) == 1

    everything = "\n".join(
        text for name, text in run.streams.items() if not name.startswith("token")
    )  # but the stdout of `token create`, which is the token
    for secret in (learner, admin, GATEWAY_KEY, TEST_SECRET, DB_PASSWORD):
        assert secret not in everything
    assert "postgresql://" not in everything.replace("postgresql://postgres:[redacted]@", "")


def _requests(url: str, learner: str, admin: str) -> dict[str, httpx.Response]:
    bearer = {"Authorization": f"Bearer {learner}"}
    with httpx.Client(base_url=url, timeout=10) as http:
        return {
            "given id": http.get(
                "/v1/summary/list/learner-1", headers={**bearer, "X-Request-ID": "e2e-req-1"}
            ),
            "new id": http.post(
                "/v1/view/start", headers=bearer, json={"request": {"contentId": learner}}
            ),
            "ops": http.get("/v1/ops/pipeline", headers={"Authorization": f"Bearer {admin}"}),
            "legacy": http.post(
                "/api/course/v1/content/state/read",
                headers={
                    "Authorization": f"Bearer {GATEWAY_KEY}",
                    "X-Authenticated-User-Token": learner,
                },
                json={"request": {"userId": "learner-1", "courseId": "do_c", "batchId": "b"}},
            ),
            "no token": http.get("/v1/summary/list/learner-1"),
        }


def _check_requests(lines: list[dict[str, Any]], answers: dict[str, httpx.Response]) -> None:
    by_id = {line["request_id"]: line for line in lines}
    given = answers["given id"]
    assert given.status_code == 200
    assert given.headers["X-Request-ID"] == given.json()["params"]["msgid"] == "e2e-req-1"
    line = by_id["e2e-req-1"]
    assert line["user_id"] == "learner-1"
    assert (line["method"], line["route"], line["status"]) == (
        "GET",
        "/v1/summary/list/{userId}",
        200,
    )
    assert isinstance(line["duration_ms"], float)
    new = answers["new id"]
    line = by_id[new.headers["X-Request-ID"]]  # a request without an id is given one
    assert (line["route"], line["status"], line["user_id"]) == (
        "/v1/view/start",
        new.status_code,
        "learner-1",
    )
    assert by_id[answers["ops"].headers["X-Request-ID"]]["user_id"] == "ops-1"
    assert by_id[answers["legacy"].headers["X-Request-ID"]]["user_id"] == "learner-1"
    refused = by_id[answers["no token"].headers["X-Request-ID"]]
    assert refused["status"] == 401
    assert "user_id" not in refused
    assert not any(line["route"] in ("/readyz", "/healthz") for line in lines)  # DEBUG only


@pytest.mark.parametrize("enabled", [False, True])
def test_the_access_line_is_written_only_when_asked_for(
    make_tracklog: Any, caplog: pytest.LogCaptureFixture, enabled: bool
) -> None:
    instance = make_tracklog(access_log=enabled)
    app = create_app(instance, manage_lifecycle=False)
    with TestClient(app) as client, caplog.at_level(logging.INFO, logger="tracklog.access"):
        assert client.post("/v1/view/start", json={}).status_code == 401
    lines = [r for r in caplog.records if r.name == "tracklog.access"]
    assert len(lines) == (1 if enabled else 0)
    if enabled:
        assert (lines[0].__dict__["route"], lines[0].__dict__["status"]) == ("/v1/view/start", 401)
