"""Storage: Waakhond's tables and the small repository functions every other package uses.

``storage`` imports none of Waakhond's other packages.
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
