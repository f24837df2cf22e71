"""Bringing a database to a usable state: schema at head plus the reference data it needs."""

from __future__ import annotations

import storage
from classifier import seed_topics
from waakhond.context import AppContext
from waakhond.errors import EnvironmentProblem


def current_revision(app: AppContext) -> str | None:
    try:
        return storage.current_revision(app.engine)
    except Exception as exc:  # connection refused, unreadable file, ...
        raise EnvironmentProblem(f"cannot open the database: {str(exc).splitlines()[0]}") from exc


def initialise_database(app: AppContext) -> tuple[str | None, str | None]:
    """Migrate to head and seed the policy topics (operators' edits are kept). Idempotent.
    Returns the revision before and after."""
    app.settings.data_dir.mkdir(parents=True, exist_ok=True)
    before = current_revision(app)
    storage.upgrade(app.engine)
    with storage.transaction(app.sessions) as session:
        seed_topics(session)
    return before, storage.current_revision(app.engine)
