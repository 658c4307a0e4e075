"""``tracklog db``: schema migrations."""

from __future__ import annotations

import typer

from tracklog.entrypoints.cli.console import banner, console, instance, settings

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema to the current release."""
    current = settings()
    banner(current)
    tracklog = instance(current, migrate="always")
    store = tracklog.deps.store
    console.print(f"{store.masked_url()} is at revision {store.current_revision()}")
    tracklog.close()


@app.command("current")
def current_revision() -> None:
    """Show the schema revision of the database and of this release."""
    current = settings()
    banner(current)
    tracklog = instance(current, migrate="never")
    store = tracklog.deps.store
    console.print(f"database {store.current_revision()} · release {store.head_revision()}")
    tracklog.close()
