"""The adversarial suite's fixtures: the dashboard tests' seeded database and AppTests, on
SQLite only (the defences under test do not depend on the database; the storage tests run
both), so that the whole suite stays within a few minutes."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import app_env, make_app, password_hash, seeded  # noqa: F401 - fixtures


@pytest.fixture
def db(sqlite_db):
    return sqlite_db
