"""Deployments of real processes: a server-mode one (``tracklog serve`` and ``tracklog worker``
on PostgreSQL and Redis) and a single embedded ``tracklog serve``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.settings import Settings
from tracklog.testing.backends import free_port
from tracklog.testing.instances import TEST_SECRET, ready_instance


class Deployment:
    """API and worker subprocesses on one PostgreSQL database and one Redis."""

    def __init__(self, database_url: str, redis_url: str, logs: Path, **settings: Any):
        self.values: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": redis_url,
            "auth_jwt_secret": TEST_SECRET,
            "worker_poll_ms": 50,
            "worker_lease_ms": 2000,
            "stream_redeliver_ms": 3000,
            **settings,
        }
        self.logs = logs
        self.apis: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.codec = TokenCodec(self.settings())

    def settings(self) -> Settings:
        return Settings.model_validate(self.values)

    def control(self) -> Tracklog:
        """An in-test instance on the same stores (migrates first; never runs a worker)."""
        return ready_instance(self.settings())

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
        env.update({f"TRACKLOG_{k.upper()}": str(v) for k, v in self.values.items()})
        return env

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "tracklog", *args]
        return subprocess.Popen(command, env=self._env(), stdout=log, stderr=subprocess.STDOUT)

    def start_api(self) -> str:
        port = free_port()
        process = self._spawn(f"api-{port}", "serve", "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        self.apis.append((process, url))
        _wait_until_healthy(url, process)
        return url

    def start_worker(self) -> subprocess.Popen[bytes]:
        process = self._spawn(f"worker-{len(self.workers)}", "worker")
        self.workers.append(process)
        return process

    def run_cli(self, *args: str) -> str:
        """Run a ``tracklog`` command against this deployment; returns its output."""
        command = [sys.executable, "-m", "tracklog", *args]
        done = subprocess.run(
            command, env=self._env(), capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def token(self, user: str, *roles: Role) -> str:
        return self.codec.mint(user, list(roles or (Role.LEARNER,)), 3600)

    def stop(self) -> None:
        for process in [p for p, _ in self.apis] + self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [p for p, _ in self.apis] + self.workers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@contextmanager
def embedded_server(database_url: str, logs: Path, **settings: Any) -> Iterator[str]:
    """``tracklog serve`` as a subprocess on a free port (embedded mode: its own worker); yields
    its base URL once healthy, and stops it on the way out."""
    values = {"database_url": database_url, "auth_jwt_secret": TEST_SECRET, **settings}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKLOG_")}
    env.update({f"TRACKLOG_{k.upper()}": str(v) for k, v in values.items()})
    port = free_port()
    command = [sys.executable, "-m", "tracklog", "serve", "--port", str(port)]
    with (logs / f"serve-{port}.log").open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode} while starting")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become healthy")
