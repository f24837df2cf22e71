"""Claim matching, stage one: exact cosine search of item sentences against fact-check claims
(stage two, which decides, is ``classifier.matching.stages``).

    claims   -> one float32 matrix C (n, d) of L2-normalised e5 vectors, with ids and ratings
    items    -> the sentences of a batch of items stacked into S (m, d), normalised
    for each block of claims (sized so that a block of S·Cᵀ stays small in memory):
        sims = S @ Cᵀ                                 exact cosine, one matrix product
        per item: best sentence per claim             (max over the item's rows)
        keep the claims at or over the threshold      and merge into the item's running top k
    per kept claim: the item's sentence that matched best, with its offsets

Exact search is a matrix product; ``bench/claim_matching.py`` measures it at 10k and 100k
claims. Vectors come from the classifier's ``Encoder`` (same model, same ``query: `` prefix),
so claims in English, French or German land near their Dutch paraphrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.matching.features import LanguageCentres
from classifier.scoring.sentences import split_sentences

#: Elements of one block of the similarity matrix (float32: 4 bytes each, so ~32 MB); bounds
#: memory whatever the number of claims or sentences.
SIMILARITY_BLOCK_ELEMENTS = 8_000_000
#: Sentences with fewer words cannot state a checkable claim ("Lees meer.", "Foto: ANP") and
#: only add noise near the threshold.
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True)
class ClaimIndex:
    """The claims that can be matched: ids, ratings and a normalised float32 matrix. With
    language centres, the matrix holds the language-centred vectors (stage one of two-stage
    matching) and ``raw_rows`` gives back the encoder's own vectors of chosen claims."""

    ids: np.ndarray  # int64, (n,)
    ratings: tuple[str, ...]
    matrix: np.ndarray  # float32, (n, d), rows of unit length
    texts: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # the claim's language, or its nearest centre's when unknown
    norms: np.ndarray | None = None  # (n,): length of each vector after centring, before renormalising
    centre_rows: np.ndarray | None = None  # (n,): the centre subtracted from each
    centres: LanguageCentres | None = None

    @classmethod
    def build(
        cls, ids: Sequence[int], ratings: Sequence[str], vectors: np.ndarray, *,
        texts: Sequence[str] = (), languages: Sequence[str | None] = (), centres: LanguageCentres | None = None,
    ) -> ClaimIndex:
        matrix = normalise_rows(np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1))
        if centres is None or len(ids) == 0:
            return cls(np.asarray(ids, dtype=np.int64), tuple(ratings), matrix, tuple(texts),
                       tuple(lang or "" for lang in languages))
        given = list(languages) or [None] * len(ids)
        rows = np.array([centres.index_of(lang, v) for lang, v in zip(given, matrix, strict=True)], dtype=np.int64)
        centred, norms = centres.centre(matrix, rows)
        return cls(np.asarray(ids, dtype=np.int64), tuple(ratings), centred, tuple(texts),
                   tuple(centres.languages[r] for r in rows), norms, rows, centres)

    @classmethod
    def from_bytes(
        cls, ids: Sequence[int], ratings: Sequence[str], blobs: Sequence[bytes], **kwargs
    ) -> ClaimIndex:
        if not blobs:
            return cls(np.zeros(0, dtype=np.int64), (), np.zeros((0, 0), dtype=np.float32))
        vectors = np.stack([np.frombuffer(b, dtype="<f4") for b in blobs])
        return cls.build(ids, ratings, vectors, **kwargs)

    def raw_rows(self, columns: Sequence[int]) -> np.ndarray:
        """The encoder's unit vectors of the claims at ``columns`` (undoing the centring)."""
        cols = np.asarray(columns, dtype=np.int64)
        if self.centres is None or self.norms is None or self.centre_rows is None:
            return self.matrix[cols]
        return self.matrix[cols] * self.norms[cols, None] + self.centres.matrix[self.centre_rows[cols]]

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True)
class Sentence:
    """A sentence of an item: its text and its offsets in the item's text."""

    text: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class ClaimHit:
    """One claim matched by one item: which claim, how close, and through which sentence."""

    fact_check_id: int
    rating: str
    similarity: float
    sentence_index: int
    column: int = -1  # the claim's row in the index


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32, copy=False)


def matchable_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (the classifier's Dutch splitter) long enough to state a claim."""
    return [Sentence(text[a:b], a, b) for a, b in split_sentences(text) if is_matchable(text[a:b])]


def is_matchable(sentence: str) -> bool:
    return len(sentence.split()) >= MIN_SENTENCE_WORDS


def search(
    items: Sequence[np.ndarray], index: ClaimIndex, *, top_k: int, threshold: float
) -> list[list[ClaimHit]]:
    """For each item (a (m_i, d) matrix of its sentence vectors), its ``top_k`` claims with a
    cosine at or over ``threshold``, strongest first. Exact: every sentence against every claim."""
    results: list[list[ClaimHit]] = [[] for _ in items]
    if len(index) == 0:
        return results
    present = [i for i, vectors in enumerate(items) if len(vectors)]
    if not present:
        return results
    stacked = normalise_rows(np.concatenate([np.asarray(items[i], dtype=np.float32) for i in present]))
    sizes = np.array([len(items[i]) for i in present])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    block = max(1, SIMILARITY_BLOCK_ELEMENTS // max(1, stacked.shape[0]))
    best_sim = np.full((len(present), top_k), -np.inf, dtype=np.float32)
    best_col = np.full((len(present), top_k), -1, dtype=np.int64)
    for first in range(0, len(index), block):
        sims = stacked @ index.matrix[first : first + block].T  # (m, c)
        per_item = np.maximum.reduceat(sims, starts, axis=0)  # (items, c): best sentence per claim
        _merge_top_k(best_sim, best_col, per_item, first, top_k)
    for row, item_position in enumerate(present):
        sentences = stacked[starts[row] : starts[row] + sizes[row]]
        hits = []
        for sim, col in zip(best_sim[row], best_col[row], strict=True):
            if col < 0 or sim < threshold:
                continue
            sentence = int(np.argmax(sentences @ index.matrix[col]))
            hits.append(ClaimHit(int(index.ids[col]), index.ratings[col], float(sim), sentence, int(col)))
        results[item_position] = sorted(hits, key=lambda h: (-h.similarity, h.fact_check_id))
    return results


def _merge_top_k(best_sim: np.ndarray, best_col: np.ndarray, block_sims: np.ndarray, offset: int, top_k: int) -> None:
    """Merge one block's similarities into each row's running top k (in place)."""
    k = min(top_k, block_sims.shape[1])
    if k < block_sims.shape[1]:
        candidate_cols = np.argpartition(-block_sims, k - 1, axis=1)[:, :k]
    else:
        candidate_cols = np.broadcast_to(np.arange(block_sims.shape[1]), block_sims.shape)
    candidate_sims = np.take_along_axis(block_sims, candidate_cols, axis=1)
    all_sims = np.concatenate([best_sim, candidate_sims], axis=1)
    all_cols = np.concatenate([best_col, candidate_cols + offset], axis=1)
    order = np.argsort(-all_sims, axis=1, kind="stable")[:, :top_k]
    best_sim[:] = np.take_along_axis(all_sims, order, axis=1)
    best_col[:] = np.take_along_axis(all_cols, order, axis=1)
