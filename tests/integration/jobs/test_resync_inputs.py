"""The batch read of summary inputs sees exactly what the one-enrolment read (``gather``) sees."""

from __future__ import annotations

import pytest

from tests.conftest import MakeTracklog
from tests.integration.jobs.support import seed
from tracklog.domain.model import EnrolmentKey
from tracklog.domain.modes import Mode
from tracklog.domain.summaries import SummaryInputs
from tracklog.services.jobs.kinds.resync_inputs import BatchInputs
from tracklog.services.summaries import gather


def _normal(inputs: SummaryInputs) -> tuple[object, ...]:
    records = sorted(inputs.records, key=lambda r: r.key)
    attempts = {c: list(a) for c, a in sorted(inputs.attempts.items())}
    return (inputs.key, inputs.collection, records, attempts, inputs.enrolled_ts, inputs.previous)


@pytest.mark.parametrize(
    "mode", [Mode.STRICT, Mode.FULL_CARRY_FORWARD, Mode.COLLECTION_CARRY_FORWARD]
)
def test_batch_inputs_equal_gather_for_every_enrolment(
    make_tracklog: MakeTracklog, mode: Mode
) -> None:
    tracklog = make_tracklog(mode=mode)
    deps = tracklog.deps
    seed(deps)
    assert tracklog.worker is not None
    tracklog.worker.drain()
    with deps.store.reader() as uow:
        keys = [
            (e.key.user_id, e.key.collection_id, e.key.context_id)
            for c in ("course-a", "course-b")
            for e in uow.registry.enrolments_in_collection(c)
        ]
        batch = BatchInputs(uow, mode, keys, uow.job_rows.fetch("summaries", keys))
        for key in keys:
            enrolment = gather(uow, mode, EnrolmentKey(*key))
            assert _normal(batch.inputs(enrolment.key)) == _normal(enrolment)
