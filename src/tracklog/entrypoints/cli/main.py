"""``tracklog``: one Typer app, one module per verb."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperOption

from tracklog.entrypoints.cli import (
    db,
    demo,
    dlq,
    jobs,
    migrate,
    mode,
    monitor,
    serve,
    token,
    worker,
)


def _show_flags_as_flags() -> None:
    """Typer's help lists a type for every option, ``--dry-run <bool>`` included, which reads as
    if the flag took a value. A flag takes none: show it bare (its help says what it does)."""
    typed = TyperOption.display_type_rich

    def display(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else typed(self, ctx)

    TyperOption.display_type_rich = display  # type: ignore[method-assign]


_show_flags_as_flags()

app = typer.Typer(
    name="tracklog",
    help="Tracklog: learner-progress tracking that loses nothing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.add_typer(demo.app, name="demo")
app.add_typer(db.app, name="db")
app.add_typer(token.app, name="token")
app.add_typer(dlq.app, name="dlq")
app.add_typer(mode.app, name="mode")
app.add_typer(jobs.app, name="jobs")
app.add_typer(migrate.app, name="migrate")
app.command("reconcile")(migrate.reconcile)
app.command("backfill")(migrate.backfill)
app.command("monitor")(monitor.monitor)


if __name__ == "__main__":  # pragma: no cover
    app()
