"""Shared fixtures: databases on SQLite and real PostgreSQL, the shared data folder, CI rules.

Under CI (``CI=true``) a PostgreSQL test that is skipped fails the run, and so does a missing
``../shared`` folder: CI must really exercise both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.database import (
    POSTGRES_URL_ENV,
    PostgresTestServer,
    TestDatabase,
    migrated_sqlite_template,
    open_database,
    sqlite_copy,
    truncate_all,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("WAAKHOND_SHARED_DIR", REPO_ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() == "true"

_skipped_postgres: list[str] = []
_ran_postgres: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    # Tests never reach a model hub; fail fast instead of waiting on timeouts.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresTestServer | None]:
    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        yield None
        return
    server = PostgresTestServer(admin_url)
    server.create()
    yield server
    server.drop()


def _database(kind: str, tmp_path: Path, sqlite_template: Path, postgres_server) -> Iterator[TestDatabase]:
    if kind == "sqlite":
        db = open_database(sqlite_copy(sqlite_template, tmp_path))
        yield db
        db.dispose()
        return
    if postgres_server is None:
        message = f"PostgreSQL tests need {POSTGRES_URL_ENV} (eval \"$(.ci/start-postgres)\")"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    db = open_database(postgres_server.url)
    truncate_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_server) -> Iterator[TestDatabase]:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    yield from _database(request.param, tmp_path, sqlite_template, postgres_server)


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[TestDatabase]:
    """SQLite only, for tests about the embedded default itself."""
    yield from _database("sqlite", tmp_path, sqlite_template, None)


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the checkout: present in CI, absent on users' machines."""
    if not SHARED_DIR.is_dir():
        if IN_CI:
            pytest.fail(f"{SHARED_DIR} is missing under CI")
        pytest.skip(f"{SHARED_DIR} not present")
    return SHARED_DIR


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "[postgres" not in report.nodeid and "-postgres" not in report.nodeid:
        return
    if report.skipped:
        _skipped_postgres.append(report.nodeid)
    elif report.when == "call":
        _ran_postgres.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped_postgres:
        print(f"\nCI: {len(_skipped_postgres)} PostgreSQL test(s) were skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
