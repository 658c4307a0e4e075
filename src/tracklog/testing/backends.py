"""Throwaway PostgreSQL and Redis servers started from the installed binaries, for the test session.

``TRACKLOG_TEST_DATABASE_URL`` (a PostgreSQL server URL whose user may ``CREATE DATABASE``) and
``TRACKLOG_TEST_REDIS_URL`` replace the throwaway servers when they are set. ``initdb`` refuses to
run as root, so as root the cluster is created and run as the ``postgres`` OS user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import redis


class BackendUnavailable(Exception):
    """A backend could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if found:
        return found[0]
    on_path = shutil.which(name)
    if on_path is None:
        raise BackendUnavailable(f"{name} not found (install the Debian package 'postgresql')")
    return on_path


class PostgresServer:
    """A PostgreSQL cluster in a temporary directory, trust auth, fsync off (tests only)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="tracklog-pg-"))
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackendUnavailable(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}")

    def start(self) -> PostgresServer:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        # UTF8 whatever the machine's locale (an unset LANG would give SQL_ASCII); C collation
        # orders like SQLite does (by code point).
        self._run(
            _postgres_bin("initdb"),
            *("-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"),
        )
        self._pg_start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(BackendUnavailable):
            self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def start_again(self) -> None:
        """Start a stopped server again, same data and port (fault tests)."""
        self._pg_start()

    def _pg_start(self) -> None:
        # fsync off is safe against a crash of the server (fault tests stop it with -m immediate);
        # synchronous_commit stays on so an acknowledged commit survives that crash.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=300"
        )
        log = str(self.root / "postgres.log")
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, "start"
        )

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresDatabases:
    """Fresh, empty databases on one server: ``create()`` returns the URL of a new one.

    Each "database" is a schema of its own, reached through ``search_path`` in the URL: creating
    and dropping a schema is instant, where ``CREATE DATABASE`` copies a template.
    """

    def __init__(self, server_url: str):
        self.server_url = server_url

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.server_url, autocommit=True, connect_timeout=5)

    def create(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        separator = "&" if "?" in self.server_url else "?"
        return f"{self.server_url}{separator}options=-csearch_path%3D{name}"

    def drop(self, url: str) -> None:
        name = url.rpartition("%3D")[2]
        with self._admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


class RedisServer:
    """A redis-server on a free port with persistence off (tests only)."""

    def __init__(self, *extra: str, port: int | None = None):
        self.port = port or free_port()
        self.extra = extra
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.root = Path(tempfile.mkdtemp(prefix="tracklog-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise BackendUnavailable("redis-server not found (install the package 'redis-server')")
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.root), *self.extra]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_redis(self.url)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too (so at most 55535)."""
    for _ in range(100):
        port = random.randint(20_000, 45_000)
        try:
            for candidate in (port, port + 10_000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise BackendUnavailable("no free port pair for a Redis Cluster node")


def wait_for_redis(url: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
            return
        except redis.RedisError as error:
            if time.monotonic() > deadline:
                raise BackendUnavailable(f"redis at {url} did not answer: {error}") from None
            time.sleep(0.05)


class RedisClusterServers:
    """Three redis-server masters joined into a Redis Cluster (no replicas), on free ports."""

    def __init__(self) -> None:
        options = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
        self.nodes = [RedisServer(*options, port=_cluster_port()) for _ in range(3)]
        self.url = f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> RedisClusterServers:
        for node in self.nodes:
            node.start()
        cli = shutil.which("redis-cli")
        if cli is None:
            raise BackendUnavailable("redis-cli not found (install the package 'redis-server')")
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        command = [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0"]
        done = subprocess.run(
            [*command, "--cluster-yes"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackendUnavailable(f"redis-cli --cluster create failed: {done.stdout[-500:]}")
        self._wait_until_ok()
        return self

    def _wait_until_ok(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            states = [
                redis.Redis(port=node.port).cluster("info").get("cluster_state")
                for node in self.nodes
            ]
            if states == ["ok"] * len(self.nodes):
                return
            time.sleep(0.1)
        raise BackendUnavailable("the Redis Cluster did not reach cluster_state:ok")

    def cleanup(self) -> None:
        for node in self.nodes:
            node.cleanup()
