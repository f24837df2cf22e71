"""Repository functions for ``items``: the collector's inserts and the look-ups dedup needs.

Items are insert-only per (source_id, entry_key): inserting a key that exists changes nothing,
so a fetch that is stored twice (a crash and a rerun, two processes) never duplicates an item.
Writing goes through ``storage.repositories.fetches.upsert_fetch``, which puts the items and their
``fetch_runs`` row in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.queries import chunks
from storage.schema import Item, appeared_at


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


def existing_entry_keys(session: Session, source_id: int, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in chunks(wanted):
        query = select(Item.entry_key).where(Item.source_id == source_id, Item.entry_key.in_(chunk))
        found.update(session.scalars(query))
    return found


def roots_by_content_hash(session: Session, hashes: Iterable[str]) -> dict[str, int]:
    """For each hash already stored: the root item (the first one stored with that content)."""
    wanted = sorted(set(hashes))
    roots: dict[str, int] = {}
    for chunk in chunks(wanted):
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
    """Insert the items whose (source_id, entry_key) is new; return those, as ORM rows.

    One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per chunk: keys stored before (a
    rerun, another process) are skipped by the database itself, atomically."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    first: dict[str, NewItem] = {}
    for item in items:
        first.setdefault(item.entry_key, item)  # the same key twice in one feed: the first wins
    batch = list(first.values())
    new_ids: dict[str, int] = {}
    if batch:
        # One cached statement, executed with many parameter sets: SQLAlchemy batches them into
        # multi-row INSERTs ("insertmanyvalues") with RETURNING on both databases.
        statement = (
            insert(Item.__table__)
            .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
            .returning(Item.id, Item.entry_key)
        )
        rows = [_row(source_id, fetch_run_id, item, collected_at) for item in batch]
        result = session.connection().execute(statement, rows)
        new_ids.update({key: item_id for item_id, key in result})
    for item in batch:  # an exact copy of an earlier entry of the same batch points at it
        if item.entry_key in new_ids and item.duplicate_of is None and item.duplicate_of_entry_key:
            target = new_ids.get(item.duplicate_of_entry_key) or _root_of_key(
                session, source_id, item.duplicate_of_entry_key
            )
            if target is not None:
                session.execute(
                    update(Item).where(Item.id == new_ids[item.entry_key]).values(duplicate_of=target)
                    .execution_options(synchronize_session=False)
                )
    if not new_ids:
        return []
    rows = session.scalars(select(Item).where(Item.id.in_(list(new_ids.values()))).order_by(Item.id)).all()
    return list(rows)


def _row(source_id: int, fetch_run_id: int | None, item: NewItem, collected_at: datetime) -> dict:
    return {
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
        "appeared_at": appeared_at(item.published_at, collected_at),
        "language": item.language,
        "content_hash": item.content_hash,
        "near_dup_signature": item.near_dup_signature,
        "duplicate_of": item.duplicate_of,
        "to_classify": item.to_classify,
        "article_status": item.article_status,
    }


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
