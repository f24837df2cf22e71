"""What a command or service needs, built once from the settings: engine and sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import storage
from waakhond.errors import EnvironmentProblem, UserError
from waakhond.settings import Settings

SECRET_FILE = "secret_key"


@dataclass
class AppContext:
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def engine(self) -> Engine:
        try:
            return storage.create_db_engine(self.settings.database_url, self.settings.storage)
        except storage.DatabaseUrlError as exc:
            raise UserError(str(exc)) from exc

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions for units of work that write."""
        return storage.session_factory(self.engine)

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        """Sessions that only read (dashboard pages, reports)."""
        return storage.read_session_factory(self.engine)

    def require_database(self) -> None:
        """Fail with a clear message unless the database exists at the latest revision."""
        try:
            at_head = storage.is_at_head(self.engine)
        except Exception as exc:  # connection refused, unreadable file, ...
            raise EnvironmentProblem(f"cannot open the database: {_first_line(exc)}") from exc
        if not at_head:
            raise EnvironmentProblem(
                "the database is not initialised or not up to date: run `waakhond init` (new) "
                "or `waakhond db upgrade` (existing)"
            )

    def secret_key(self) -> str:
        """The dashboard's session-signing key: from settings, else generated once under data_dir."""
        configured = self.settings.secret_key.get_secret_value()
        if configured:
            return configured
        path = self.settings.data_dir / SECRET_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
