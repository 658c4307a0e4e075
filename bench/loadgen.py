"""HTTP load: ``wrk`` (C, with a Lua script for unique POST bodies), or a Python fallback."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.payloads import Payload
from bench.stats import percentile

WRK = "wrk"
FALLBACK = "python-httpx (wrk not installed: the generator may be the limit)"


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    generator: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Load:
    """Who is asked what: base URL, payload, bearer token, learners to spread the load over."""

    url: str
    payload: Payload
    token: str
    users: int
    prefix: str


LUA = """
local prefix = "{prefix}"
local users = {users}
local counter = 0
local pause = {delay_ms}
local threads = {{}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local user = (counter * 31 + tid) % users
  local body = {body}
  return wrk.format(nil, "{path}", nil, body)
end

{delay_function}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

_DELAY = "function delay() return pause end"
_RESULT = re.compile(
    r"BENCH requests=(\d+) duration_us=(\d+) errors=(\d+) p50_us=(\d+) p99_us=(\d+)"
)


def have_wrk() -> bool:
    return shutil.which(WRK) is not None


def closed_loop(
    load: Load, *, seconds: float, connections: int, delay_ms: float = 0.0
) -> LoadResult:
    """Each connection sends, waits for the reply (and ``delay_ms``), sends again."""
    if have_wrk():
        return _wrk(load, seconds, connections, delay_ms)
    return asyncio.run(_python(load, seconds, connections, delay_ms))


def paced(load: Load, *, seconds: float, rate: float, connections: int = 8) -> LoadResult:
    """About ``rate`` requests/s (never much more): each connection pauses between requests for
    its share of the interval minus the typical (p50) latency seen in a short probe."""
    interval_ms = connections * 1000 / rate
    probe_load = Load(load.url, load.payload, load.token, load.users, load.prefix + "p")
    probe = closed_loop(
        probe_load, seconds=min(2.0, seconds), connections=connections, delay_ms=interval_ms
    )
    delay = max(1.0, interval_ms - probe.p50_ms)
    return closed_loop(load, seconds=seconds, connections=connections, delay_ms=delay)


def _wrk(load: Load, seconds: float, connections: int, delay_ms: float) -> LoadResult:
    script = LUA.format(
        prefix=load.prefix,
        users=load.users,
        token=load.token,
        path=load.payload.path,
        body=load.payload.lua,
        delay_ms=round(delay_ms),
        delay_function=_DELAY if delay_ms > 0 else "",
    )
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "load.lua"
        lua.write_text(script)
        duration = f"-d{max(1, round(seconds))}s"
        command = [WRK, "-t1", f"-c{connections}", duration, "--timeout", "10s", "-s", str(lua)]
        output = subprocess.run(
            [*command, load.url], capture_output=True, text=True, check=True
        ).stdout
    match = _RESULT.search(output)
    if match is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    requests, duration_us, errors, p50, p99 = (int(g) for g in match.groups())
    return LoadResult(requests, duration_us / 1e6, errors, p50 / 1000, p99 / 1000, WRK)


async def _python(load: Load, seconds: float, connections: int, delay_ms: float) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {load.token}"}

    async def worker(tid: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        counter = 0
        while time.perf_counter() < deadline:
            counter += 1
            body = load.payload.python(load.prefix, tid, counter, (counter * 31 + tid) % load.users)
            started = time.perf_counter()
            response = await client.post(load.payload.path, json=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code >= 400
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=load.url, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(t, client) for t in range(connections)))
    elapsed = time.perf_counter() - started
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    return LoadResult(len(latencies), elapsed, errors, p50, p99, FALLBACK)
