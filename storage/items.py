"""Repository functions for ``items``: the collector's inserts and the look-ups dedup needs.

Items are insert-only per (source_id, entry_key): inserting a key that exists changes nothing,
so a fetch that is stored twice (a crash and a rerun, two processes) never duplicates an item.
Writing goes through ``storage.fetching.upsert_fetch``, which puts the items and their
``fetch_runs`` row in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.schema import Item

# Keeps IN (...) lists well below SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 500


@dataclass(frozen=True)
class NewItem:
    """One normalised entry, ready to store. ``duplicate_of`` points at an existing item (a
    root); ``duplicate_of_entry_key`` at an earlier item of the same source and batch."""

    entry_key: str
    content_hash: str
    title: str = ""
    summary: str = ""
    guid: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    summary_html: str | None = None
    body_text: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    near_dup_signature: bytes | None = None
    duplicate_of: int | None = None
    duplicate_of_entry_key: str | None = None
    to_classify: bool = False
    article_status: str | None = None


@dataclass(frozen=True)
class StoredSignature:
    item_id: int
    source_id: int
    root_id: int
    signature: bytes


def _chunks(values: Sequence, size: int = IN_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing_entry_keys(session: Session, source_id: int, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        query = select(Item.entry_key).where(Item.source_id == source_id, Item.entry_key.in_(chunk))
        found.update(session.scalars(query))
    return found


def roots_by_content_hash(session: Session, hashes: Iterable[str]) -> dict[str, int]:
    """For each hash already stored: the root item (the first one stored with that content)."""
    wanted = sorted(set(hashes))
    roots: dict[str, int] = {}
    for chunk in _chunks(wanted):
        first = (
            select(Item.content_hash, func.min(Item.id).label("first_id"))
            .where(Item.content_hash.in_(chunk))
            .group_by(Item.content_hash)
            .subquery()
        )
        query = select(first.c.content_hash, func.coalesce(Item.duplicate_of, Item.id)).join(
            Item, Item.id == first.c.first_id
        )
        roots.update({h: root for h, root in session.execute(query)})
    return roots


def recent_signatures(session: Session, since: datetime, after_id: int = 0) -> list[StoredSignature]:
    """Near-duplicate signatures of items collected since ``since`` with id > ``after_id``."""
    query = (
        select(Item.id, Item.source_id, func.coalesce(Item.duplicate_of, Item.id), Item.near_dup_signature)
        .where(Item.collected_at >= since, Item.id > after_id, Item.near_dup_signature.is_not(None))
        .order_by(Item.id)
    )
    return [StoredSignature(i, s, r, bytes(sig)) for i, s, r, sig in session.execute(query)]


def insert_new_items(
    session: Session, source_id: int, fetch_run_id: int | None, items: Sequence[NewItem], collected_at: datetime
) -> list[Item]:
    """Insert the items whose (source_id, entry_key) is new; return those, as ORM rows."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    ids_by_key: dict[str, int] = {}
    new_ids: list[int] = []
    for item in items:
        if item.entry_key in ids_by_key:  # the same key twice in one feed: the first wins
            continue
        duplicate_of = item.duplicate_of
        if duplicate_of is None and item.duplicate_of_entry_key:
            duplicate_of = ids_by_key.get(item.duplicate_of_entry_key) or _root_of_key(
                session, source_id, item.duplicate_of_entry_key
            )
        values = {
            "source_id": source_id,
            "fetch_run_id": fetch_run_id,
            "entry_key": item.entry_key,
            "guid": item.guid,
            "url": item.url,
            "canonical_url": item.canonical_url,
            "title": item.title,
            "summary": item.summary,
            "summary_html": item.summary_html,
            "body_text": item.body_text,
            "author": item.author,
            "published_at": item.published_at,
            "collected_at": collected_at,
            "language": item.language,
            "content_hash": item.content_hash,
            "near_dup_signature": item.near_dup_signature,
            "duplicate_of": duplicate_of,
            "to_classify": item.to_classify,
            "article_status": item.article_status,
        }
        statement = (
            insert(Item)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
            .returning(Item.id)
        )
        new_id = session.execute(statement).scalar_one_or_none()
        if new_id is None:  # stored before (a rerun, or another process): nothing to do
            existing = _id_of_key(session, source_id, item.entry_key)
            if existing is not None:
                ids_by_key[item.entry_key] = existing
            continue
        ids_by_key[item.entry_key] = new_id
        new_ids.append(new_id)
    if not new_ids:
        return []
    rows = session.scalars(select(Item).where(Item.id.in_(new_ids)).order_by(Item.id)).all()
    return list(rows)


def _id_of_key(session: Session, source_id: int, key: str) -> int | None:
    return session.scalar(select(Item.id).where(Item.source_id == source_id, Item.entry_key == key))


def _root_of_key(session: Session, source_id: int, key: str) -> int | None:
    query = select(func.coalesce(Item.duplicate_of, Item.id)).where(Item.source_id == source_id, Item.entry_key == key)
    return session.scalar(query)


def items_of_source(session: Session, source_id: int) -> Sequence[Item]:
    return session.scalars(select(Item).where(Item.source_id == source_id).order_by(Item.id)).all()


def count_items(session: Session, source_id: int | None = None) -> int:
    query = select(func.count(Item.id))
    if source_id is not None:
        query = query.where(Item.source_id == source_id)
    return int(session.scalar(query) or 0)
