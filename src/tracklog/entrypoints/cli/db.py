"""``tracklog db``: schema migrations."""

from __future__ import annotations

import typer

from tracklog.entrypoints.cli.console import console, guarded, open_instance

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema to the current release (creates a new database)."""
    from tracklog.services import instance

    with open_instance(need="nothing") as tracklog:
        revision = guarded(lambda: instance.upgrade_schema(tracklog.deps, tracklog.schema))
        console.print(f"{tracklog.deps.store.masked_url()} is at revision {revision}")


@app.command("current")
def current_revision() -> None:
    """Show the schema revision of the database and of this release."""
    from tracklog.services import instance

    with open_instance(need="nothing") as tracklog:
        found = guarded(lambda: instance.revisions(tracklog.deps, tracklog.schema))
        console.print(f"database {found.database} · release {found.release}")
        if not found.exists:
            console.print(
                f"there is no database at {tracklog.deps.store.masked_url()} yet "
                "(nothing was created; `tracklog db upgrade` creates it)"
            )
