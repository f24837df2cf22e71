"""Bringing a database to a usable state: schema at head plus the reference data it needs."""

from __future__ import annotations

import storage
from classifier import install_default_versions, seed_topics
from waakhond.context import AppContext
from waakhond.errors import EnvironmentProblem


def current_revision(app: AppContext) -> str | None:
    try:
        return storage.current_revision(app.engine)
    except Exception as exc:  # connection refused, unreadable file, ...
        raise EnvironmentProblem(f"cannot open the database: {str(exc).splitlines()[0]}") from exc


def initialise_database(app: AppContext) -> tuple[str | None, str | None]:
    """Migrate to head, seed the policy topics (operators' edits are kept) and register the
    shipped model versions, activating each task's default where that task has none (so
    ``waakhond models list`` shows them from the start). Idempotent. Returns the revision before
    and after."""
    app.settings.data_dir.mkdir(parents=True, exist_ok=True)
    before = current_revision(app)
    storage.upgrade(app.engine)
    with storage.transaction(app.sessions) as session:
        seed_topics(session)
    install_default_versions(app.sessions, app.settings)
    return before, storage.current_revision(app.engine)
