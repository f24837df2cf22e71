"""Test databases: a migrated SQLite file per test, and a real PostgreSQL database per run
(tables truncated between tests)."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import storage
from storage.schema import Base

POSTGRES_URL_ENV = "WAAKHOND_TEST_POSTGRES_URL"


@dataclass
class TestDatabase:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> TestDatabase:
    engine = storage.create_db_engine(url)
    return TestDatabase(url, engine, storage.session_factory(engine), storage.read_session_factory(engine))


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = storage.create_db_engine(f"sqlite:///{path}")
    storage.upgrade(engine)
    engine.dispose()
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "waakhond.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresTestServer:
    """One fresh database on the server named by WAAKHOND_TEST_POSTGRES_URL, for one test run."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.name = f"waakhond_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self._admin: Engine | None = None

    def create(self) -> None:
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine = storage.create_db_engine(self.url)
        storage.upgrade(engine)
        engine.dispose()

    def drop(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


def truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
