"""Where the time goes when a target is missed, as found with a profiler (see bench/analysis.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.figures import Figure

# Keyed by the start of a figure's name. Kept up to date by hand from profiles (pyinstrument).
BOTTLENECKS: dict[str, str] = {
    "view/update max": (
        "one SQLite write transaction per request, serialised on SQLite's single write lock, and "
        "each one wakes the embedded worker for a second transaction recomputing the learner's "
        "summary (the same server with the worker off reached 2-3x the rate); each commit fsyncs "
        "(compare the NORMAL row) and each write costs ~0.45 ms of Python in record_events plus "
        "the HTTP stack. Fix: group commit for requests and worker (decision 0120)"
    ),
    "view/update p99": (
        "requests queue behind other writers and the worker's aggregation transactions for the "
        "write lock and an fsync each, on a machine whose bare endpoint alone shows a p99 of "
        "several ms (see its row); before the writer gate, waiting in SQLite's busy handler "
        "(sleeps up to 100 ms) made this p99 0.4-2.7 s. Fix: group commit (decision 0120)"
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
        "Python CPU per request in the HTTP stack (~2-3 ms: FastAPI/Starlette middleware, JWT "
        "HMAC check ~9 %, SQLAlchemy statement building ~20 %, ISO time formatting) and "
        "scheduling stalls on the loaded 2-core machine (GIL shared with the worker)"
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
