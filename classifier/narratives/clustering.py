"""Narratives: flagged items grouped by the claim they carry (pure decisions, no I/O).

    for each new flagged item, oldest first (ties: lowest item id):
        candidates = open narratives whose last item is at most ``window_days`` older
        nearest    = argmax over candidates of the item's average cosine with their members
                     (average linkage; one matrix product, see ``linkage_vector``)
        if that >= join_threshold: join it (its centroid becomes the mean of its members)
        else:                        start a new narrative with this item
    every ``merge_interval_minutes``:
        repeatedly merge the pair of open narratives whose average cross cosine lies furthest
        above its bar: ``merge_cohesion_ratio`` x their own cohesion, at least
        ``merge_threshold`` (``merge_margins``; the smaller joins the larger)
    cosines are taken after subtracting the *background*: the mean embedding of recent items of
    all kinds. e5 embeddings share a large common direction (any two Dutch news sentences score
    about 0.8); removing it spreads the cosines over a useful range.
    Centroids are stored uncentred (the mean of the members' unit vectors), so a background
    that moves a little over time never invalidates them.
    after each change, a narrative's summary is recomputed from its members:
        representative = the member nearest the centroid (its evidence sentence)
        topics         = those carried by at least ``topic_min_share`` of the members

Everything here is deterministic: the same items in the same order give the same
narratives. ``classifier.narratives.runner`` reads and writes through ``storage``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from classifier.narratives.settings import NarrativeSettings

#: Titles made from a sentence are cut here (at a word boundary); analysts can rename.
TITLE_MAX_CHARS = 120
_INITIAL_CAPACITY = 64
_NOT_A_CANDIDATE = -2.0  # below any cosine


def vector_from_bytes(data: bytes) -> np.ndarray:
    """A stored float32 little-endian vector."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@dataclass(frozen=True)
class FlaggedItem:
    """A flagged item waiting for its narrative."""

    item_id: int
    seen_at: datetime
    vector: np.ndarray


@dataclass(frozen=True)
class Placement:
    """Intent: put ``item_id`` into ``narrative_id`` (negative: a narrative to create; all
    items with the same negative id go into the same new narrative)."""

    item_id: int
    narrative_id: int
    similarity: float

    @property
    def starts_narrative(self) -> bool:
        return self.narrative_id < 0


@dataclass(frozen=True)
class OpenNarrative:
    """What the placement needs to know about an existing narrative."""

    id: int
    centroid: np.ndarray  # the mean of the members' unit vectors (not normalised)
    item_count: int
    last_seen: datetime
    auto_merge: bool = True


def centred(vector: np.ndarray, background: np.ndarray | None) -> np.ndarray:
    """The unit vector of ``vector - background`` (just the unit vector without background)."""
    vector = np.asarray(vector, dtype=np.float64)
    return unit(vector if background is None else vector - background)


def linkage_vector(mean: np.ndarray, background: np.ndarray | None) -> np.ndarray:
    """A vector whose dot product with a centred item is that item's *average* cosine with the
    members (average linkage), from the members' uncentred mean alone.

    The mean of n unit vectors is shorter than 1, and its dot product with an item is the
    item's average cosine with the members; normalising it would instead favour big narratives
    (averaging removes each member's own noise, so the normalised centroid lies closer to
    everything on the subject). With a background b, member i is (v_i - b) / |v_i - b|; the
    norms are nearly equal, and their mean square is exactly 1 - 2 m.b + |b|^2 for the mean m,
    so (m - b) / sqrt(1 - 2 m.b + |b|^2) is the mean of the centred members (exact for one).
    """
    mean = np.asarray(mean, dtype=np.float64)
    if background is None:
        return mean
    spread = 1.0 - 2.0 * float(mean @ background) + float(background @ background)
    return (mean - background) / np.sqrt(max(spread, 1e-12))


