"""Where the time goes when a target is missed, as found with a profiler (see bench/analysis.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.figures import Figure

# Keyed by the start of a figure's name. Kept up to date by hand from profiles (pyinstrument).
BOTTLENECKS: dict[str, str] = {
    "view/update max": (
        "Python per request, not I/O: ~0.45 ms in record_events plus the FastAPI/Starlette stack, "
        "the JWT check and the hand-off to a worker thread and back under the GIL; fsync is "
        "~0.3 ms here (see the raw one-transaction-per-event row) and NORMAL changes nothing. "
        "Group commit was tried and made no difference (decision 0010)"
    ),
    "view/update p99": (
        "requests queue for the one SQLite writer behind each other and the worker's aggregation "
        "transactions, each paying the Python cost above; writes stay on worker threads so that a "
        "held write lock never stalls the event loop and the reads (decision 0010)"
    ),
    "view/sync": (
        "Python CPU per event: record_events costs ~30 us/event (merge, payload hash, SQLAlchemy "
        "row processing, journal executemany), the route adds per-event validation and JSON, and "
        "the embedded worker shares the GIL and the write lock"
    ),
    "record_events": (
        "Python CPU per event (~30 us/event after the optimisations; 100,000 events/s needs "
        "10 us, less than plain sqlite3 spends on upsert + journal + outbox rows here)"
    ),
    "view/read": (
        "Python CPU per request: the service call is ~0.7 ms (SQLAlchemy statement building, "
        "row decoding), the HTTP stack (FastAPI/Starlette middleware, JWT check, envelope, ISO "
        "time formatting) about as much again; reads already run inline on the event loop "
        "(decision 0010)"
    ),
    "summary/read": (
        "as view/read, plus the summary computed live from the records on every read "
        "(read-your-writes, decision 0003): collection, enrolment, records and attempts queries"
    ),
}


def name_bottlenecks(figures: Sequence[Figure]) -> list[Figure]:
    named = []
    for figure in figures:
        found = next((text for key, text in BOTTLENECKS.items() if figure.name.startswith(key)), "")
        named.append(dataclasses.replace(figure, bottleneck=found) if not figure.passed else figure)
    return named
