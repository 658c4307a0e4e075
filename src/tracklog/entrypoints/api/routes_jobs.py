"""The ops API for bulk jobs: list, inspect, abort (role ops or admin)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tracklog.domain.access import Action, require
from tracklog.entrypoints.api.openapi import operation
from tracklog.entrypoints.api.routing import JobIdPath, call, deps, principal, reply
from tracklog.entrypoints.shapes import job_json
from tracklog.services.jobs import control

router = APIRouter(tags=["operations"])


@router.get("/v1/ops/jobs", **operation(errors=(400, 403, 503)))
async def list_jobs(request: Request, limit: int = 50) -> Response:
    """Recent jobs, newest first: who started them, where, when, arguments, progress, outcome."""
    require(principal(request), Action.OPERATE)
    jobs = await call(control.list_jobs, deps(request), max(1, min(limit, 500)))
    return reply(request, {"jobs": [job_json(job) for job in jobs]})


@router.get("/v1/ops/jobs/{jobId}", **operation(errors=(400, 403, 404, 503)))
async def get_job(request: Request, job_id: JobIdPath) -> Response:
    """One job in detail."""
    require(principal(request), Action.OPERATE)
    job = await call(control.get_job, deps(request), job_id)
    return reply(request, {"job": job_json(job)})


@router.post("/v1/ops/jobs/{jobId}/abort", **operation(errors=(400, 403, 404, 409, 503)))
async def abort_job(request: Request, job_id: JobIdPath) -> Response:
    """Ask the job to stop after the batch in flight (nothing is left half-applied)."""
    who = principal(request)
    require(who, Action.OPERATE)
    job = await call(control.request_abort, deps(request), job_id, who.user_id or "ops-api")
    return reply(request, {"job": job_json(job)})
