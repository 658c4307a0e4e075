"""Alembic environment: runs on the connection the Store hands over (no engine of its own)."""

from __future__ import annotations

from alembic import context

from tracklog.adapters.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is invoked by hand
    raise SystemExit("run migrations with `tracklog db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
