"""Rows for narrative and alert tests, written as the collector, classifier and matcher store
them: sources, items with embeddings, classifications, fact-checks and claim matches."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from classifier.narratives.clustering import unit, vector_to_bytes
from storage.schema import (
    ClaimMatch,
    Classification,
    FactCheck,
    Item,
    ItemEmbedding,
    ModelVersion,
    Source,
)

DIM = 16
_counter = itertools.count(1)


def direction(seed: int) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=DIM)).astype(np.float32)


def orthogonal_pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two unrelated claims: orthogonal directions."""
    a, b = direction(seed), direction(seed + 1)
    return a, unit(b - (b @ a) * a).astype(np.float32)


def near(base: np.ndarray, seed: int, noise: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(10_000 + seed)
    return unit(base + noise * rng.normal(size=DIM) / np.sqrt(DIM)).astype(np.float32)


def source(session: Session, name: str) -> Source:
    row = Source(url=f"https://{name}.example.org/feed.xml", name=name, kind="feed")
    session.add(row)
    session.flush()
    return row


def model_version(session: Session) -> ModelVersion:
    row = ModelVersion(name=f"head-{next(_counter)}", base_model="tiny", path="/nowhere", threshold=0.5, status="active")
    session.add(row)
    session.flush()
    return row


def item(
    session: Session, source_row: Source, version: ModelVersion, seen_at: datetime, vector: np.ndarray | None, *,
    flagged: bool = True, topics: tuple[str, ...] = (), evidence: str | None = None, title: str = "",
    collected_at: datetime | None = None,
) -> Item:
    n = next(_counter)
    title = title or f"bericht {n}"
    row = Item(
        source_id=source_row.id, entry_key=f"entry-{n}", title=title, summary="", language="nl",
        url=f"https://{source_row.name}.example.org/{n}", published_at=seen_at,
        collected_at=collected_at or seen_at, content_hash=hashlib.sha256(f"{n}".encode()).hexdigest(),
    )
    session.add(row)
    session.flush()
    session.add(Classification(
        item_id=row.id, model_version_id=version.id, score=0.9 if flagged else 0.1,
        label="disinformation" if flagged else "not_disinformation", flagged=flagged,
        flag_reasons=["classifier"] if flagged else [], topics=list(topics), evidence_text=evidence,
        created_at=collected_at or seen_at,
    ))
    if vector is not None:
        session.add(ItemEmbedding(item_id=row.id, encoder="test", dim=DIM, vector=vector_to_bytes(vector)))
    session.flush()
    return row


def background_items(session: Session, source_row: Source, version: ModelVersion, count: int, at: datetime) -> None:
    """Ordinary, unflagged items in random directions: the background."""
    for i in range(count):
        item(session, source_row, version, at, direction(50_000 + i), flagged=False)


def fact_check(session: Session, claim: str, rating: str = "false", url: str | None = None,
               publisher: str = "Nieuwscheckers") -> FactCheck:
    n = next(_counter)
    row = FactCheck(
        publisher=publisher, url=url or f"https://factcheck.example.org/{n}", claim_key=f"k{n}", claim_reviewed=claim,
        rating=rating, rating_text=rating,
    )
    session.add(row)
    session.flush()
    return row


def claim_match(session: Session, item_row: Item, check: FactCheck, similarity: float = 0.9,
                created_at: datetime | None = None) -> ClaimMatch:
    row = ClaimMatch(item_id=item_row.id, fact_check_id=check.id, similarity=similarity,
                     sentence=item_row.title, created_at=created_at or item_row.collected_at)
    session.add(row)
    session.flush()
    return row
