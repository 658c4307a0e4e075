"""``tracklog serve``: the HTTP API (with the embedded worker in embedded mode)."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING

import typer

from tracklog.entrypoints.cli.console import console, fail, open_instance, settings
from tracklog.entrypoints.heap import freeze_startup_heap

if TYPE_CHECKING:
    from tracklog.settings import Settings

log = logging.getLogger(__name__)


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Interface to bind.", show_default="TRACKLOG_HOST"
    ),
    port: int | None = typer.Option(
        None, "--port", help="Port to listen on.", show_default="TRACKLOG_PORT"
    ),
    no_auth: bool = typer.Option(
        False, "--no-auth", help="Development only: accept requests without a token."
    ),
) -> None:
    """Serve the API. Embedded mode runs the aggregation worker in this process; server mode
    (TRACKLOG_REDIS_URL set) leaves it to `tracklog worker` unless TRACKLOG_EMBEDDED_WORKER=true."""
    run(settings(), host=host, port=port, no_auth=no_auth)


def run(current: Settings, *, host: str | None, port: int | None, no_auth: bool) -> None:
    import uvicorn

    from tracklog.entrypoints.api.app import create_app

    if no_auth and current.is_production:
        fail("--no-auth is refused when TRACKLOG_ENVIRONMENT=production")
    if current.uses_placeholder_secret:
        console.print("[yellow]warning:[/] TRACKLOG_AUTH_JWT_SECRET is the development placeholder")
    with open_instance(current, need="service") as tracklog:
        # The app starts the instance and closes it on shutdown: uvicorn re-raises SIGTERM once it
        # has shut down, so nothing after ``run`` would (the last counts, the group commit).
        app = create_app(tracklog, auth=not no_auth, manage_lifecycle=True)
        bind_host, bind_port = host or current.host, port or current.port
        if current.server_mode and not current.runs_embedded_worker:
            console.print("server mode: summaries are aggregated by `tracklog worker` processes")
        listening = bind(bind_host, bind_port)
        # No logging config of uvicorn's own: its records go through Tracklog's handler at
        # TRACKLOG_LOG_LEVEL; the access line is the middleware's (with request id and user).
        config = uvicorn.Config(app, log_config=None, log_level=None, access_log=False)
        config.load()  # uvicorn's protocol classes imported now, so they are frozen with the rest
        started = _started(current, bind_host, bind_port)
        log.info("server started", extra={**started, "frozen_objects": freeze_startup_heap()})
        console.print(f"serving on http://{bind_host}:{bind_port} (docs at /docs)")
        uvicorn.Server(config).run(sockets=[listening])  # uvicorn logs its own shutdown


def _started(current: Settings, host: str, port: int) -> dict[str, object]:
    """What a log may say of the configuration: never the URLs (they may hold passwords)."""
    return {
        "host": host,
        "port": port,
        "environment": current.environment.value,
        "mode": current.mode.value,
        "database": current.database_kind,
        "server_mode": current.server_mode,
        "embedded_worker": current.runs_embedded_worker,
    }


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything says "serving"; a busy port is one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        fail(f"cannot listen on {host}:{port}: {error.strerror} (TRACKLOG_HOST/TRACKLOG_PORT)")
    listening.listen(2048)
    listening.set_inheritable(True)
    return listening
