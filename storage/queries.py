"""Query helpers shared by the repositories and read models of this package."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Values per ``IN (...)`` list: well under SQLite's and PostgreSQL's limits on bound parameters.
IN_CHUNK = 500


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size``, for ``column.in_(chunk)`` queries."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
