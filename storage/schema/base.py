"""The shared base of the tables: the declarative ``Base`` and its metadata, the naming
convention, the ``UTCDateTime`` column type, ``utcnow`` and the allowed values of the
checked columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = ("feed", "factcheck")
FETCH_STATUSES = ("ok", "not_modified", "failed", "skipped")
ROLES = ("viewer", "analyst", "operator", "admin")
LABELS = ("disinformation", "misleading", "not_disinformation", "unsure")
MODEL_STATUSES = ("candidate", "active", "retired")
RATINGS = ("false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "unknown")
#: The ratings that count as a debunk of the claim (the others do not contradict it).
DEBUNK_RATINGS = ("false", "mostly_false")
#: The part names of the signal-parts contract (also the values ``labels.wrong_part`` takes).
PART_NAMES = ("head", "checkworthy", "narrative", "claim_match", "topic")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given to a UTC column: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}
