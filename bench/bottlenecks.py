"""Where the time goes when a target is missed, as found with a profiler (see bench/analysis.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.figures import Figure

# Keyed by the start of a figure's name. Kept up to date by hand from profiles (pyinstrument).
BOTTLENECKS: dict[str, str] = {
    "view/update max": (
        "the HTTP stack (uvicorn + Starlette, paid by the bare endpoint too) plus the embedded "
        "worker in the same process: each group commit wakes it and its summary recompute re-reads "
        "the enrolment's records under the same GIL and SQLite write lock (bench/analysis.md)"
    ),
    "view/update p99": (
        "requests wait for their group's commit, and groups wait behind the worker's aggregation "
        "transactions on SQLite's one writer"
    ),
    "view/sync": (
        "Python per event: event checks, merge, SQLAlchemy row processing of the records read and "
        "written, the route's per-event validation; the worker shares the GIL and the write lock"
    ),
    "record_events": (
        "Python per event (~45 us/event here: checks, merge, rows); 100,000 events/s leaves 10 us, "
        "about what plain sqlite3 spends on the upsert, journal and outbox rows alone"
    ),
    "view/read": (
        "the HTTP stack, then 2-3 queries and the rows turned into domain objects by SQLAlchemy; "
        "reads run inline on the event loop (decision 0010), sharing the GIL with the worker"
    ),
    "summary/read": (
        "as view/read, plus the summary computed live from all of the enrolment's records on every "
        "read (read-your-writes, decision 0003)"
    ),
}


def name_bottlenecks(figures: Sequence[Figure]) -> list[Figure]:
    named = []
    for figure in figures:
        found = next((text for key, text in BOTTLENECKS.items() if figure.name.startswith(key)), "")
        named.append(dataclasses.replace(figure, bottleneck=found) if not figure.passed else figure)
    return named
