"""Repository functions for ``sources``: add, change, list, remove, with audit entries.

Scheduling state (next due time, leases, health counters) is written by the collector
through the functions in ``storage.repositories.fetches``; this module covers what operators do: their
edits, and ``fetch_now``, the one action on a source's schedule that is not an edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import SOURCE_KINDS, FetchRun, Source, utcnow
from storage.urls import web_url

MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 86_400

#: Columns an operator may change with ``update_source``.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "url",
    "interval_seconds",
    "min_interval_seconds",
    "max_interval_seconds",
    "enabled",
    "full_text",
    "language",
    "owner",
    "tags",
)


@dataclass(frozen=True)
class SourceSpec:
    """What an operator says about a source; validated by ``validate_spec``."""

    url: str
    name: str = ""
    kind: str = "feed"
    interval_seconds: int = 900
    enabled: bool = True
    full_text: bool = False
    language: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    note: str | None = None


def validate_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise InvalidInput(f"URL has no host: {url!r}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise InvalidInput(f"URL has a bad port: {url!r}") from exc
    if any(ch.isspace() for ch in url):
        raise InvalidInput(f"URL contains whitespace: {url!r}")
    if web_url(url) is None:  # the one URL rule (storage.urls): no credentials, no control characters
        raise InvalidInput(f"not a clean http(s) URL (credentials, control characters or a bad host): {url!r}")
    return url


def validate_kind(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"unknown source kind {kind!r}: use one of {', '.join(SOURCE_KINDS)}")
    return kind


def validate_interval(seconds: int) -> int:
    if not MIN_INTERVAL_SECONDS <= int(seconds) <= MAX_INTERVAL_SECONDS:
        raise InvalidInput(
            f"interval {seconds}s is out of range: use {MIN_INTERVAL_SECONDS}..{MAX_INTERVAL_SECONDS} seconds"
        )
    return int(seconds)


def validate_spec(spec: SourceSpec) -> SourceSpec:
    url = validate_url(spec.url)
    validate_kind(spec.kind)
    validate_interval(spec.interval_seconds)
    name = (spec.name or "").strip() or (urlsplit(url).hostname or url)
    return SourceSpec(
        url=url,
        name=name[:200],
        kind=spec.kind,
        interval_seconds=int(spec.interval_seconds),
        enabled=bool(spec.enabled),
        full_text=bool(spec.full_text),
        language=spec.language,
        owner=spec.owner,
        tags=tuple(spec.tags),
        note=spec.note,
    )


def add_source(session: Session, spec: SourceSpec, actor: str) -> tuple[Source, bool]:
    """Insert a source, or return the existing one with the same URL. ``(source, created)``."""
    spec = validate_spec(spec)
    existing = session.scalar(select(Source).where(Source.url == spec.url))
    if existing is not None:
        return existing, False
    source = Source(
        url=spec.url,
        name=spec.name,
        kind=spec.kind,
        interval_seconds=spec.interval_seconds,
        enabled=spec.enabled,
        full_text=spec.full_text,
        language=spec.language,
        owner=spec.owner,
        tags=list(spec.tags),
        next_due_at=utcnow(),
        disabled_reason=None if spec.enabled else (spec.note or "disabled when added"),
    )
    try:
        with session.begin_nested():
            session.add(source)
            session.flush()
    except IntegrityError:
        # Another process added the same URL between our SELECT and INSERT.
        existing = session.scalar(select(Source).where(Source.url == spec.url))
        if existing is None:
            raise
        return existing, False
    audit.record(session, actor, "source.add", "source", source.id, {"url": spec.url, "kind": spec.kind})
    return source, True


def get_source(session: Session, ref: int | str) -> Source:
    """Look a source up by id (int or digits) or by URL."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        source = session.get(Source, int(ref))
    else:
        source = session.scalar(select(Source).where(Source.url == ref))
    if source is None:
        raise NotFound(f"no source {ref!r}")
    return source


def list_sources(
    session: Session, *, kind: str | None = None, enabled: bool | None = None
) -> Sequence[Source]:
    query = select(Source).order_by(Source.id)
    if kind is not None:
        query = query.where(Source.kind == validate_kind(kind))
    if enabled is not None:
        query = query.where(Source.enabled.is_(enabled))
    return session.scalars(query).all()


def update_source(session: Session, ref: int | str, changes: dict[str, Any], actor: str) -> Source:
    """Apply an operator's changes, validated, and record them (old and new values)."""
    source = get_source(session, ref)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}: editable are {', '.join(EDITABLE_FIELDS)}")
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "url":
            value = validate_url(value)
        elif key == "kind":
            value = validate_kind(value)
        elif key in ("interval_seconds", "min_interval_seconds", "max_interval_seconds") and value is not None:
            value = validate_interval(value)
        elif key == "name":
            value = str(value).strip()[:200]
            if not value:
                raise InvalidInput("a source name cannot be empty")
        elif key == "tags":
            value = sorted({str(t).strip() for t in value if str(t).strip()})
        clean[key] = value
    before = {key: getattr(source, key) for key in clean}
    diff = {k: [before[k], v] for k, v in clean.items() if before[k] != v}
    if not diff:
        return source
    for key, value in clean.items():
        setattr(source, key, value)
    if "enabled" in clean:
        source.disabled_reason = None if clean["enabled"] else f"disabled by {actor}"
        if clean["enabled"]:
            source.consecutive_failures = 0
            source.next_due_at = utcnow()
    if "interval_seconds" in clean:
        # A changed interval takes effect at once: the scheduler reads next_due_at each tick.
        source.next_due_at = utcnow()
    audit.record(session, actor, "source.update", "source", source.id, {"changes": diff})
    return source


def set_enabled(session: Session, ref: int | str, enabled: bool, actor: str, reason: str | None = None) -> Source:
    source = update_source(session, ref, {"enabled": enabled}, actor)
    if not enabled and reason:
        source.disabled_reason = reason
    return source


def remove_source(session: Session, ref: int | str, actor: str) -> None:
    source = get_source(session, ref)
    audit.record(session, actor, "source.remove", "source", source.id, {"url": source.url, "name": source.name})
    session.delete(source)


def specs_of(sources: Iterable[Source]) -> list[SourceSpec]:
    """The operator-facing view of stored sources, for export."""
    return [
        SourceSpec(
            url=s.url,
            name=s.name,
            kind=s.kind,
            interval_seconds=s.interval_seconds,
            enabled=s.enabled,
            full_text=s.full_text,
            language=s.language,
            owner=s.owner,
            tags=tuple(s.tags or ()),
        )
        for s in sources
    ]


def recent_fetch_runs(session: Session, source_id: int, limit: int = 20) -> Sequence[FetchRun]:
    query = (
        select(FetchRun)
        .where(FetchRun.source_id == source_id)
        .order_by(FetchRun.started_at.desc(), FetchRun.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def fetch_now(session: Session, ref: int | str, actor: str, user_id: int | None = None) -> Source:
    """"Nu ophalen": make the source due at once; the running scheduler reads ``next_due_at``
    on its next tick, so no restart is needed. Recorded in the audit log."""
    source = get_source(session, ref)
    previous = source.next_due_at
    source.next_due_at = utcnow()
    audit.record(
        session, actor, "source.fetch_now", "source", source.id,
        {"previous_next_due_at": previous.isoformat() if previous else None}, user_id,
    )
    return source
