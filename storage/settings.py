"""Settings that the storage layer needs besides the database URL."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StorageSettings(BaseModel):
    """Engine tuning; the URL itself is the top-level ``database_url`` setting."""

    sqlite_busy_timeout_ms: int = Field(15_000, ge=0, description="How long SQLite waits for a lock.")
    pool_size: int = Field(5, ge=1, description="Connection pool size (PostgreSQL).")
    max_overflow: int = Field(10, ge=0, description="Extra connections above pool_size (PostgreSQL).")
    echo_sql: bool = Field(False, description="Log every SQL statement (debugging only).")
