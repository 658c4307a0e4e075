"""Where the time goes when a target is missed, as found with a profiler (see bench/analysis.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.figures import Figure

# Keyed by the start of a figure's name. Kept up to date by hand from profiles (pyinstrument).
BOTTLENECKS: dict[str, str] = {
    "view/update": (
        "one SQLite write transaction per request: writers serialise on SQLite's single write "
        "lock and wait by polling in its busy handler (sleeps of up to 100 ms; 45 % of py-spy "
        "samples in BEGIN IMMEDIATE at saturation), each commit fsyncs (synchronous=FULL; compare "
        "the NORMAL reference row), and each request costs ~0.45 ms of Python in record_events "
        "plus the HTTP stack. Fix: group commit (decision 0120)"
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
