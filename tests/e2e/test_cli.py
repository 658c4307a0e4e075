"""The ``tracklog`` command as a user runs it: ``python -m tracklog ...`` in a fresh directory."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Api, MakeTracklog
from tests.e2e.cli import last_line, tracklog
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.services.summaries import list_summaries
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET

PRODUCTION_SECRET = "a-real-production-secret-of-40-bytes-000"


def test_token_create_prints_a_token_the_api_accepts(
    tmp_path: Path, cli_env: dict[str, str], api: Api
) -> None:
    done = tracklog(tmp_path, cli_env, "token", "create", "--sub", "learner-1", "--role", "learner")
    assert done.returncode == 0, done.stderr
    token = last_line(done.stdout)
    response = api.client.post(
        "/v1/view/start", json={"contentId": "a"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.json()


def test_db_upgrade_brings_the_schema_to_the_release(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    before = tracklog(tmp_path, cli_env, "db", "current")
    assert before.returncode == 0, before.stderr
    assert "database None" in before.stderr
    upgrade = tracklog(tmp_path, cli_env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    after = tracklog(tmp_path, cli_env, "db", "current")
    revisions = re.search(r"database (\S+) · release (\S+)", after.stderr)
    assert revisions is not None, after.stderr
    assert revisions.group(1) == revisions.group(2) != "None"


def test_demo_load_only_loads_data_and_prints_tokens(
    tmp_path: Path, cli_env: dict[str, str], make_tracklog: MakeTracklog
) -> None:
    done = tracklog(tmp_path, cli_env, "demo", "--load-only", "--learners", "3")
    assert done.returncode == 0, done.stderr
    assert "loaded 3 collections" in done.stderr
    tokens = re.findall(r"^(eyJ\S+)$", done.stdout, flags=re.MULTILINE)
    assert len(tokens) == 2, done.stdout

    deps = make_tracklog().deps  # the same database the CLI wrote
    assert TokenCodec(deps.settings).decode(tokens[0]).user_id == "learner-01"
    assert {s.key.collection_id for s in list_summaries(deps, "learner-01")} == {
        "intro-python",
        "class-1-maths",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, cli_env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracklog", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_answers_on_a_fresh_database_it_prepared_itself(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = served
    response = None
    for _ in range(300):  # bounded: give up after about a minute
        if process.poll() is not None:
            pytest.fail(f"serve exited early: {process.communicate()[1]}")
        try:
            response = httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    assert response is not None, "serve never answered /healthz"
    assert response.status_code == 200
    assert response.json()["result"] == {"status": "alive"}
    assert response.headers["X-Tracklog-Environment"] == "development"

    codec = TokenCodec(Settings(auth_jwt_secret=TEST_SECRET))  # the secret serve was given
    headers = {"Authorization": f"Bearer {codec.mint('learner-1', [Role.LEARNER], 600)}"}
    write = httpx.post(f"{url}/v1/view/end", json={"contentId": "a"}, headers=headers, timeout=10)
    assert write.status_code == 200, write.text
    read = httpx.post(f"{url}/v1/view/read", json={}, headers=headers, timeout=10)
    assert [c["status"] for c in read.json()["result"]["contents"]] == [2]


def test_serve_no_auth_is_refused_in_production(tmp_path: Path, cli_env: dict[str, str]) -> None:
    done = tracklog(
        tmp_path,
        cli_env,
        "serve",
        "--no-auth",
        TRACKLOG_ENVIRONMENT="production",
        TRACKLOG_AUTH_JWT_SECRET=PRODUCTION_SECRET,
    )
    assert done.returncode != 0
    assert "--no-auth is refused when TRACKLOG_ENVIRONMENT=production" in done.stderr


def test_an_unknown_setting_stops_start_up_and_is_named(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    done = tracklog(tmp_path, cli_env, "serve", TRACKLOG_MDOE="strict")
    assert done.returncode != 0
    assert "TRACKLOG_MDOE: unknown setting" in done.stderr


def test_an_unsafe_production_secret_stops_start_up_and_is_named(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    done = tracklog(
        tmp_path, cli_env, "serve", TRACKLOG_ENVIRONMENT="production", TRACKLOG_AUTH_JWT_SECRET="x"
    )
    assert done.returncode != 0
    assert "TRACKLOG_AUTH_JWT_SECRET" in done.stderr


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_every_command_names_its_environment_first(
    tmp_path: Path, cli_env: dict[str, str], environment: str
) -> None:
    done = tracklog(
        tmp_path,
        cli_env,
        "db",
        "current",
        TRACKLOG_ENVIRONMENT=environment,
        TRACKLOG_AUTH_JWT_SECRET=PRODUCTION_SECRET,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0].split()[0] == environment.upper()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--ttl", "forever"), ("--ttl", "0s"), ("--ttl", "-1h"), ("--role", "superuser")],
)
def test_token_create_names_a_bad_option(
    tmp_path: Path, cli_env: dict[str, str], option: str, value: str
) -> None:
    args = {"--sub": "learner-1", "--role": "learner", "--ttl": "1h", option: value}
    done = tracklog(tmp_path, cli_env, "token", "create", *[x for kv in args.items() for x in kv])
    assert done.returncode != 0
    assert option in done.stderr
    assert done.stdout.strip() == ""  # no token printed
