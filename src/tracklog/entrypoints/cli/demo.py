"""``tracklog demo``: load a realistic data set, then serve it and say what to open."""

from __future__ import annotations

import random

import typer

from tracklog.entrypoints.cli.console import console, open_instance, out, settings

app = typer.Typer(
    help="Demo data: load and serve a realistic data set, or write a legacy export.",
    invoke_without_command=True,
)


@app.callback()
def demo(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None, "--host", help="Interface to bind.", show_default="TRACKLOG_HOST"
    ),
    port: int | None = typer.Option(None, "--port", help="Port.", show_default="TRACKLOG_PORT"),
    learners: int = typer.Option(25, "--learners", min=1, help="How many demo learners."),
    load_only: bool = typer.Option(False, "--load-only", help="Load the data, do not serve."),
) -> None:
    """Load collections, contexts, learners and a stream of events; then serve them."""
    if ctx.invoked_subcommand is not None:
        return
    from tracklog.adapters.tokens import TokenCodec
    from tracklog.domain.access import Role
    from tracklog.entrypoints.cli.demo_data import COLLECTIONS, load
    from tracklog.entrypoints.cli.serve import run
    from tracklog.services import registry

    current = settings()
    with open_instance(current, need="service") as tracklog:
        deps = tracklog.deps
        if registry.get_collection(deps, "intro-python") is None:
            events = load(deps, learners, random.Random(7))
            tracklog.worker.drain()
            console.print(
                f"loaded {len(COLLECTIONS)} collections, 3 contexts, {learners} learners, "
                f"{events} events"
            )
        else:
            console.print("demo data already present; serving it as it is")
    codec = TokenCodec(current)
    bind = f"http://{host or current.host}:{port or current.port}"
    learner_token = codec.mint("learner-01", [Role.LEARNER], 8 * 3600)
    admin_token = codec.mint("demo-admin", [Role.ADMIN, Role.OPS, Role.REPORTER], 8 * 3600)
    out.print(f"\nOpen {bind}/docs for the API, {bind}/metrics for metrics.")
    out.print(f"Learner token (learner-01):\n{learner_token}\n", soft_wrap=True)
    out.print(f"Admin token (demo-admin):\n{admin_token}\n", soft_wrap=True)
    out.print(
        f"Try: curl -s -X POST {bind}/v1/summary/read -H 'Authorization: Bearer {learner_token}' "
        '-H \'Content-Type: application/json\' -d \'{"request":{"collectionId":"intro-python",'
        '"contextId":"batch-1"}}\'',
        soft_wrap=True,
    )
    if not load_only:
        run(current, host=host, port=port, no_auth=False)
