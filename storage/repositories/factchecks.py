"""Repository functions for ``fact_checks``: collected, imported and hand-added debunks.

A fact-check's identity is ``(url, claim_key)``: one page may review several claims, and the
key is a hash of the normalised claim text, so importing the same file or fetching the same
page twice changes nothing. Claim vectors (float32 little-endian, from the classifier's
encoder) are stored beside the claim together with the encoder's fingerprint.

Matches and the combined signal live in ``storage.repositories.claim_matches``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import AlreadyExists, InvalidInput, NotFound, StorageError
from storage.repositories import audit
from storage.schema import RATINGS, ClaimMatch, FactCheck, User, utcnow
from storage.urls import web_url

ORIGINS = ("collected", "imported", "manual")
#: Analysts and above may add or remove debunks by hand; viewers only read.
MANUAL_ROLES = ("analyst", "operator", "admin")
# Column sizes of ``fact_checks`` (see storage.schema).
_PUBLISHER_CHARS = 300
_RATING_TEXT_CHARS = 300
_CLAIM_AUTHOR_CHARS = 500


class NotPermitted(StorageError, PermissionError):
    """The user's role does not allow this change."""


@dataclass(frozen=True)
class FactCheckSpec:
    """One reviewed claim as read from a page, a file or an analyst."""

    url: str
    claim_reviewed: str
    publisher: str
    rating: str = "unknown"
    rating_text: str | None = None
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    claim_author: str | None = None
    appearances: tuple[str, ...] = field(default_factory=tuple)
    published_at: datetime | None = None
    language: str | None = None
    headline: str | None = None


