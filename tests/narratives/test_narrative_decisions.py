"""The pure narrative decisions: placement, merging, summaries (no I/O, no encoder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from classifier.narratives import NarrativeSettings
from classifier.narratives.clustering import (
    TITLE_MAX_CHARS,
    FlaggedItem,
    Member,
    NarrativeIndex,
    OpenNarrative,
    cohesion,
    default_title,
    merge_margins,
    narrative_topics,
    place_items,
    plan_merges,
    summarise,
    unit,
    vector_from_bytes,
    vector_to_bytes,
)

T0 = datetime(2025, 5, 1, 12, tzinfo=UTC)
DIM = 16
SETTINGS = NarrativeSettings(join_threshold=0.8, merge_threshold=0.9, merge_cohesion_ratio=0.9)


def direction(seed: int) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=DIM)).astype(np.float32)


def near(base: np.ndarray, seed: int, noise: float = 0.15) -> np.ndarray:
    return unit(base + noise * np.random.default_rng(seed).normal(size=DIM) / np.sqrt(DIM)).astype(np.float32)


def items_around(base: np.ndarray, first_id: int, n: int, start: datetime = T0) -> list[FlaggedItem]:
    return [FlaggedItem(first_id + i, start + timedelta(hours=i), near(base, first_id + i)) for i in range(n)]


def test_vectors_round_trip_as_float32_little_endian():
    v = direction(1)
    assert np.array_equal(vector_from_bytes(vector_to_bytes(v)), v)
    assert len(vector_to_bytes(v)) == 4 * DIM


def test_items_of_one_claim_share_a_narrative_and_another_claim_starts_its_own():
    a, b = direction(1), direction(2)
    items = items_around(a, 100, 5) + items_around(b, 200, 4)
    placements = place_items(NarrativeIndex(DIM), items, SETTINGS)
    by_item = {p.item_id: p.narrative_id for p in placements}
    assert len({by_item[i] for i in range(100, 105)}) == 1
    assert len({by_item[i] for i in range(200, 204)}) == 1
    assert by_item[100] != by_item[200]
    assert sum(p.starts_narrative and p.similarity == 1.0 for p in placements) >= 2


def test_placement_is_deterministic_and_independent_of_input_order():
    a, b = direction(3), direction(4)
    items = items_around(a, 1, 6) + items_around(b, 50, 6)
    first = place_items(NarrativeIndex(DIM), items, SETTINGS)
    second = place_items(NarrativeIndex(DIM), list(reversed(items)), SETTINGS)
    assert first == second


def test_an_item_joins_an_existing_narrative_and_updates_its_centroid():
    a = direction(5)
    existing = OpenNarrative(id=42, centroid=near(a, 9), item_count=3, last_seen=T0)
    index = NarrativeIndex(DIM, [existing])
    placements = place_items(index, [FlaggedItem(7, T0 + timedelta(hours=1), near(a, 10))], SETTINGS)
    assert placements[0].narrative_id == 42 and placements[0].similarity >= SETTINGS.join_threshold


def test_narratives_older_than_the_window_are_not_candidates():
    a = direction(6)
    stale = OpenNarrative(id=1, centroid=a, item_count=10, last_seen=T0 - timedelta(days=SETTINGS.window_days + 1))
    placements = place_items(NarrativeIndex(DIM, [stale]), [FlaggedItem(9, T0, near(a, 11))], SETTINGS)
    assert placements[0].starts_narrative


def test_below_threshold_starts_a_new_narrative():
    a = direction(7)
    orthogonal = unit(direction(8) - (direction(8) @ a) * a)
    index = NarrativeIndex(DIM, [OpenNarrative(1, a, 2, T0)])
    placements = place_items(index, [FlaggedItem(3, T0, orthogonal)], SETTINGS)
    assert placements[0].starts_narrative


def test_index_grows_beyond_its_initial_capacity():
    index = NarrativeIndex(DIM)
    settings = NarrativeSettings(join_threshold=0.999)
    items = [FlaggedItem(i, T0, direction(1000 + i)) for i in range(200)]
    placements = place_items(index, items, settings)
    assert len(index) == 200 and len({p.narrative_id for p in placements}) == 200


def test_merge_pass_merges_drifted_together_narratives_smaller_into_larger():
    a, b = direction(11), direction(12)
    narratives = [
        OpenNarrative(1, near(a, 1, 0.05), 3, T0),
        OpenNarrative(2, near(a, 2, 0.05), 10, T0),
        OpenNarrative(3, b, 4, T0),
    ]
    merges = plan_merges(narratives, SETTINGS)
    assert [(m.source_id, m.target_id) for m in merges] == [(1, 2)]
    assert merges[0].similarity >= SETTINGS.merge_threshold


def test_merge_pass_chains_through_updated_centroids_and_respects_auto_merge():
    a = direction(13)
    narratives = [OpenNarrative(i, near(a, i, 0.05), 2, T0) for i in range(1, 5)]
    merges = plan_merges(narratives, SETTINGS)
    assert len(merges) == 3 and len({m.target_id for m in merges}) == 1
    pinned = [OpenNarrative(n.id, n.centroid, n.item_count, n.last_seen, auto_merge=n.id != 1) for n in narratives]
    assert all(1 not in (m.source_id, m.target_id) for m in plan_merges(pinned, SETTINGS))


def test_summary_takes_the_member_nearest_the_centre_and_counts_sources():
    a = direction(14)
    members = [
        Member(1, source_id=10, seen_at=T0, vector=near(a, 1, 0.6), topics=("wonen",), evidence="ver weg", title="t1"),
        Member(2, source_id=11, seen_at=T0 + timedelta(hours=2), vector=a, topics=("wonen", "migratie-asiel"),
               evidence="De kern van het verhaal.", title="t2"),
        Member(3, source_id=10, seen_at=T0 + timedelta(hours=5), vector=near(a, 3, 0.6), topics=("wonen",),
               evidence=None, title="t3"),
    ]
    summary = summarise(members, SETTINGS)
    assert summary.representative_item_id == 2
    assert summary.representative_sentence == "De kern van het verhaal."
    assert summary.item_count == 3 and summary.source_count == 2
    assert summary.first_seen == T0 and summary.last_seen == T0 + timedelta(hours=5)
    assert summary.topics == ["wonen", "migratie-asiel"]
    assert summary.member_similarity[2] > summary.member_similarity[1]


def test_the_claim_is_told_by_a_member_the_model_flagged_not_by_a_debunk_that_matched_it():
    a = direction(21)
    members = [
        # nearest the centre, but raised only through a claim match: an article quoting the claim
        Member(1, 10, T0, a, (), "Het klopt niet dat contant geld verdwijnt.", "debunk", model_flagged=False),
        Member(2, 11, T0, near(a, 2, 0.5), (), "Vanaf 1 januari is contant geld verboden!", "post"),
        Member(3, 12, T0, near(a, 3, 0.9), (), "Iets heel anders.", "ruis"),
    ]
    summary = summarise(members, SETTINGS)
    assert summary.representative_item_id == 2
    assert summary.member_similarity[1] > summary.member_similarity[2]  # 1 is still the nearest
    only_matches = [Member(m.item_id, m.source_id, T0, m.vector, (), m.evidence, m.title, model_flagged=False)
                    for m in members]
    assert summarise(only_matches, SETTINGS).representative_item_id == 1  # nobody better: the nearest


def test_summary_falls_back_to_the_title_without_evidence():
    summary = summarise([Member(5, 1, T0, direction(1), (), None, "Een kop")], SETTINGS)
    assert summary.representative_sentence == "Een kop"


def test_topics_keep_the_most_common_and_those_above_the_share():
    assert narrative_topics([("a",), ("a", "b"), ("a",), ("c",)], 0.3) == ["a"]
    assert narrative_topics([("a", "b"), ("a", "b"), ("c",)], 0.5) == ["a", "b"]
    assert narrative_topics([(), ()], 0.3) == []


def test_default_title_is_cut_at_a_word_boundary():
    long = "woord " * 60
    title = default_title(long)
    assert len(title) <= TITLE_MAX_CHARS and title.endswith("…") and "  " not in title
    assert default_title("  Kort  verhaal ") == "Kort verhaal"


def test_cohesion_is_the_average_pairwise_cosine():
    vectors = np.array([near(direction(21), i, 0.5) for i in range(6)], dtype=np.float64)
    pairwise = vectors @ vectors.T
    expected = (pairwise.sum() - np.trace(pairwise)) / (6 * 5)
    assert cohesion(vectors.mean(axis=0), 6) == pytest.approx(expected)
    assert np.isnan(cohesion(vectors[0], 1))


def test_merge_bar_is_relative_to_the_narratives_own_cohesion():
    settings = NarrativeSettings(join_threshold=0.5, merge_threshold=0.1, merge_cohesion_ratio=0.6)
    coherence = np.array([0.9, 0.4, np.nan])
    similarity = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.3], [0.5, 0.3, 1.0]])
    margins = merge_margins(similarity, coherence, settings)
    assert margins[0, 1] == pytest.approx(0.5 - 0.6 * np.sqrt(0.9 * 0.4))  # both cohesive: geometric mean
    assert margins[1, 2] == pytest.approx(0.3 - 0.6 * 0.4)  # a single item: the other's cohesion
    low = NarrativeSettings(join_threshold=0.5, merge_threshold=0.35, merge_cohesion_ratio=0.6)
    assert merge_margins(similarity, coherence, low)[1, 2] == pytest.approx(0.3 - 0.35)  # the floor


def test_loose_stories_merge_where_tight_claims_would_not():
    settings = NarrativeSettings(join_threshold=0.99, merge_threshold=0.05, merge_cohesion_ratio=0.6)
    loose = direction(22)
    halves = [OpenNarrative(1, np.mean([near(loose, i, 2.0) for i in range(8)], axis=0), 8, T0),
              OpenNarrative(2, np.mean([near(loose, 50 + i, 2.0) for i in range(8)], axis=0), 8, T0)]
    assert [(m.source_id, m.target_id) for m in plan_merges(halves, settings)] == [(2, 1)]
