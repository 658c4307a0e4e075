"""Requests that carry events and are refused as a whole (a body that is not JSON or fails
validation, a refused token, a body too large) count as rejected events, like the events a
batch rejects one by one: ``tracklog_events_total{outcome="rejected", reason=<error code>}``.
An error the services counted already (an event ingest rejected) is not counted twice."""

from __future__ import annotations

from tracklog.domain.errors import TracklogError
from tracklog.domain.event_counts import UNKNOWN
from tracklog.domain.ingest import Outcome
from tracklog.domain.model import EventType, Source
from tracklog.services.ports import Telemetry

_LEGACY = (str(Source.LEGACY), UNKNOWN)
# route template -> (source, event type) of the events its requests carry
EVENT_ROUTES: dict[str, tuple[str, str]] = {
    "/v1/view/start": (str(Source.API), str(EventType.START)),
    "/v1/view/update": (str(Source.API), str(EventType.UPDATE)),
    "/v1/view/end": (str(Source.API), str(EventType.END)),
    "/v1/assessment/submit": (str(Source.API), str(EventType.ASSESS)),
    "/v1/view/sync": (str(Source.SYNC), UNKNOWN),
    "/v1/content/state/update": _LEGACY,
    "/api/course/v1/content/state/update": _LEGACY,
    "/v1/user/content/state": _LEGACY,
}


def count_refused(telemetry: Telemetry, route: str, error: TracklogError) -> None:
    """Count a refused request to an event route once (nothing for other routes)."""
    carried = EVENT_ROUTES.get(route)
    if carried is None or error.counted:
        return
    source, type_ = carried
    error.counted = True
    telemetry.count_event(str(Outcome.REJECTED), type_, None, source, 1, reason=error.code)
