"""Where the time goes when a target is missed, as found with a profiler (see bench/analysis.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bench.figures import Figure

# Keyed by the start of a figure's name. Kept up to date by hand from profiles (pyinstrument).
BOTTLENECKS: dict[str, str] = {
    "view/update max": (
        "one process's GIL shared by three threads, each about a third of it: the event loop "
        "(uvicorn's HTTP handling, then the endpoint: token, body validation, the response), the "
        "group-commit writer (prepare, dedup, merge, the record, journal and outbox rows) and the "
        "embedded worker (its summary recompute re-reads the enrolment's records per trigger) "
        "(bench/analysis.md)"
    ),
    "view/update p99": (
        "requests wait for their group's commit, which costs the writer 180-290 us of CPU per "
        "event of a different learner (each dirties its own record, journal and outbox index "
        "pages, written at commit); the worker switched off leaves the median as it is; full "
        "GC pauses removed by decision 0516 (bench/analysis.md)"
    ),
    "view/sync": (
        "Python per event: the route's per-event validation, the payload hash, the frozen "
        "dataclasses built per event, merge, the journal's row per event; the worker shares the "
        "GIL and the write lock"
    ),
    "record_events": (
        "Python per event (~15 us/event here: payload hash, per-event objects, merge, the "
        "journal's insert, a fifth of it); 100,000 events/s leaves 10 us, about what plain "
        "sqlite3 spends on the upsert, journal and outbox rows alone"
    ),
    "view/read": (
        "the HTTP stack (uvicorn: about 40 % of a read), then the read itself: the statements "
        "on the raw SQLite cursor (decisions 0507, 0509), each record decoded into a domain "
        "object and presented; reads run inline on the event loop (decision 0010)"
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
