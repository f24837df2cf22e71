"""Repository functions for ``policy_topics``: seed, list, edit (with audit entries).

Seeding never overwrites what an operator changed: it inserts missing topics only, unless the
caller asks to overwrite (``waakhond topics import --overwrite``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import PolicyTopic, utcnow

EDITABLE_FIELDS = ("name", "name_en", "description", "ministry", "keywords", "priority", "enabled")
MAX_PRIORITY = 5


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: str
    description: str = ""
    name_en: str | None = None
    ministry: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    priority: int = 1
    enabled: bool = True

    def values(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        data.pop("slug")
        return data


def validate_topic_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a topic")
    clean = dict(values)
    if "name" in clean and not str(clean["name"]).strip():
        raise InvalidInput("a topic needs a name")
    if "priority" in clean:
        priority = int(clean["priority"])
        if not 1 <= priority <= MAX_PRIORITY:
            raise InvalidInput(f"topic priority must be 1..{MAX_PRIORITY}, got {priority}")
        clean["priority"] = priority
    if "keywords" in clean:
        keywords = clean["keywords"]
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        clean["keywords"] = [k.strip() for k in keywords if k and k.strip()]
    return clean


def _check_slug(slug: str) -> None:
    if not slug or not slug.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"bad topic slug {slug!r}")


def add_topic(session: Session, spec: TopicSpec, *, actor: str) -> PolicyTopic:
    """An operator's new topic; refused when the slug exists. Audited with its slug."""
    _check_slug(spec.slug)
    if session.scalar(select(PolicyTopic.id).where(PolicyTopic.slug == spec.slug)) is not None:
        raise AlreadyExists(f"policy topic {spec.slug!r} exists already")
    values = validate_topic_values(spec.values())
    row = PolicyTopic(slug=spec.slug, **values, updated_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "topic.add", "policy_topic", row.id, {"slug": spec.slug, **values})
    return row


def upsert_topics(
    session: Session, specs: Iterable[TopicSpec], *, actor: str, overwrite: bool = False
) -> dict[str, int]:
    """Insert missing topics; with ``overwrite`` also bring existing ones back to the spec."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {t.slug: t for t in session.scalars(select(PolicyTopic))}
    for spec in specs:
        _check_slug(spec.slug)
        values = validate_topic_values(spec.values())
        row = existing.get(spec.slug)
        if row is None:
            row = PolicyTopic(slug=spec.slug, **values, updated_at=utcnow())
            session.add(row)
            existing[spec.slug] = row
            counts["created"] += 1
            continue
        changes = {k: v for k, v in values.items() if getattr(row, k) != v}
        if overwrite and changes:
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            audit.record(session, actor, "topic.import", "policy_topic", row.id, {"changed": sorted(changes)})
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    session.flush()
    if counts["created"]:
        audit.record(session, actor, "topic.seed", "policy_topic", None, {"created": counts["created"]})
    return counts


def list_topics(session: Session, *, enabled_only: bool = False) -> list[PolicyTopic]:
    query = select(PolicyTopic).order_by(PolicyTopic.slug)
    if enabled_only:
        query = query.where(PolicyTopic.enabled.is_(True))
    return list(session.scalars(query))


def get_topic(session: Session, slug: str) -> PolicyTopic:
    row = session.scalar(select(PolicyTopic).where(PolicyTopic.slug == slug))
    if row is None:
        raise NotFound(f"no policy topic {slug!r}")
    return row


def update_topic(session: Session, slug: str, changes: dict[str, Any], *, actor: str) -> PolicyTopic:
    """An operator's edit of one topic."""
    row = get_topic(session, slug)
    clean = validate_topic_values(changes)
    before = {k: getattr(row, k) for k in clean}
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, actor, "topic.update", "policy_topic", row.id, {"slug": slug, "before": before, "after": clean})
    return row


def topics_by_id(session: Session, ids: Sequence[int]) -> dict[int, PolicyTopic]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(PolicyTopic).where(PolicyTopic.id.in_(list(ids))))}
