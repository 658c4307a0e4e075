"""Instances ready to use, as ``tracklog serve`` prepares them (schema, stamps)."""

from __future__ import annotations

from tracklog.bootstrap import Tracklog, bootstrap
from tracklog.services import instance
from tracklog.services.ports import Clock
from tracklog.settings import Settings

TEST_SECRET = "tracklog-test-secret-0123456789abcdef"


def ready_instance(settings: Settings, clock: Clock | None = None) -> Tracklog:
    """Wire an instance and prepare its database the way ``serve`` does (create, stamp, check)."""
    tracklog = bootstrap(settings, clock=clock)
    try:
        instance.open_for_service(tracklog.deps, tracklog.schema)
    except BaseException:
        tracklog.close()
        raise
    return tracklog
