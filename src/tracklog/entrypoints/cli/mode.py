"""``tracklog mode``: the mode this database is stamped with, and switching it when safe."""

from __future__ import annotations

import typer

from tracklog.entrypoints.cli.console import console, fail, open_instance, settings

app = typer.Typer(help="The instance's context mode (docs/modes.md).", no_args_is_help=True)


@app.command("show")
def show() -> None:
    """Show the mode the database was written in and the configured TRACKLOG_MODE."""
    from tracklog.services import instance_mode

    with open_instance(need="any-mode") as tracklog:
        stamp = instance_mode.current(tracklog.deps)
    stamped = stamp.stamped.value if stamp.stamped else "none yet"
    console.print(f"database mode: {stamped} · TRACKLOG_MODE: {stamp.configured.value}")


@app.command("adopt")
def adopt(
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Stamp the database with TRACKLOG_MODE (only between strict, copy and move)."""
    from tracklog.services import instance_mode

    current = settings()
    if not yes and not typer.confirm(f"Switch this database to mode {current.mode.value}?"):
        fail("nothing changed", code=1)
    with open_instance(current, need="any-mode") as tracklog:
        stamp = instance_mode.adopt(tracklog.deps, actor="cli")
    before = stamp.stamped.value if stamp.stamped else "none"
    console.print(f"database mode: {before} -> {stamp.configured.value}")
