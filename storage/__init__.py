"""Storage (floor 0): Waakhond's tables, migrations and the repository functions and read
models every other package uses; it imports none of Waakhond's other packages.

The face offers the engine and sessions (``create_db_engine``, ``session_factory``,
``read_session_factory``, ``transaction``: the caller owns the unit of work), the migrations
(``upgrade``, ``current_revision``, ``head_revision``, ``is_at_head``), the settings section
and the error root ``StorageError``. The tables are in ``storage.schema``; the repositories and
read models are one module per domain (``sources``, ``items``, ``classifications``,
``model_versions``, ``claim_matches``, ``narratives``, ``alerts``, ``views``, ...), and
``queries`` holds the helpers they share (``IN`` lists in chunks, the latest classification).
"""

from storage.engine import (
    DatabaseUrlError,
    create_db_engine,
    is_sqlite,
    read_session_factory,
    session_factory,
    transaction,
)
from storage.errors import StorageError
from storage.migrate import current_revision, head_revision, is_at_head, upgrade
from storage.settings import StorageSettings

__all__ = [
    "DatabaseUrlError",
    "StorageError",
    "StorageSettings",
    "create_db_engine",
    "current_revision",
    "head_revision",
    "is_at_head",
    "is_sqlite",
    "read_session_factory",
    "session_factory",
    "transaction",
    "upgrade",
]
