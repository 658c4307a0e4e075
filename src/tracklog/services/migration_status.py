"""Is the migration from the legacy system complete? Only a reconciliation can say so.

Complete means: the last reconciliation finished after the last migrate or backfill, found every
module type clean, and saw an empty legacy pending queue. An empty queue alone never counts (the
hidden-backlog incident: the queue "looked clear" while events waited inside the legacy system).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracklog.domain.jobs import Job, JobState
from tracklog.domain.reconcile import Reconciliation
from tracklog.services.deps import Deps

IMPORTS = frozenset({"migrate-legacy", "backfill"})
RECONCILE = "reconcile"
LOOKED_AT = 500


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    complete: bool
    reasons: list[str]
    last_import: Job | None
    last_reconciliation: Job | None
    reconciliation: Reconciliation | None = field(default=None)


def last_finished(deps: Deps, kinds: frozenset[str]) -> Job | None:
    with deps.store.reader() as uow:
        jobs = uow.jobs.recent(LOOKED_AT, states=[JobState.FINISHED.value])
    found = [j for j in jobs if j.kind in kinds]
    return max(found, key=_when, default=None)


def reconciliation_of(job: Job | None) -> Reconciliation | None:
    if job is None or not job.report:
        return None
    return Reconciliation.from_json(job.report.get("reconciliation", {}))


def migration_status(deps: Deps) -> MigrationStatus:
    imported = last_finished(deps, IMPORTS)
    checked = last_finished(deps, frozenset({RECONCILE}))
    result = reconciliation_of(checked)
    reasons: list[str] = []
    if imported is None:
        reasons.append("no migration has finished yet (`tracklog migrate legacy --from DIR`)")
    if checked is None or result is None:
        reasons.append("no reconciliation has finished yet (`tracklog reconcile --from DIR`)")
    elif imported is not None and _when(checked) < _when(imported):
        reasons.append(
            f"the last reconciliation (job {checked.id}) is older than the last "
            f"{imported.kind} (job {imported.id}): reconcile again"
        )
    if result is not None:
        reasons.extend(_unclean(result))
    return MigrationStatus(not reasons, reasons, imported, checked, result)


def _when(job: Job) -> tuple[int, int]:
    return (job.finished_ts or 0, job.id)  # the id breaks ties within a millisecond


def _unclean(result: Reconciliation) -> list[str]:
    reasons = []
    for name, counts in sorted(result.module_types.items()):
        if counts.pending_in_legacy:
            reasons.append(
                f"{name}: {counts.pending_in_legacy} event(s) still pending in the legacy system"
            )
        mismatched = counts.missing + counts.different + counts.extra
        if mismatched:
            reasons.append(
                f"{name}: {counts.missing} missing, {counts.different} different, "
                f"{counts.extra} extra"
            )
    return reasons
