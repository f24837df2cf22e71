"""Rows for debunk tests: sources, items, model versions and classifications written directly,
as the collector and the classifier would have stored them."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage.schema import Classification, Item, ModelVersion, Source, utcnow


def source(session: Session, url: str = "https://example.org/feed.xml") -> Source:
    row = Source(url=url, name="voorbeeld", kind="feed")
    session.add(row)
    session.flush()
    return row


def item(
    session: Session, source_row: Source, title: str, body: str = "", *, age: timedelta = timedelta(0),
    language: str = "nl",
) -> Item:
    now = utcnow()
    row = Item(
        source_id=source_row.id, entry_key=f"{title}-{now.timestamp()}-{age}", title=title, summary="",
        body_text=body or None, language=language, collected_at=now - age, published_at=now - age,
        content_hash=hashlib.sha256(f"{title}{body}".encode()).hexdigest(),
    )
    session.add(row)
    session.flush()
    return row


def model_version(session: Session, name: str = "test-head") -> ModelVersion:
    row = ModelVersion(name=name, base_model="tiny", path="/nowhere", threshold=0.5, status="active")
    session.add(row)
    session.flush()
    return row


def classification(
    session: Session, item_row: Item, version: ModelVersion, *, flagged: bool = False,
    matched_at: datetime | None = None,
) -> Classification:
    row = Classification(
        item_id=item_row.id, model_version_id=version.id, score=0.9 if flagged else 0.1,
        label="disinformation" if flagged else "not_disinformation", flagged=flagged,
        flag_reasons=["classifier"] if flagged else [], matched_at=matched_at,
    )
    session.add(row)
    session.flush()
    return row
