"""A configuration mistake is one sentence naming the setting, never a traceback (issue 10)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.cli import clean_env, tracklog

URL_MISTAKES = [
    ("postgresql://postgres@127.0.0.1:1/x", "unavailable"),
    ("sqlite:////nonexistent-folder/tracklog.db", "/nonexistent-folder"),
    ("mysql://user@host/db", "'mysql' is not supported"),
    ("::not a url::", "is not a database URL"),
]


@pytest.mark.parametrize(("url", "says"), URL_MISTAKES)
@pytest.mark.parametrize("command", [("serve",), ("db", "upgrade"), ("dlq", "list")])
def test_a_wrong_database_url_is_named_in_one_sentence(
    tmp_path: Path, url: str, says: str, command: tuple[str, ...]
) -> None:
    done = tracklog(tmp_path, clean_env(url), *command)
    assert done.returncode == 2
    assert "TRACKLOG_DATABASE_URL" in done.stderr
    assert says in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('mode = "strict\n', "is not valid TOML"),
        ('[tracklog]\nTRACKLOG_MODE = "copy"\n', "write 'mode = ...'"),
        ('[tracklog]\nmod = "copy"\n', "'mod' in"),
    ],
)
def test_a_wrong_config_file_is_named_with_the_form_expected(
    tmp_path: Path, content: str, says: str
) -> None:
    config = tmp_path / "tracklog.toml"
    config.write_text(content)
    env = clean_env(f"sqlite:///{tmp_path / 't.db'}")
    done = tracklog(tmp_path, env, "db", "current", TRACKLOG_CONFIG_FILE=str(config))
    assert done.returncode == 2
    assert "TRACKLOG_CONFIG_FILE" in done.stderr
    assert says in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr


def test_serve_on_a_port_in_use_says_so_and_never_that_it_serves(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        env = clean_env(f"sqlite:///{tmp_path / 't.db'}")
        done = tracklog(tmp_path, env, "serve", "--port", port)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr.replace("\n", " ")
    assert "serving on" not in done.stderr


def test_serve_refuses_a_database_stamped_with_another_environment(tmp_path: Path) -> None:
    env = clean_env(f"sqlite:///{tmp_path / 't.db'}")
    assert tracklog(tmp_path, env, "db", "upgrade", TRACKLOG_ENVIRONMENT="staging").returncode == 0
    done = tracklog(tmp_path, env, "serve", TRACKLOG_ENVIRONMENT="development")
    assert done.returncode == 2
    assert "stamped 'staging'" in done.stderr.replace("\n", " ")
