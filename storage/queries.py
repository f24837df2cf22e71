"""Query helpers shared by the repositories and read models of this package: ``IN`` lists in
chunks, and which classification of an item is its latest (its signal)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from storage.schema import Classification

T = TypeVar("T")

#: Values per ``IN (...)`` list: well under SQLite's and PostgreSQL's limits on bound parameters.
IN_CHUNK = 500


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size``, for ``column.in_(chunk)`` queries."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def latest_classification_id(item_id: ColumnElement) -> ColumnElement:
    """Correlated subquery: the id of the item's latest classification (by time, then id).
    For one item or a WHERE clause; in joins use ``is_latest`` (see there)."""
    newer = aliased(Classification)
    return (
        select(newer.id)
        .where(newer.item_id == item_id)
        .order_by(newer.created_at.desc(), newer.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def is_latest(signal) -> ColumnElement:
    """Condition on an (aliased) classification: no newer one exists for its item.

    Join with ``signal.item_id == Item.id`` and this condition, rather than ``signal.id ==
    latest_classification_id(Item.id)``: SQLite evaluates a subquery inside a join condition
    for every pair of rows (quadratic), while this NOT EXISTS is one index probe per row."""
    newer = aliased(Classification)
    return ~(
        select(newer.id)
        .where(
            newer.item_id == signal.item_id,
            or_(newer.created_at > signal.created_at, and_(newer.created_at == signal.created_at, newer.id > signal.id)),
        )
        .exists()
    )
