"""The times every answer carries: epoch milliseconds as ISO-8601 UTC, exactly."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tracklog.entrypoints.shapes import iso

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
YEAR_1000_MS = int((datetime(1000, 1, 1, tzinfo=UTC) - EPOCH).total_seconds() * 1000)
YEAR_9999_MS = int((datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - EPOCH).total_seconds() * 1000)


def reference(ms: int) -> str:
    moment = EPOCH + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@given(st.integers(min_value=YEAR_1000_MS, max_value=YEAR_9999_MS))
def test_any_moment_is_written_as_its_utc_iso_form_to_the_millisecond(ms: int) -> None:
    assert iso(ms) == reference(ms)


def test_the_edges_of_a_day_and_of_the_epoch() -> None:
    assert iso(0) == "1970-01-01T00:00:00.000Z"
    assert iso(-1) == "1969-12-31T23:59:59.999Z"
    assert iso(1_779_580_799_999) == "2026-05-23T23:59:59.999Z"
    assert iso(None) is None
