"""``tracklog dlq``: the dead-letter store."""

from __future__ import annotations

import typer

from tracklog.entrypoints.cli.console import console, open_instance, out

app = typer.Typer(help="Dead letters: aggregation work that kept failing.", no_args_is_help=True)


@app.command("list")
def list_letters(
    limit: int = typer.Option(100, "--limit", min=1, help="Show at most this many."),
) -> None:
    """List dead letters with their error."""
    from rich.table import Table

    from tracklog.entrypoints.shapes import iso
    from tracklog.services.dead_letters import list_dead_letters

    with open_instance() as tracklog:
        letters = list_dead_letters(tracklog.deps, limit)
    table = Table("id", "user", "collection", "context", "content", "tries", "failed", "error")
    for d in letters:
        table.add_row(
            str(d.id),
            d.user_id,
            d.collection_id,
            d.context_id,
            d.content_id,
            str(d.attempts),
            iso(d.failed_ts) or "",
            d.error,
        )
    out.print(table)
    console.print(f"{len(letters)} dead letter(s)")


@app.command("replay")
def replay(ids: list[int] = typer.Argument(None, help="Ids to replay (default: all).")) -> None:
    """Send dead letters back through the pipeline (after fixing their cause)."""
    from tracklog.services.dead_letters import replay_dead_letters

    with open_instance() as tracklog:
        count = replay_dead_letters(tracklog.deps, ids or None)
        if tracklog.deps.settings.runs_embedded_worker:
            drained = tracklog.worker.drain()
            console.print(f"replayed {count} dead letter(s); {drained} trigger(s) processed")
        else:  # server mode: the running `tracklog worker` processes pick them up
            console.print(f"replayed {count} dead letter(s); the workers will process them")
