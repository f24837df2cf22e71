"""Duplicates: exact ones by content hash, near ones across sources by MinHash LSH.

    signature(text)          MinHash over word 3-shingles; None for texts too short to judge
    NearDuplicateIndex       LSH over the signatures of recent items (any source)
      .find(sig, source_id)  the earliest similar item of *another* source, if any
    choose_duplicate_of(...) pure: exact match first, else near match, else None

Syndicated copies (an ANP story on three sites) then count once in trends: each copy's
``duplicate_of`` points at the first stored item (the root), never at another copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SHINGLE_WORDS = 3  # word trigrams: robust to small edits, still specific for news sentences
# Fewer distinct shingles than this and a Jaccard estimate says little (a headline alone).
MIN_SHINGLES = 8
MINHASH_SEED = 1  # fixed, so stored signatures stay comparable across processes and versions
# datasketch 2's default hashing scheme, named explicitly: stored signatures must be read back
# with the scheme that made them. 32-bit values: 4 bytes per permutation in the database.
MINHASH_SCHEME = "affine32"
SIGNATURE_DTYPE = "<u4"
# A story syndicated to hundreds of sites gives as many LSH candidates; the earliest roots are
# checked first and this many at most, so one viral text cannot make every insert quadratic.
MAX_CANDIDATES_VERIFIED = 64
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str, num_perm: int) -> MinHash | None:
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, permutations=_permutations(num_perm))
    minhash.update_batch(list(grams))
    return minhash


@lru_cache(maxsize=4)
def _permutations(num_perm: int):
    """The seed's permutation tables, made once: building them per item cost as much as hashing."""
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def signature_to_bytes(minhash: MinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=SIGNATURE_DTYPE).tobytes()


def signature_from_bytes(data: bytes, num_perm: int) -> LeanMinHash | None:
    """A stored signature, as a LeanMinHash: no permutation tables (1 KB each) per item, which
    matters when the index holds a week of items."""
    if len(data) != num_perm * np.dtype(SIGNATURE_DTYPE).itemsize:
        return None  # stored with another minhash_permutations setting: not comparable
    values = np.frombuffer(data, dtype=SIGNATURE_DTYPE).astype(np.uint32)
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=values, scheme=MINHASH_SCHEME)


@dataclass
class _Indexed:
    root_id: int
    source_id: int
    minhash: LeanMinHash


@dataclass
class NearDuplicateIndex:
    """In-memory LSH over recent items; rebuilt from stored signatures, extended as we store."""

    threshold: float
    num_perm: int
    _lsh: MinHashLSH = field(init=False)
    _items: dict[int, _Indexed] = field(init=False, default_factory=dict)
    max_item_id: int = 0

    def __post_init__(self) -> None:
        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item_id: int, source_id: int, minhash: MinHash, root_id: int | None = None) -> None:
        if item_id in self._items:
            return
        lean = minhash if isinstance(minhash, LeanMinHash) else LeanMinHash(minhash)
        self._items[item_id] = _Indexed(root_id or item_id, source_id, lean)
        self._lsh.insert(item_id, lean)
        self.max_item_id = max(self.max_item_id, item_id)

    def find(self, minhash: MinHash, source_id: int) -> int | None:
        """The root of the earliest indexed item of another source whose estimated Jaccard
        similarity reaches the threshold (LSH candidates are verified, earliest roots first)."""
        candidates = [self._items[c] for c in self._lsh.query(minhash)]
        candidates = sorted((c for c in candidates if c.source_id != source_id), key=lambda c: c.root_id)
        for indexed in candidates[:MAX_CANDIDATES_VERIFIED]:
            if indexed.minhash.jaccard(minhash) >= self.threshold:
                return indexed.root_id
        return None


def choose_duplicate_of(exact_root: int | None, near_root: int | None) -> int | None:
    """Exact content match wins over a near match; both point at roots."""
    return exact_root if exact_root is not None else near_root
