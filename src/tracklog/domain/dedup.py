"""Event identity: a repeat is a duplicate; a new payload under a used id is a conflict."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from tracklog.domain.model import TrackingEvent


class Verdict(enum.StrEnum):
    APPLY = "apply"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


def classify(events: Sequence[TrackingEvent], known: Mapping[str, str]) -> list[Verdict]:
    """One verdict per event, against remembered ids (``known``: event id -> payload hash).

    A repeat inside the same batch is judged like a repeat of an earlier batch.
    """
    seen = dict(known)
    verdicts: list[Verdict] = []
    for event in events:
        previous = seen.get(event.event_id)
        if previous is None:
            seen[event.event_id] = event.payload_hash
            verdicts.append(Verdict.APPLY)
        elif previous == event.payload_hash:
            verdicts.append(Verdict.DUPLICATE)
        else:
            verdicts.append(Verdict.CONFLICT)
    return verdicts
