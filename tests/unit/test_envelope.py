"""The envelope's ``ts`` and ``resmsgid`` are what Sunbird clients parse: a UTC time to the
millisecond and a version-4 UUID, however cheaply they are made."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tracklog.entrypoints.api.envelope import envelope_ts, message_id, random_hex_id, ts_at

FORMAT = "%Y-%m-%d %H:%M:%S:%f"  # milliseconds read as %f


@given(st.integers(min_value=0, max_value=253_402_300_799_999))  # up to 9999-12-31
def test_ts_is_the_utc_time_to_the_millisecond(millis: int) -> None:
    moment = millis / 1000 + 0.0004  # inside the millisecond, clear of float rounding
    expected = datetime.fromtimestamp(millis // 1000, UTC).strftime("%Y-%m-%d %H:%M:%S:")
    assert ts_at(moment) == f"{expected}{millis % 1000:03d}+0000"


def test_ts_now_and_at_a_given_moment() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    text = envelope_ts()
    after = datetime.now(UTC)
    assert text.endswith("+0000")
    now = datetime.strptime(text.removesuffix("+0000"), FORMAT).replace(tzinfo=UTC)
    assert before <= now <= after
    given_at = datetime(2025, 5, 20, 10, 11, 12, 345678, tzinfo=UTC)
    assert envelope_ts(given_at) == "2025-05-20 10:11:12:345+0000"


def test_consecutive_seconds_are_not_confused() -> None:
    second = int(time.time())
    assert ts_at(second + 0.9995)[:19] != ts_at(second + 1.0005)[:19]
    assert ts_at(second + 0.9995) < ts_at(second + 1.0005)


def test_message_ids_are_distinct_version_4_uuids() -> None:
    ids = [message_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:200]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_request_ids_are_32_distinct_hex_digits() -> None:
    ids = [random_hex_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(len(text) == 32 and int(text, 16) >= 0 for text in ids)


def test_a_forked_process_draws_other_ids_than_its_parent() -> None:
    """Server processes forked from one parent must not answer with the same ids."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.write(writing, (message_id() + random_hex_id()).encode())
        os._exit(0)
    os.close(writing)
    mine = message_id() + random_hex_id()
    with os.fdopen(reading) as pipe:
        theirs = pipe.read()
    os.waitpid(child, 0)
    assert len(theirs) == len(mine) == 68
    assert theirs[:36] != mine[:36]
    assert theirs[36:] != mine[36:]
