"""Server mode: relay outbox triggers to the event stream.

A trigger is marked relayed only after Redis took its message, and it stays in the outbox until a
worker has aggregated it. A Redis outage only delays: unrelayed rows wait, and rows whose message
was lost (a Redis restart without persistence) are relayed again after ``stream_redeliver_ms``.
"""

from __future__ import annotations

import logging

from tracklog.services.deps import Deps
from tracklog.services.ports import EventStream

log = logging.getLogger(__name__)


def relay_outbox(deps: Deps, streams: EventStream, *, resend_all: bool = False) -> int:
    """Relay one batch; returns how many triggers were sent. Raises when Redis is away."""
    with deps.store.unit_of_work() as uow:
        lost_before = uow.now_ms - deps.settings.stream_redeliver_ms
        relayed_before = uow.now_ms + 1 if resend_all else lost_before
        triggers = uow.outbox.claim_for_relay(deps.settings.worker_batch_size, relayed_before)
        if not triggers:
            return 0
        streams.publish([(t.partition, t.seq) for t in triggers])
        uow.outbox.mark_relayed([t.seq for t in triggers])
        uow.commit()
    resent = sum(1 for t in triggers if t.relayed_ts is not None)
    if resent:
        log.info("outbox triggers relayed again", extra={"count": resent})
    return len(triggers)
