"""What the API needs, handed in by ``waakhond`` (never read from globals)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from api.settings import ApiSettings
from storage.schema import utcnow


@dataclass(frozen=True)
class GuidanceLink:
    """An official information page for a topic (``topic``), or the general page (None)."""

    title: str
    url: str
    topic: str | None


def no_guidance(topic_slugs: Sequence[str]) -> list[GuidanceLink]:
    return []


@dataclass
class ApiContext:
    settings: ApiSettings
    sessions: sessionmaker[Session]  # writes: a token's last use
    read_sessions: sessionmaker[Session]  # every read
    #: the guidance links for a signal's topics (``waakhond`` wires storage's guidance file)
    guidance_for: Callable[[Sequence[str]], list[GuidanceLink]] = no_guidance
    clock: Callable[[], datetime] = field(default=utcnow)
