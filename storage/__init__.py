"""Storage (floor 0): Waakhond's tables, migrations and the repository functions and read
models every other package uses; it imports none of Waakhond's other packages.

The face offers the engine and sessions (``create_db_engine``, ``session_factory``,
``read_session_factory``, ``transaction``: the caller owns the unit of work), the migrations
(``upgrade``, ``current_revision``, ``head_revision``, ``is_at_head``, ``new_revision``), the
settings section, the errors (the root ``StorageError``; ``NotFound``, ``AlreadyExists``,
``InvalidInput``), the one rule for links (``web_url``: http/https only, after a browser's
clean-up) and the guidance links shown with every signal (``load_guidance`` reads the shipped
``storage/data/guidance.toml``; ``Guidance``, ``GuidanceLink``, ``GuidanceError``, a
``StorageError``). Behind it, two sub-package faces, kept apart:

- ``storage.repositories``: the writes, one module per thing held (``sources``, ``fetches``,
  ``items``, ``classifications``, ``model_versions``, ``claim_matches``, ``narratives``, ...)
- ``storage.read_models``: the queries for screens (``signals``, ``signal_pages``,
  ``signal_parts``, ``daily_counts``, ``narratives``, ``growth``, ``model_drift``,
  ``label_queue``)

The tables are in ``storage.schema``; ``storage.queries`` holds the helpers the repositories and
read models share (``IN`` lists in chunks, the latest classification) and is not offered.
"""

from storage.engine import (
    DatabaseUrlError,
    create_db_engine,
    is_sqlite,
    read_session_factory,
    session_factory,
    transaction,
)
from storage.errors import AlreadyExists, InvalidInput, NotFound, StorageError
from storage.guidance import (
    GUIDANCE_FILE,
    Guidance,
    GuidanceError,
    GuidanceLink,
    load_guidance,
    parse_guidance,
)
from storage.migrate import current_revision, head_revision, is_at_head, new_revision, upgrade
from storage.settings import StorageSettings
from storage.urls import WEB_SCHEMES, declared_scheme, describe_refused, web_url

__all__ = [
    "GUIDANCE_FILE",
    "WEB_SCHEMES",
    "AlreadyExists",
    "DatabaseUrlError",
    "Guidance",
    "GuidanceError",
    "GuidanceLink",
    "InvalidInput",
    "NotFound",
    "StorageError",
    "StorageSettings",
    "create_db_engine",
    "current_revision",
    "declared_scheme",
    "describe_refused",
    "head_revision",
    "is_at_head",
    "is_sqlite",
    "load_guidance",
    "new_revision",
    "parse_guidance",
    "read_session_factory",
    "session_factory",
    "transaction",
    "upgrade",
    "web_url",
]
