"""Structured logs (issue 11 point 2): one JSON object a line with the request's context and the
``extra`` fields, a readable console line, and no secrets in either."""

from __future__ import annotations

import contextvars
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tracklog.adapters.logging import (
    REDACTED,
    TracklogHandler,
    bind_user,
    configure_logging,
    make_handler,
    request_context,
)
from tracklog.bootstrap import bootstrap
from tracklog.settings import Settings

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Captured:
    def __init__(self, format: str, secrets: tuple[str, ...] = ()):
        self.stream = io.StringIO()
        self.logger = logging.getLogger(f"tracklog.test.{format}.{id(self)}")
        self.logger.handlers = [make_handler(format, secrets=secrets, stream=self.stream)]
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def records(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.lines()]

    def one(self) -> dict[str, Any]:
        [record] = self.records()
        return record


@pytest.fixture
def logs() -> Captured:
    return Captured("json")


def test_a_record_is_one_json_object_with_time_level_logger_message(logs: Captured) -> None:
    logs.logger.warning("lag is %d s on %s", 42, "partition 3")
    record = logs.one()
    assert list(record)[:4] == ["time", "level", "logger", "message"]
    assert TIME.match(record["time"]), record["time"]
    assert record["level"] == "WARNING"
    assert record["logger"] == logs.logger.name
    assert record["message"] == "lag is 42 s on partition 3"


def test_every_extra_field_is_a_key_of_its_own(logs: Captured) -> None:
    logs.logger.info(
        "job ended", extra={"job_id": 7, "kind": "backfill", "clean": True, "at": Path("/x")}
    )
    record = logs.one()
    assert (record["job_id"], record["kind"], record["clean"]) == (7, "backfill", True)
    assert record["at"] == "/x"  # what JSON cannot hold is written as text
    assert "args" not in record
    assert "levelno" not in record


def test_an_exception_is_rendered_as_text(logs: Captured) -> None:
    try:
        raise KeyError("missing-leaf")
    except KeyError:
        logs.logger.exception("aggregation failed")
    exception = logs.one()["exception"]
    assert exception.startswith("Traceback")
    assert "KeyError: 'missing-leaf'" in exception


def test_the_request_id_and_the_user_come_from_the_request_context(logs: Captured) -> None:
    logs.logger.info("outside")
    with request_context("req-1"):
        logs.logger.info("before auth")
        bind_user("alice")
        logs.logger.info("after auth")
    logs.logger.info("after")
    outside, before, after, later = logs.records()
    assert "request_id" not in outside
    assert "request_id" not in later
    assert before["request_id"] == "req-1"
    assert "user_id" not in before
    assert (after["request_id"], after["user_id"]) == ("req-1", "alice")
    assert list(after)[4:6] == ["request_id", "user_id"]


def test_a_user_found_on_a_worker_thread_is_seen_by_the_request(logs: Captured) -> None:
    with request_context("req-2"):
        contextvars.copy_context().run(bind_user, "bob")  # what run_in_threadpool does
        logs.logger.info("access")
    assert logs.one()["user_id"] == "bob"


def test_an_extra_user_id_names_the_learner_rather_than_the_caller(logs: Captured) -> None:
    with request_context("req-3"):
        bind_user("admin-1")
        logs.logger.info("copies planned", extra={"user_id": "learner-9"})
    assert logs.one()["user_id"] == "learner-9"


@pytest.mark.parametrize(
    "key",
    ["token", "refresh_token", "jwt_secret", "password", "Authorization", "api_key", "cookie"],
)
def test_a_field_whose_name_says_secret_is_redacted(logs: Captured, key: str) -> None:
    logs.logger.info("call", extra={key: "s3cr3t-value", "route": "/v1/view/start"})
    record = logs.one()
    assert record[key] == REDACTED
    assert record["route"] == "/v1/view/start"


def test_tokens_and_passwords_inside_texts_are_redacted(logs: Captured) -> None:
    logs.logger.warning(
        "rejected %s",
        f"token {JWT}",
        extra={
            "header": f"Bearer {JWT}",
            "gateway": "bearer gw-key-123",
            "url": "postgresql://tracklog:hunter2-pw@db:5432/tracklog",
            "nested": {"items": [f"x {JWT} y"], "secret_key": "k"},
        },
    )
    record = logs.one()
    line = logs.lines()[0]
    assert JWT not in line
    assert "hunter2-pw" not in line
    assert "gw-key-123" not in line
    assert record["message"] == f"rejected token {REDACTED}"
    assert record["header"] == f"Bearer {REDACTED}"
    assert record["url"] == f"postgresql://tracklog:{REDACTED}@db:5432/tracklog"
    assert record["nested"] == {"items": [f"x {REDACTED} y"], "secret_key": REDACTED}


def test_configured_secret_values_are_redacted_wherever_they_appear() -> None:
    logs = Captured("json", secrets=("the-signing-secret-0123456789", "short"))
    try:
        raise ValueError("bad key the-signing-secret-0123456789")
    except ValueError:
        logs.logger.exception("failed %s", "the-signing-secret-0123456789", extra={"a": "short"})
    record = logs.one()
    assert "the-signing-secret" not in logs.lines()[0]
    assert record["message"] == f"failed {REDACTED}"
    assert f"bad key {REDACTED}" in record["exception"]
    assert record["a"] == "short"  # too short to be told from an ordinary word


def test_the_console_format_is_one_readable_line() -> None:
    logs = Captured("console")
    with request_context("req-4"):
        logs.logger.info("server started", extra={"port": 8080, "database": "sqlite", "w": "a b"})
    [line] = logs.lines()
    stamp, level, logger, rest = re.split(" +", line, maxsplit=3)
    assert TIME.match(stamp)
    assert (level, logger) == ("INFO", logs.logger.name)
    assert rest == 'server started request_id=req-4 port=8080 database=sqlite w="a b"'


def test_the_console_format_puts_the_traceback_under_the_line() -> None:
    logs = Captured("console")
    try:
        raise RuntimeError(f"with {JWT}")
    except RuntimeError:
        logs.logger.exception("boom")
    first, *trace = logs.lines()
    assert first.endswith("boom")
    assert trace[0] == "Traceback (most recent call last):"
    assert trace[-1] == f"RuntimeError: with {REDACTED}"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="json, console"):
        make_handler("xml")


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger as it was before the test, whatever the test configures."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers = handlers
    root.setLevel(level)


def _ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if isinstance(h, TracklogHandler)]


def test_configuring_twice_keeps_one_handler(root_logging: logging.Logger) -> None:
    configure_logging("json", "debug")
    configure_logging("console", "WARNING")
    [handler] = _ours(root_logging)
    assert root_logging.level == logging.WARNING
    assert type(handler.formatter).__name__ == "ConsoleFormatter"
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn = logging.getLogger(name)
        assert uvicorn.handlers == []
        assert uvicorn.propagate


def test_bootstrap_twice_in_one_process_keeps_one_handler(
    root_logging: logging.Logger, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", log_level="error")
    for _ in range(2):
        bootstrap(settings).close()
    assert len(_ours(root_logging)) == 1
    assert root_logging.level == logging.ERROR


def test_records_go_to_the_stderr_of_the_moment(
    root_logging: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "INFO")
    logging.getLogger("tracklog.test").info("to stderr")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert orjson.loads(captured.err.splitlines()[-1])["message"] == "to stderr"