@dataclass(frozen=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


def normalise_claim(text: str) -> str:
    return " ".join((text or "").casefold().split())


def claim_key(claim: str) -> str:
    """sha256 hex of the casefolded, whitespace-collapsed claim (64 characters)."""
    return hashlib.sha256(normalise_claim(claim).encode("utf-8")).hexdigest()


def validate_spec(spec: FactCheckSpec) -> FactCheckSpec:
    url = web_url(spec.url)  # the one URL rule (storage.urls): clean http(s) only
    if url is None:
        raise InvalidInput(f"a fact-check needs an http(s) URL, got {spec.url!r}")
    parts = urlsplit(url)
    claim = " ".join((spec.claim_reviewed or "").split())
    if not claim:
        raise InvalidInput(f"fact-check {url} has no claim text")
    if spec.rating not in RATINGS:
        raise InvalidInput(f"unknown rating {spec.rating!r}: use one of {', '.join(RATINGS)}")
    if spec.published_at is not None and spec.published_at.tzinfo is None:
        raise InvalidInput(f"fact-check {url}: published_at must be timezone-aware")
    publisher = " ".join((spec.publisher or "").split()) or (parts.hostname or url)
    return replace(
        spec,
        url=url,
        claim_reviewed=claim,
        publisher=publisher[:_PUBLISHER_CHARS],
        rating_text=(spec.rating_text or "").strip()[:_RATING_TEXT_CHARS] or None,
        claim_author=(spec.claim_author or "").strip()[:_CLAIM_AUTHOR_CHARS] or None,
        appearances=tuple(dict.fromkeys(a for a in map(web_url, spec.appearances) if a is not None)),
        language=(spec.language or "").strip().lower()[:8] or None,
        headline=" ".join((spec.headline or "").split()) or None,
    )


#: Columns that a newer version of the same review may change (a corrected rating, say).
_UPDATABLE = (
    "publisher", "rating", "rating_text", "rating_value", "best_rating", "worst_rating",
    "claim_author", "published_at", "language", "headline",
)


def _values(spec: FactCheckSpec) -> dict[str, object]:
    values: dict[str, object] = {k: getattr(spec, k) for k in _UPDATABLE}
    values["appearances"] = list(spec.appearances)
    return values


def upsert_fact_check(
    session: Session,
    spec: FactCheckSpec,
    *,
    origin: str = "collected",
    source_id: int | None = None,
    item_id: int | None = None,
    actor: str | None = None,
) -> tuple[FactCheck, str]:
    """Insert or refresh one fact-check. Returns ``(row, "created" | "updated" | "unchanged")``.

    An existing row keeps its vector and matches (same claim); a changed rating is written and
    the combined signal of the items it matched is brought up to date by the caller's next
    claim-signal refresh (decided above storage, applied through ``claim_matches``)."""
    if origin not in ORIGINS:
        raise InvalidInput(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
    spec = validate_spec(spec)
    key = claim_key(spec.claim_reviewed)
    existing = session.scalar(select(FactCheck).where(FactCheck.url == spec.url, FactCheck.claim_key == key))
    if existing is not None:
        return existing, _refresh(existing, spec)
    row = FactCheck(
        url=spec.url, claim_key=key, claim_reviewed=spec.claim_reviewed, origin=origin,
        source_id=source_id, item_id=item_id, created_by=actor, created_at=utcnow(), **_values(spec),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another process stored the same review between our SELECT and INSERT.
        existing = session.scalar(select(FactCheck).where(FactCheck.url == spec.url, FactCheck.claim_key == key))
        if existing is None:
            raise
        return existing, _refresh(existing, spec)
    return row, "created"


def _refresh(row: FactCheck, spec: FactCheckSpec) -> str:
    values = _values(spec)
    changed = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
    if spec.appearances == () and "appearances" in changed:
        del changed["appearances"]  # a page that no longer lists appearances keeps the known ones
    for key, value in changed.items():
        setattr(row, key, value)
    return "updated" if changed else "unchanged"


def upsert_fact_checks(
    session: Session,
    specs: Iterable[FactCheckSpec],
    *,
    origin: str = "collected",
    source_id: int | None = None,
    item_id: int | None = None,
    actor: str | None = None,
) -> UpsertCounts:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for spec in specs:
        _, outcome = upsert_fact_check(
            session, spec, origin=origin, source_id=source_id, item_id=item_id, actor=actor
        )
        counts[outcome] += 1
    return UpsertCounts(**counts)


def add_manual_factcheck(
    session: Session,
    user: User,
    *,
    url: str,
    claim: str,
    rating: str,
    publisher: str,
    rating_text: str | None = None,
    published_at: datetime | None = None,
    language: str | None = None,
    claim_author: str | None = None,
    appearances: Sequence[str] = (),
) -> FactCheck:
    """An analyst adds a debunk by hand (the dashboard's form). Recorded in the audit log.
    Raises ``AlreadyExists`` when this claim of this URL is already stored."""
    if user.role not in MANUAL_ROLES or not user.enabled:
        raise NotPermitted(f"user {user.username!r} ({user.role}) may not add fact-checks")
    spec = validate_spec(
        FactCheckSpec(
            url=url, claim_reviewed=claim, publisher=publisher, rating=rating, rating_text=rating_text,
            published_at=published_at, language=language, claim_author=claim_author,
            appearances=tuple(appearances),
        )
    )
    key = claim_key(spec.claim_reviewed)
    existing = session.scalar(select(FactCheck.id).where(FactCheck.url == spec.url, FactCheck.claim_key == key))
    if existing is not None:
        raise AlreadyExists(f"fact-check {existing} already holds this claim for {spec.url}")
    row, _ = upsert_fact_check(session, spec, origin="manual", actor=user.username)
    audit.record(
        session, user.username, "factcheck.add", "fact_check", row.id,
        {"url": spec.url, "rating": spec.rating, "claim": spec.claim_reviewed[:200]}, user.id,
    )
    return row


def get_fact_check(session: Session, fact_check_id: int | str) -> FactCheck:
    if isinstance(fact_check_id, str) and not fact_check_id.strip().isdigit():
        raise InvalidInput(f"not a fact-check id: {fact_check_id!r}")
    row = session.get(FactCheck, int(fact_check_id))
    if row is None:
        raise NotFound(f"no fact-check {fact_check_id}")
    return row


def list_fact_checks(
    session: Session,
    *,
    search: str | None = None,
    rating: str | None = None,
    publisher: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[FactCheck]:
    """Newest first. ``search`` looks in the claim, the headline, the publisher and the URL."""
    query = select(FactCheck).order_by(func.coalesce(FactCheck.published_at, FactCheck.created_at).desc(),
                                       FactCheck.id.desc())
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(
            FactCheck.claim_reviewed.ilike(pattern), FactCheck.headline.ilike(pattern),
            FactCheck.publisher.ilike(pattern), FactCheck.url.ilike(pattern),
        ))
    if rating is not None:
        if rating not in RATINGS:
            raise InvalidInput(f"unknown rating {rating!r}: use one of {', '.join(RATINGS)}")
        query = query.where(FactCheck.rating == rating)
    if publisher:
        query = query.where(FactCheck.publisher.ilike(f"%{publisher.strip()}%"))
    if since is not None:
        query = query.where(func.coalesce(FactCheck.published_at, FactCheck.created_at) >= since)
    return session.scalars(query.limit(limit).offset(offset)).all()


def count_fact_checks(session: Session) -> int:
    return session.scalar(select(func.count(FactCheck.id))) or 0


def remove_fact_check(session: Session, fact_check_id: int | str, actor: str, user_id: int | None = None) -> list[int]:
    """Delete a fact-check and its matches. Returns the ids of the items it had matched, whose
    combined signal the caller refreshes (decided above storage, applied through ``claim_matches``)."""
    row = get_fact_check(session, fact_check_id)
    item_ids = sorted(set(session.scalars(select(ClaimMatch.item_id).where(ClaimMatch.fact_check_id == row.id))))
    session.query(ClaimMatch).filter(ClaimMatch.fact_check_id == row.id).delete(synchronize_session=False)
    audit.record(
        session, actor, "factcheck.remove", "fact_check", row.id,
        {"url": row.url, "rating": row.rating, "claim": row.claim_reviewed[:200], "matched_items": len(item_ids)},
        user_id,
    )
    session.delete(row)
    session.flush()
    return item_ids


# --------------------------------------------------------------------------- claim vectors
def fact_checks_needing_vectors(session: Session, encoder: str, limit: int | None = None) -> Sequence[FactCheck]:
    """Fact-checks with no vector, or one made by another encoder."""
    query = (
        select(FactCheck)
        .where(or_(FactCheck.vector.is_(None), FactCheck.encoder.is_(None), FactCheck.encoder != encoder))
        .order_by(FactCheck.id)
    )
    return session.scalars(query.limit(limit) if limit else query).all()


def store_claim_vectors(session: Session, vectors: Iterable[tuple[int, bytes]], encoder: str) -> int:
    """Write claim vectors; a re-encoded claim is matched again (``matched_at`` cleared)."""
    written = 0
    for fact_check_id, vector in vectors:
        row = session.get(FactCheck, fact_check_id)
        if row is None:
            continue
        row.vector, row.encoder, row.matched_at = vector, encoder, None
        written += 1
    session.flush()
    return written


@dataclass(frozen=True)
class ClaimVectorRow:
    fact_check_id: int
    rating: str
    vector: bytes


def claim_vectors_since(session: Session, since: datetime, encoder: str) -> list[ClaimVectorRow]:
    """Vectors of the fact-checks published (else stored) at or after ``since``, by this encoder."""
    when = func.coalesce(FactCheck.published_at, FactCheck.created_at)
    rows = session.execute(
        select(FactCheck.id, FactCheck.rating, FactCheck.vector)
        .where(when >= since, FactCheck.vector.is_not(None), FactCheck.encoder == encoder)
        .order_by(FactCheck.id)
    ).all()
    return [ClaimVectorRow(r.id, r.rating, r.vector) for r in rows]


def unmatched_fact_checks(session: Session, since: datetime, encoder: str) -> list[ClaimVectorRow]:
    """Vectors of fact-checks inside the window that were never matched against recent items."""
    when = func.coalesce(FactCheck.published_at, FactCheck.created_at)
    rows = session.execute(
        select(FactCheck.id, FactCheck.rating, FactCheck.vector)
        .where(FactCheck.matched_at.is_(None), when >= since, FactCheck.vector.is_not(None),
               FactCheck.encoder == encoder)
        .order_by(FactCheck.id)
    ).all()
    return [ClaimVectorRow(r.id, r.rating, r.vector) for r in rows]


def mark_fact_checks_matched(session: Session, fact_check_ids: Iterable[int], at: datetime | None = None) -> None:
    ids = list(fact_check_ids)
    if ids:
        session.query(FactCheck).filter(FactCheck.id.in_(ids)).update(
            {FactCheck.matched_at: at or utcnow()}, synchronize_session=False
        )

