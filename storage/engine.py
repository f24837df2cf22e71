"""Engine and session factory.

SQLite (the embedded default) gets WAL mode, foreign keys and a busy timeout on every
connection; PostgreSQL gets a sized pool with pre-ping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import StorageError
from storage.settings import StorageSettings


class DatabaseUrlError(StorageError, ValueError):
    """The database URL cannot be used."""


def create_db_engine(url: str, settings: StorageSettings | None = None) -> Engine:
    settings = settings or StorageSettings()
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long text
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, settings)
    if backend == "postgresql":
        return create_engine(
            parsed,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_pre_ping=True,
            echo=settings.echo_sql,
        )
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _sqlite_engine(parsed: Any, settings: StorageSettings) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        echo=settings.echo_sql,
        connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000, "check_same_thread": False},
    )
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN: pysqlite's implicit transactions defer
        # the write lock and break SERIALIZABLE-style leases under concurrency.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front and wait (busy_timeout)
        # instead of failing with "database is locked" when a read lock is upgraded on a
        # stale WAL snapshot. Readers (read_session_factory) BEGIN DEFERRED and never block.
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


_BEGIN_OPTION = "waakhond_sqlite_begin"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that write."""
    return sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for pages and reports that only read: on SQLite they never take the write lock."""
    return sessionmaker(engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"}), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