class NarrativeIndex:
    """Open narratives as one matrix of linkage vectors (``linkage_vector``), for exact search:
    one matrix product gives a new item's average cosine with the members of every narrative.

    Joining updates the mean in place, so later items of the same batch see it.
    """

    def __init__(self, dim: int, narratives: Sequence[OpenNarrative] = (), background: np.ndarray | None = None) -> None:
        self.dim = dim
        self.background = None if background is None else np.asarray(background, dtype=np.float64)
        capacity = max(_INITIAL_CAPACITY, len(narratives))
        self._units = np.zeros((capacity, dim), dtype=np.float32)
        self._sums = np.zeros((capacity, dim), dtype=np.float64)
        self._counts = np.zeros(capacity, dtype=np.int64)
        self._last_seen = np.zeros(capacity, dtype=np.float64)  # POSIX seconds
        self.ids: list[int] = []
        self._next_new_id = -1
        for narrative in sorted(narratives, key=lambda n: n.id):
            self._append(narrative.id, np.asarray(narrative.centroid, dtype=np.float64) * narrative.item_count,
                         narrative.item_count, narrative.last_seen)

    def __len__(self) -> int:
        return len(self.ids)

    def _append(self, narrative_id: int, vector_sum: np.ndarray, count: int, last_seen: datetime) -> int:
        row = len(self.ids)
        if row == len(self._units):
            self._grow()
        self.ids.append(narrative_id)
        self._sums[row] = vector_sum
        self._counts[row] = count
        self._units[row] = self._centred_mean(row)
        self._last_seen[row] = last_seen.timestamp()
        return row

    def _grow(self) -> None:
        size = 2 * len(self._units)
        for name in ("_units", "_sums", "_counts", "_last_seen"):
            old = getattr(self, name)
            new = np.zeros((size, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _centred_mean(self, row: int) -> np.ndarray:
        return linkage_vector(self._sums[row] / max(int(self._counts[row]), 1), self.background).astype(np.float32)

    def nearest(self, vector: np.ndarray, seen_at: datetime, window: timedelta) -> tuple[int, float]:
        """Row and cosine of the nearest candidate narrative, or ``(-1, -2.0)``; ``vector`` is
        already centred."""
        n = len(self.ids)
        if n == 0:
            return -1, _NOT_A_CANDIDATE
        similarities = self._units[:n] @ vector.astype(np.float32)
        too_old = self._last_seen[:n] < (seen_at - window).timestamp()
        similarities[too_old] = _NOT_A_CANDIDATE
        row = int(np.argmax(similarities))  # the first (lowest id) among equals
        return row, float(similarities[row])

    def join(self, row: int, vector: np.ndarray, seen_at: datetime) -> None:
        self._sums[row] += vector
        self._counts[row] += 1
        self._units[row] = self._centred_mean(row)
        self._last_seen[row] = max(self._last_seen[row], seen_at.timestamp())

    def start(self, vector: np.ndarray, seen_at: datetime) -> int:
        """Add a new narrative with one member; returns its provisional (negative) id."""
        narrative_id = self._next_new_id
        self._next_new_id -= 1
        self._append(narrative_id, np.asarray(vector, dtype=np.float64), 1, seen_at)
        return narrative_id


def place_items(index: NarrativeIndex, items: Sequence[FlaggedItem], settings: NarrativeSettings) -> list[Placement]:
    """Decide the narrative of each item, oldest first; ``index`` is updated as it goes."""
    window = timedelta(days=settings.window_days)
    placements = []
    for item in sorted(items, key=lambda i: (i.seen_at, i.item_id)):
        vector = unit(np.asarray(item.vector, dtype=np.float64))
        row, similarity = index.nearest(centred(vector, index.background), item.seen_at, window)
        if row >= 0 and similarity >= settings.join_threshold:
            index.join(row, vector, item.seen_at)
            placements.append(Placement(item.item_id, index.ids[row], similarity))
        else:
            placements.append(Placement(item.item_id, index.start(vector, item.seen_at), 1.0))
    return placements


@dataclass(frozen=True)
class Merge:
    """Intent: move every member of ``source_id`` into ``target_id``."""

    source_id: int
    target_id: int
    similarity: float


def cohesion(link: np.ndarray, count: int) -> float:
    """The average cosine between a narrative's members (from its linkage vector: for n unit
    vectors, |mean|^2 = 1/n + (n-1)/n * average pairwise cosine); NaN for a single member."""
    if count < 2:
        return float("nan")
    return max((count * float(link @ link) - 1.0) / (count - 1), 0.0)


def merge_margins(similarity: np.ndarray, coherence: np.ndarray, settings: NarrativeSettings) -> np.ndarray:
    """How far each pair's average cross cosine lies above what merging requires.

    The requirement is relative: ``merge_cohesion_ratio`` times the geometric mean of the two
    narratives' own cohesion (one defined: that one; none: the join threshold), and never
    below ``merge_threshold``. A relative bar is needed because cosines depend on text length:
    one-sentence paraphrases of a claim agree far more than posts of a few sentences do, and
    the same absolute bar either splits every post-length story or merges sentence-length
    claims on one topic."""
    return np.array([_pair_margins(similarity[i], coherence[i], coherence, settings) for i in range(len(coherence))])


def plan_merges(
    narratives: Sequence[OpenNarrative], settings: NarrativeSettings, background: np.ndarray | None = None
) -> list[Merge]:
    """Greedy average-linkage merging: take the pair of narratives whose average cross cosine
    lies furthest above the bar (``merge_margins``), merge the smaller into the larger (equal
    size: into the lower id), recompute, repeat while some pair clears the bar. Narratives
    with ``auto_merge`` off (an analyst split them) are left alone."""
    eligible = sorted((n for n in narratives if n.auto_merge), key=lambda n: n.id)
    if len(eligible) < 2:
        return []
    ids = [n.id for n in eligible]
    sums = np.array([np.asarray(n.centroid, dtype=np.float64) * n.item_count for n in eligible])
    counts = np.array([n.item_count for n in eligible], dtype=np.int64)
    links = np.array([linkage_vector(s / c, background) for s, c in zip(sums, counts, strict=True)])
    coherence = np.array([cohesion(v, int(c)) for v, c in zip(links, counts, strict=True)])
    margins = merge_margins(links @ links.T, coherence, settings)
    np.fill_diagonal(margins, -np.inf)
    alive = np.ones(len(ids), dtype=bool)
    merges = []
    while True:
        best = int(np.argmax(margins))
        a, b = divmod(best, len(ids))
        if margins[a, b] < 0:
            return merges
        target, source = (a, b) if (counts[a], -ids[a]) >= (counts[b], -ids[b]) else (b, a)
        merges.append(Merge(ids[source], ids[target], float(links[a] @ links[b])))
        sums[target] += sums[source]
        counts[target] += counts[source]
        links[target] = linkage_vector(sums[target] / counts[target], background)
        coherence[target] = cohesion(links[target], int(counts[target]))
        alive[source] = False
        row = _pair_margins(links @ links[target], coherence[target], coherence, settings)
        row[~alive] = -np.inf
        row[target] = -np.inf
        margins[target, :] = margins[:, target] = row
        margins[source, :] = margins[:, source] = -np.inf


def _pair_margins(similarity: np.ndarray, own: float, others: np.ndarray, settings: NarrativeSettings) -> np.ndarray:
    """``merge_margins`` for one narrative against all others."""
    own_arr = np.full(len(others), own)
    both = np.sqrt(np.clip(own_arr, 0, None) * np.clip(others, 0, None))
    one = np.where(np.isnan(own_arr), others, own_arr)
    reference = np.where(np.isnan(both), one, both)
    need = np.where(np.isnan(reference), settings.join_threshold, settings.merge_cohesion_ratio * reference)
    return similarity - np.maximum(need, settings.merge_threshold)


@dataclass(frozen=True)
class Member:
    """One member item, as the summary needs it."""

    item_id: int
    source_id: int
    seen_at: datetime
    vector: np.ndarray | None
    topics: tuple[str, ...] = ()
    evidence: str | None = None
    title: str = ""
    model_flagged: bool = True  # False: flagged only through a claim match (maybe a debunk quoting it)


@dataclass(frozen=True)
class NarrativeSummary:
    centroid: np.ndarray | None
    representative_item_id: int | None
    representative_sentence: str | None
    topics: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    item_count: int = 0
    source_count: int = 0
    member_similarity: dict[int, float] = field(default_factory=dict)


def summarise(
    members: Sequence[Member], settings: NarrativeSettings, background: np.ndarray | None = None
) -> NarrativeSummary:
    """Centroid, representative claim sentence, topics, times and counts of a narrative."""
    if not members:
        return NarrativeSummary(None, None, None)
    with_vectors = sorted((m for m in members if m.vector is not None), key=lambda m: m.item_id)
    centroid = None
    representative = min(members, key=lambda m: (m.seen_at, m.item_id))
    similarities: dict[int, float] = {}
    if with_vectors:
        matrix = np.array([unit(np.asarray(m.vector, dtype=np.float64)) for m in with_vectors])
        centroid = matrix.mean(axis=0).astype(np.float32)
        centred_members = np.array([centred(row, background) for row in matrix])
        cosines = centred_members @ centred(centroid, background)
        # the claim is best told by a member the model flagged itself: a member raised only by a
        # claim match may be an article that quotes the claim to debunk it
        eligible = np.array([m.model_flagged for m in with_vectors]) if any(m.model_flagged for m in with_vectors) \
            else np.ones(len(with_vectors), dtype=bool)
        representative = with_vectors[int(np.argmax(np.where(eligible, cosines, -np.inf)))]
        similarities = {m.item_id: float(c) for m, c in zip(with_vectors, cosines, strict=True)}
    sentence = (representative.evidence or "").strip() or representative.title.strip() or None
    return NarrativeSummary(
        centroid=centroid,
        representative_item_id=representative.item_id,
        representative_sentence=sentence,
        topics=narrative_topics([m.topics for m in members], settings.topic_min_share),
        first_seen=min(m.seen_at for m in members),
        last_seen=max(m.seen_at for m in members),
        item_count=len({m.item_id for m in members}),
        source_count=len({m.source_id for m in members}),
        member_similarity=similarities,
    )


def narrative_topics(member_topics: Sequence[Sequence[str]], min_share: float) -> list[str]:
    """Topics carried by at least ``min_share`` of the members, most common first; the most
    common topic is always kept."""
    counts = Counter(topic for topics in member_topics for topic in set(topics))
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    needed = min_share * len(member_topics)
    return [topic for i, (topic, n) in enumerate(ranked) if i == 0 or n >= needed]


def default_title(sentence: str | None) -> str:
    """A narrative's title until an analyst renames it: its claim sentence, cut short."""
    text = " ".join((sentence or "").split())
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
