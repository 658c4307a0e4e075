"""Run Sunbird's own client library (@project-sunbird/client-services) against a server.

The Node harness ``run.mjs`` beside this file does the work; see README.md there for its input,
its output and the wire format the library uses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import cast

HERE = Path(__file__).resolve().parent
RUN_SCRIPT = HERE / "run.mjs"
NODE_MODULES = HERE / "node_modules"
TIMEOUT_S = 60.0
INSTALL_TIMEOUT_S = 600.0


class LegacyClientError(RuntimeError):
    """The harness could not be installed or run (not: a call that the server failed)."""


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise LegacyClientError(
            f"`{tool}` is not on PATH: the legacy-client harness needs Node.js >= 20 and npm"
        )
    return path


def ensure_installed() -> None:
    """Install the harness's pinned npm packages unless ``node_modules`` is already there."""
    _require("node")
    npm = _require("npm")
    if NODE_MODULES.is_dir():
        return
    command = [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--ignore-scripts"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise LegacyClientError(f"`npm ci` took longer than {INSTALL_TIMEOUT_S:.0f} s") from e
    if done.returncode != 0:
        raise LegacyClientError(
            f"`{' '.join(command)}` exited {done.returncode}:\n{done.stderr.strip()}"
        )


def run_client(
    base_url: str, api_key: str, user_token: str, calls: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Make ``calls`` with the library's course service against ``base_url``, in order.

    Each call is ``{"method": ..., "args": <library request>}`` (plus ``"additionalParams"`` for
    getUserEnrolledCourses). Returns one result per call: ``{"method", "ok": True, "value"}`` or
    ``{"method", "ok": False, "error": {"type", "message", "code", "status", "errorMesg",
    "body", "headers"}}``. Raises LegacyClientError if the harness itself fails.
    """
    node = _require("node")
    document = {"baseUrl": base_url, "apiKey": api_key, "userToken": user_token, "calls": calls}
    try:
        done = subprocess.run(
            [node, str(RUN_SCRIPT)],
            input=json.dumps(document),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise LegacyClientError(f"run.mjs took longer than {TIMEOUT_S:.0f} s") from e
    if done.returncode != 0:
        raise LegacyClientError(f"run.mjs exited {done.returncode}:\n{done.stderr.strip()}")
    try:
        output = json.loads(done.stdout)
    except json.JSONDecodeError as e:
        raise LegacyClientError(f"run.mjs printed no JSON: {done.stdout[:500]!r}") from e
    if not isinstance(output, dict) or not isinstance(output.get("results"), list):
        raise LegacyClientError(f"run.mjs printed no results: {done.stdout[:500]!r}")
    results = cast("list[dict[str, object]]", output["results"])
    if len(results) != len(calls):
        raise LegacyClientError(f"run.mjs returned {len(results)} results for {len(calls)} calls")
    return results
