"""Alembic environment: runs against the connection handed in by ``storage.migrate``."""

from __future__ import annotations

from alembic import context

from storage.repositories.fetches import is_own_table
from storage.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through storage.migrate
    raise RuntimeError("run migrations through storage.migrate (waakhond db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # APScheduler's job table lives in the same database but is not ours to migrate.
    include_name=lambda name, type_, parent_names: type_ != "table" or is_own_table(name),
)
with context.begin_transaction():
    context.run_migrations()
