"""``tracklog token hash-key``: operators configure hashes of gateway keys, never the keys."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from tests.e2e.cli import clean_env, last_line
from tracklog.domain.api_keys import key_matches
from tracklog.settings import load_settings


def hash_key(tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracklog", "token", "hash-key"],
        input=stdin,
        cwd=tmp_path,
        env=clean_env(f"sqlite:///{tmp_path / 'unused.db'}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hash_key_prints_the_entry_a_key_is_configured_by(tmp_path: Path) -> None:
    done = hash_key(tmp_path, "gateway-key-1\n")
    assert done.returncode == 0, done.stderr
    entry = last_line(done.stdout)
    assert entry == "sha256:" + hashlib.sha256(b"gateway-key-1").hexdigest()
    assert done.stdout.count("gateway-key-1") == 0  # the key itself is never echoed
    configured = load_settings({"TRACKLOG_LEGACY_API_KEYS": entry}).legacy_api_key_hashes
    assert key_matches("gateway-key-1", configured)
    assert not key_matches("gateway-key-2", configured)
    assert not (tmp_path / "unused.db").exists()  # it touches no database


def test_hash_key_without_a_key_on_stdin_fails_and_says_how(tmp_path: Path) -> None:
    done = hash_key(tmp_path, "\n")
    assert done.returncode == 2
    assert "no key on stdin" in done.stderr
