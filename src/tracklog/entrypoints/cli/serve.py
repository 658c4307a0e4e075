"""``tracklog serve``: the HTTP API with the embedded worker."""

from __future__ import annotations

import typer
import uvicorn

from tracklog.entrypoints.api.app import create_app
from tracklog.entrypoints.cli.console import banner, console, fail, instance, settings
from tracklog.settings import Settings


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default TRACKLOG_HOST)."),
    port: int | None = typer.Option(None, help="Port (default TRACKLOG_PORT)."),
    no_auth: bool = typer.Option(
        False, "--no-auth", help="Development only: accept requests without a token."
    ),
) -> None:
    """Serve the API. Embedded mode runs the aggregation worker in this process; server mode
    (TRACKLOG_REDIS_URL set) leaves it to `tracklog worker` unless TRACKLOG_EMBEDDED_WORKER=true."""
    current = settings()
    banner(current)
    run(current, host=host, port=port, no_auth=no_auth)


def run(current: Settings, *, host: str | None, port: int | None, no_auth: bool) -> None:
    if no_auth and current.is_production:
        fail("--no-auth is refused when TRACKLOG_ENVIRONMENT=production")
    if current.uses_placeholder_secret:
        console.print("[yellow]warning:[/] TRACKLOG_AUTH_JWT_SECRET is the development placeholder")
    tracklog = instance(current)
    app = create_app(tracklog, auth=not no_auth)
    bind_host = host or current.host
    bind_port = port or current.port
    console.print(f"serving on http://{bind_host}:{bind_port} (docs at /docs)")
    if current.server_mode and not current.runs_embedded_worker:
        console.print("server mode: summaries are aggregated by `tracklog worker` processes")
    uvicorn.run(app, host=bind_host, port=bind_port, log_level="warning", access_log=False)
