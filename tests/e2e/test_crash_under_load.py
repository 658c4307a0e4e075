"""``kill -9`` of ``tracklog serve`` while concurrent writes flow through the group commit: every
write that was acknowledged is in the store after the crash, and a restarted server finishes the
aggregation of every one of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from tracklog.adapters.store import tables
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.domain.model import EnrolmentKey
from tracklog.services import registry
from tracklog.services.commands import Enrol, PutCollection
from tracklog.settings import Settings
from tracklog.testing.adapters import sql
from tracklog.testing.backends import free_port
from tracklog.testing.convergence import unconverged
from tracklog.testing.instances import TEST_SECRET, ready_instance

USERS = [f"learner-{n}" for n in range(12)]
LEAVES = tuple(f"lesson-{n}" for n in range(8))
CLIENTS = 12


def serve(database_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    env.update({"TRACKLOG_DATABASE_URL": database_url, "TRACKLOG_AUTH_JWT_SECRET": TEST_SECRET})
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracklog", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"tracklog serve did not start:\n{log.read_text()}")


class Writers:
    """``CLIENTS`` threads writing single events until stopped; they remember what was
    acknowledged (a 200), which is all the server promised to keep."""

    def __init__(self, url: str, token: str):
        self.acknowledged: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._url, self._token = url, token
        self._threads = [threading.Thread(target=self._write, args=(i,)) for i in range(CLIENTS)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

    def _write(self, index: int) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        with httpx.Client(base_url=self._url, headers=headers, timeout=10) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                user, event_id = USERS[(index + n) % len(USERS)], f"c{index}-{n}"
                content = LEAVES[n % len(LEAVES)]
                body: dict[str, object] = {"userId": user, "contentId": content}
                body["collectionId"] = "c1"
                body |= {"eventId": event_id, "progress": n % 100}
                try:
                    response = http.post("/v1/view/update", json={"request": body})
                except httpx.HTTPError:
                    return  # the server is gone: what was not answered was not acknowledged
                if response.status_code == 200:
                    with self._lock:
                        self.acknowledged.add((user, event_id))


def journalled(settings: Settings) -> set[tuple[str, str]]:
    instance = ready_instance(settings)
    j = tables.event_journal.c
    with instance.deps.store.reader() as uow:
        stored = set(sql(uow).execute(select(j.user_id, j.event_id)).all())
    instance.close()
    return {(user, event_id) for user, event_id in stored}


def test_every_acknowledged_write_survives_a_kill_9_under_load(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'crash.db'}"
    settings = Settings.model_validate(
        {"database_url": database_url, "auth_jwt_secret": TEST_SECRET, "embedded_worker": False}
    )
    setup = ready_instance(settings)
    registry.put_collection(setup.deps, "admin", PutCollection("c1", LEAVES))
    for user in USERS:
        registry.enrol(setup.deps, user, Enrol(user, "c1"))
    setup.close()
    token = TokenCodec(settings).mint("admin", [Role.ADMIN], 3600)
    process, url = serve(database_url, tmp_path / "serve.log")

    writers = Writers(url, token)
    while len(writers.acknowledged) < 300 and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # mid-flight: requests are queued and in the writer
    assert process.wait(10) == -signal.SIGKILL
    writers.stop()
    assert len(writers.acknowledged) >= 300
    assert writers.acknowledged - journalled(settings) == set()  # nothing acknowledged was lost

    process, url = serve(database_url, tmp_path / "serve.log")  # restart: the worker catches up
    try:
        keys = [EnrolmentKey(user, "c1", "c1") for user in USERS]
        check = ready_instance(settings)
        deadline = time.monotonic() + 60
        while unconverged(check.deps, keys) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert unconverged(check.deps, keys) == []
        check.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
