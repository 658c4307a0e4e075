"""Health, readiness, metrics and the pipeline view."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from tracklog.domain.access import Action, require
from tracklog.domain.errors import Unavailable
from tracklog.entrypoints.api import present
from tracklog.entrypoints.api.openapi import operation
from tracklog.entrypoints.api.routing import call, deps, principal, reply, state
from tracklog.services.pipeline_status import pipeline_report

router = APIRouter(tags=["operations"])


@router.get("/healthz", **operation(token=False))
async def healthz(request: Request) -> Response:
    """The process is alive."""
    return reply(request, {"status": "alive"})


@router.get("/readyz", **operation(errors=(503,), token=False))
async def readyz(request: Request) -> Response:
    """The store, cache and event stream are reachable."""
    d = deps(request)
    checks: dict[str, str] = {}
    stream = d.stream.ping if d.stream is not None else d.store.ping  # embedded: the outbox
    for name, probe in (("store", d.store.ping), ("cache", d.cache.ping), ("stream", stream)):
        try:
            await call(probe)
            checks[name] = "ok"
        except Exception as error:
            checks[name] = f"unreachable: {type(error).__name__}"
    if any(v != "ok" for v in checks.values()):
        raise Unavailable(f"not ready: {checks}", field="readyz")
    return reply(request, {"status": "ready", "checks": checks})


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    **operation(token=False, content={"text/plain": {"schema": {"type": "string"}}}),
)
async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    payload = await call(state(request).metrics.exposition)
    return Response(payload, media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/v1/ops/pipeline", **operation(errors=(403, 503)))
async def ops_pipeline(request: Request) -> Response:
    """Backlog, lag, dead letters and per module type volume of the aggregation pipeline."""
    require(principal(request), Action.OPERATE)
    report = await call(pipeline_report, deps(request))
    return reply(request, present.pipeline(report))
