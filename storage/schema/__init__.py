"""The ORM models: Waakhond's tables.

Table and column names marked *contract* below are public: analysts query them directly
with SQL or Datasette. Change them only with a migration and a note in the changelog.

Times are stored as naive UTC and handed back as aware UTC datetimes (``UTCDateTime``), so
SQLite and PostgreSQL behave the same.

The tables live in the modules of this package, one per area (``sources``, ``items``,
``classifications``, ``factchecks``, ``audit``, ``narratives``, ``alerts``, ``scale``,
``briefings``), on the
shared ``Base`` of ``base``. Importing ``storage.schema`` imports them all, so
``Base.metadata`` is always complete (Alembic's ``env.py`` and the migration test rely on it).
Import the tables from here: ``from storage.schema import Item``.
"""

from __future__ import annotations

# Kept for compatibility: when this package was a single module, its ``__all__`` took every
# capitalised name it had imported, so these names were exported too.
from datetime import UTC
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped
from sqlalchemy.types import TypeDecorator

from storage.schema.base import (
    DEBUNK_RATINGS,
    FETCH_STATUSES,
    LABELS,
    MODEL_STATUSES,
    NAMING_CONVENTION,
    PART_NAMES,
    RATINGS,
    ROLES,
    SOURCE_KINDS,
    Base,
    UTCDateTime,
    utcnow,
)

# The table modules, in the order the tables were always defined (Base.metadata keeps it).
# isort: off
from storage.schema.sources import FetchRun, Source
from storage.schema.items import Item, ItemEmbedding, ItemSentence, ItemTopic, PolicyTopic, appeared_at
from storage.schema.classifications import Classification, Label, ModelVersion, User
from storage.schema.factchecks import ClaimMatch, FactCheck
from storage.schema.audit import AuditEntry, DailyTopicCount
from storage.schema.narratives import Narrative, NarrativeItem
from storage.schema.alerts import Alert, AlertChannel, AlertRule
from storage.schema.scale import DeadLetter, Lease
from storage.schema.api_tokens import API_TOKEN_ROLES, ApiToken
from storage.schema.briefings import Briefing
# isort: on

__all__ = [
    # the tables
    "Alert",
    "AlertChannel",
    "AlertRule",
    "ApiToken",
    "AuditEntry",
    "Briefing",
    "ClaimMatch",
    "Classification",
    "DailyTopicCount",
    "DeadLetter",
    "FactCheck",
    "FetchRun",
    "Item",
    "ItemEmbedding",
    "ItemSentence",
    "ItemTopic",
    "Label",
    "Lease",
    "ModelVersion",
    "Narrative",
    "NarrativeItem",
    "PolicyTopic",
    "Source",
    "User",
    # the base, the column type, the allowed values
    "Base",
    "API_TOKEN_ROLES",
    "FETCH_STATUSES",
    "DEBUNK_RATINGS",
    "LABELS",
    "MODEL_STATUSES",
    "NAMING_CONVENTION",
    "PART_NAMES",
    "RATINGS",
    "ROLES",
    "SOURCE_KINDS",
    "UTCDateTime",
    "appeared_at",
    "utcnow",
    # re-exported from the standard library and SQLAlchemy, as the single module did
    "UTC",
    "Any",
    "JSON",
    "BigInteger",
    "Boolean",
    "CheckConstraint",
    "Date",
    "DateTime",
    "DeclarativeBase",
    "Float",
    "ForeignKey",
    "Index",
    "Integer",
    "LargeBinary",
    "Mapped",
    "MetaData",
    "String",
    "Text",
    "TypeDecorator",
    "UniqueConstraint",
    "func",
]
