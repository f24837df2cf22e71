"""Alembic migrations, shipped inside the package. Run them with ``storage.migrate.upgrade``."""
