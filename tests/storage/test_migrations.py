"""The ORM models and the shipped migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import storage
from storage.repositories.fetches import is_own_table
from storage.schema import Base

CONTRACT = {
    "sources": {"id", "url", "name", "kind", "enabled", "interval_seconds"},
    "fetch_runs": {"source_id", "status", "http_status", "error_kind", "error_message"},
    "items": {
        "id", "source_id", "guid", "url", "canonical_url", "title", "summary", "body_text",
        "published_at", "language", "duplicate_of",
    },
    "classifications": {"item_id", "model_version_id", "score", "flagged", "evidence_text"},
    "claim_matches": {"item_id", "fact_check_id", "similarity"},
    "labels": {"item_id", "user_id", "label"},
}
REQUIRED_TABLES = set(CONTRACT) | {
    "fact_checks", "model_versions", "users", "audit_log", "policy_topics",
}


def test_autogenerate_finds_no_difference(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # APScheduler's job table shares the database; it is not part of our schema.
                "include_name": lambda name, type_, parent: type_ != "table" or is_own_table(name),
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_database_is_at_head(db):
    assert storage.current_revision(db.engine) == storage.head_revision()
    assert storage.is_at_head(db.engine)


def test_public_contract_columns_exist(db):
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert REQUIRED_TABLES <= tables
    for table, columns in CONTRACT.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        assert columns <= present, f"{table} lacks {columns - present}"


def test_upgrade_is_idempotent(db):
    storage.upgrade(db.engine)
    storage.upgrade(db.engine)
    assert storage.is_at_head(db.engine)
