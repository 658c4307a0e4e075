"""The ops API for jobs, and job progress in /metrics."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Api
from tests.integration.jobs.support import ORIGIN, Recorder, run_job, seed, start_job
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.services.jobs import runner


def test_ops_see_jobs_with_who_where_and_progress(
    api: Api, tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    seed(tracklog.deps, learners=3)
    drain()
    job = run_job(tracklog.deps, "resync")

    listed = api.admin("GET", "/v1/ops/jobs").json()["result"]["jobs"]
    one = api.admin("GET", f"/v1/ops/jobs/{job.id}").json()["result"]["job"]

    assert [j["id"] for j in listed] == [job.id]
    assert (one["startedBy"], one["host"], one["state"]) == ("tester", ORIGIN.host, "finished")
    assert (one["rowsDone"], one["rowsTotal"]) == (6, 6)


def test_learners_may_not_see_or_abort_jobs(api: Api) -> None:
    assert api.client.get("/v1/ops/jobs", headers=api.headers()).status_code == 403
    response = api.client.post("/v1/ops/jobs/1/abort", headers=api.headers())
    assert response.status_code == 403
    ops = api.headers("oncall", Role.OPS)
    assert api.client.get("/v1/ops/jobs", headers=ops).status_code == 200


def test_unknown_job_is_404_and_a_finished_one_cannot_be_aborted(
    api: Api, tracklog: Tracklog
) -> None:
    assert api.admin("GET", "/v1/ops/jobs/42").status_code == 404
    job = run_job(tracklog.deps, "resync")
    response = api.admin("POST", f"/v1/ops/jobs/{job.id}/abort")
    assert response.status_code == 409
    assert "nothing to abort" in response.json()["params"]["errmsg"]


def test_abort_through_the_api_stops_the_job_before_its_next_batch(
    api: Api, tracklog: Tracklog, drain: Callable[[], int]
) -> None:
    seed(tracklog.deps, learners=3)
    drain()
    job_id = start_job(tracklog.deps, "resync", batch_size=2)

    def abort_via_api(batch: int) -> None:
        if batch == 1:
            assert api.admin("POST", f"/v1/ops/jobs/{job_id}/abort").status_code == 200

    hooks = runner.Hooks(after_batch=abort_via_api)
    job = runner.run(tracklog.deps, job_id, ORIGIN, Recorder(), hooks)

    assert (job.state, job.batches_done) == ("aborted", 1)
    with tracklog.deps.store.reader() as uow:
        actions = [e["action"] for e in uow.registry.audit_entries(10)]
    assert {"job.start", "job.abort", "job.aborted"} <= set(actions)


def test_job_progress_is_in_metrics(api: Api, tracklog: Tracklog, drain: Callable[[], int]) -> None:
    seed(tracklog.deps, learners=2)
    drain()
    job = run_job(tracklog.deps, "resync")
    text = api.client.get("/metrics").text
    labels = f'job_id="{job.id}",kind="resync",state="finished"'
    assert f"tracklog_job_rows_done{{{labels}}} 4.0" in text
    assert f"tracklog_job_rows_total{{{labels}}} 4.0" in text
