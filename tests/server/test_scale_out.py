"""Two API processes and three workers on one PostgreSQL and Redis, many learners at once."""

from __future__ import annotations

from collections import Counter

from tracklog.testing.convergence import completion_events, unconverged
from tracklog.testing.deployment import Deployment
from tracklog.testing.load import (
    enrol_learners,
    lease_owners,
    missing_writes,
    run_clients,
    wait_converged,
    wait_for_lease_owners,
    writes_for,
)


def test_two_apis_and_three_workers_lose_nothing_and_complete_once(
    deployment: Deployment,
) -> None:
    control = deployment.control()
    users = [f"learner-{i:02d}" for i in range(40)]
    keys = enrol_learners(control, users)
    urls = [deployment.start_api(), deployment.start_api()]
    for _ in range(3):
        deployment.start_worker()
    wait_for_lease_owners(deployment, 3)

    outcome = run_clients(deployment, urls, writes_for(users))
    wait_converged(control, keys)

    assert outcome.refused == []
    assert len(outcome.acknowledged) == len(writes_for(users))
    assert missing_writes(control, outcome) == []
    assert unconverged(control.deps, keys) == []
    completions = Counter(completion_events(control.deps))
    assert completions == Counter({(u, "c1", "c1"): 1 for u in users})
    assert len(lease_owners(deployment)) == 3  # the partitions are shared by the three workers
    control.close()

    deployment.stop()  # SIGTERM: each worker finishes its round and releases its leases
    assert [worker.returncode for worker in deployment.workers] == [0, 0, 0]
    assert lease_owners(deployment) == set()
