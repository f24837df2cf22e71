"""Fixtures of the scale-out tests: a real Redis (``WAAKHOND_TEST_REDIS_URL``, started by
``.ci/start-redis``) and the real PostgreSQL of the root conftest.

Under CI (``CI=true``) a Redis test that is skipped fails the run, as PostgreSQL tests do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support.database import TestDatabase, open_database, truncate_all
from tests.support.tiny_model import tiny_model_folder

REDIS_URL_ENV = "WAAKHOND_TEST_REDIS_URL"
_skipped_redis: list[str] = []


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database, emptied before the test."""
    url = os.environ.get(REDIS_URL_ENV)
    if not url:
        _unavailable(f"scale-out tests need {REDIS_URL_ENV} (eval \"$(.ci/start-redis)\")")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def pg_db(postgres_server) -> Iterator[TestDatabase]:
    """PostgreSQL only: scale-out is the deployment for PostgreSQL."""
    if postgres_server is None:
        _unavailable("scale-out tests need WAAKHOND_TEST_POSTGRES_URL (eval \"$(.ci/start-postgres)\")")
    db = open_database(postgres_server.url)
    truncate_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_folder(tmp_path_factory.mktemp("tiny-model"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "redis" in report.keywords:
        _skipped_redis.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped_redis:
        print(f"\nCI: {len(_skipped_redis)} Redis test(s) were skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
