"""What the dashboard is given by its entry script: settings and session factories.

The dashboard never builds this itself and never reads the environment; ``waakhond`` (the
entry script) and the tests hand it over.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from dashboard.settings import DashboardSettings


class DashboardContext(Protocol):
    settings: Any  # the whole settings object; the dashboard reads ``settings.dashboard``

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def read_sessions(self) -> sessionmaker[Session]: ...

    def secret_key(self) -> str: ...


def dashboard_settings(ctx: DashboardContext) -> DashboardSettings:
    return ctx.settings.dashboard
