"""Policy topics: seeded from ``classifier/data/policy_topics.toml``, assigned to items by
embedding similarity to each topic's description combined with keyword hits.

    topic text  = name + description + keywords  -> embedded once per run
    similarity  = cosine(item, topic); z = how far above the other topics' mean, in std units
    keyword hit = a keyword at the start of a word ("asiel" hits "asielzoekers": Dutch compounds)
    decision    = kept when z >= topic_min_z and cosine >= topic_min_similarity, or when a keyword
                  hits and z >= topic_keyword_min_z and cosine >= topic_keyword_min_similarity;
                  ranked by z + weight * min(hits, 3), at most max_topics
    (z alone would give an off-topic item, say the weather, the topic it is least unlike; the
    absolute floors keep it empty. They are calibrated for multilingual-e5-small.)

``assign_topics`` is the pure decision; ``TopicAssigner`` wires it to the encoder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from classifier.settings import ClassifierSettings
from storage.repositories import TopicSpec
from storage.repositories import topics as topic_store

TOPICS_FILE = Path(__file__).resolve().parent.parent / "data" / "policy_topics.toml"
#: Keyword hits beyond this many add nothing: a long article repeats its keywords.
MAX_COUNTED_HITS = 3
_EPS = 1e-6


@dataclass(frozen=True)
class TopicRule:
    """What the decision needs of one topic."""

    topic_id: int
    slug: str
    keywords: tuple[str, ...]
    priority: int


@dataclass(frozen=True)
class TopicDecisionParams:
    min_z: float
    keyword_min_z: float
    keyword_weight: float
    max_topics: int
    min_similarity: float = -1.0
    keyword_min_similarity: float = -1.0

    @classmethod
    def from_settings(cls, settings: ClassifierSettings) -> TopicDecisionParams:
        return cls(
            settings.topic_min_z, settings.topic_keyword_min_z, settings.topic_keyword_weight, settings.max_topics,
            settings.topic_min_similarity, settings.topic_keyword_min_similarity,
        )


def load_topic_specs(path: Path | None = None) -> list[TopicSpec]:
    """The topics file: ``[[topic]]`` tables with slug, name, name_en, description, ministry,
    keywords and priority."""
    path = Path(path) if path is not None else TOPICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"topics file not found: {path}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = []
    for entry in data.get("topic", []):
        specs.append(
            TopicSpec(
                slug=str(entry["slug"]),
                name=str(entry["name"]),
                name_en=entry.get("name_en"),
                description=str(entry.get("description", "")).strip(),
                ministry=entry.get("ministry"),
                keywords=tuple(str(k) for k in entry.get("keywords", [])),
                priority=int(entry.get("priority", 1)),
                enabled=bool(entry.get("enabled", True)),
            )
        )
    return specs


def seed_topics(session: Session, path: Path | None = None, *, actor: str = "system", overwrite: bool = False) -> dict[str, int]:
    """Insert the shipped topics that are missing (operators' edits are kept)."""
    return topic_store.upsert_topics(session, load_topic_specs(path), actor=actor, overwrite=overwrite)


def topic_text(name: str, description: str, keywords: Sequence[str]) -> str:
    """What a topic is embedded as."""
    parts = [name.strip().rstrip(".") + "."]
    if description:
        parts.append(description.strip())
    if keywords:
        parts.append("Trefwoorden: " + ", ".join(keywords) + ".")
    return " ".join(parts)


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    words = [re.escape(k.strip().lower()) for k in keywords if k.strip()]
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(sorted(words, key=len, reverse=True)) + ")", re.IGNORECASE)


def keyword_hits(text: str, pattern: re.Pattern[str] | None) -> int:
    """Distinct keywords found at the start of a word."""
    if pattern is None:
        return 0
    return len({m.group(1).lower() for m in pattern.finditer(text)})


def assign_topics(
    similarities: np.ndarray, hits: Sequence[int], params: TopicDecisionParams
) -> list[tuple[int, float]]:
    """Pure decision: (topic index, confidence in 0..1) for the topics an item is about."""
    sims = np.asarray(similarities, dtype=float)
    if sims.size == 0:
        return []
    if sims.size == 1:
        z = np.zeros(1)
    else:
        z = (sims - sims.mean()) / max(float(sims.std()), _EPS)
    chosen = []
    for index, (zi, h) in enumerate(zip(z, hits, strict=True)):
        counted = min(int(h), MAX_COUNTED_HITS)
        combined = float(zi) + params.keyword_weight * counted
        by_similarity = zi >= params.min_z and sims[index] >= params.min_similarity
        by_keyword = counted > 0 and zi >= params.keyword_min_z and sims[index] >= params.keyword_min_similarity
        if by_similarity or by_keyword:
            confidence = 1.0 / (1.0 + np.exp(-(combined - params.keyword_min_z)))
            chosen.append((index, combined, float(confidence)))
    chosen.sort(key=lambda c: (-c[1], c[0]))
    return [(index, round(confidence, 4)) for index, _, confidence in chosen[: params.max_topics]]


class TopicAssigner:
    """The enabled topics embedded once; assigns topics to many items."""

    def __init__(self, rules: Sequence[TopicRule], topic_vectors: np.ndarray, params: TopicDecisionParams):
        self.rules = list(rules)
        self.vectors = np.asarray(topic_vectors, dtype=np.float32)
        self.params = params
        self.patterns = [keyword_pattern(r.keywords) for r in self.rules]

    @classmethod
    def from_session(cls, session: Session, encoder, settings: ClassifierSettings) -> TopicAssigner:
        topics = topic_store.list_topics(session, enabled_only=True)
        rules = [TopicRule(t.id, t.slug, tuple(t.keywords or []), t.priority) for t in topics]
        texts = [topic_text(t.name, t.description, t.keywords or []) for t in topics]
        vectors = encoder.encode(texts) if texts else np.zeros((0, encoder.dim), np.float32)
        return cls(rules, vectors, TopicDecisionParams.from_settings(settings))

    def assign(self, text: str, vector: np.ndarray) -> list[tuple[TopicRule, float]]:
        if not self.rules:
            return []
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        hits = [keyword_hits(text, p) for p in self.patterns]
        return [(self.rules[i], confidence) for i, confidence in assign_topics(sims, hits, self.params)]
