"""Narrative grouping with the real encoder on the constructed paraphrase set."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from classifier.narrative_calibration import (
    JOIN_GRID,
    calibrate,
    cluster_online,
    load_paraphrases,
    mean_ari,
)
from classifier.narrative_settings import NarrativeSettings

pytestmark = pytest.mark.real_encoder
SETTINGS = NarrativeSettings()  # the committed, calibrated defaults
# Claims whose paraphrases are single, plain statements; the set's harder claims (odd
# registers, overlapping wording) are covered by the majority and ARI tests below.
PLAIN_CLAIMS = ("contant-geld-afgeschaft-digitale-euro", "griepprik-onvruchtbaar", "cv-ketel-boete-2026")


def same_topic_pairs() -> list[tuple[str, str]]:
    topic = {r.claim: r.topic for r in load_paraphrases()}
    return [(a, b) for a, b in combinations(sorted(topic), 2) if topic[a] == topic[b]]


def labels_of(data, order: list[int]) -> dict[int, int]:
    labels = cluster_online(data.vectors[order], list(range(len(order))), SETTINGS, True, data.background)
    return {original: int(label) for original, label in zip(order, labels, strict=True)}


def majority(labels: dict[int, int], indices: list[int]) -> tuple[int, int]:
    return Counter(labels[i] for i in indices).most_common(1)[0]


def test_the_set_has_enough_claims_topics_and_same_topic_pairs():
    rows = load_paraphrases()
    per_claim = Counter(r.claim for r in rows)
    assert len(per_claim) >= 12 and min(per_claim.values()) >= 8
    assert len({r.topic for r in rows}) >= 6
    assert len(same_topic_pairs()) >= 3
    assert len({r.register for r in rows}) >= 5


@pytest.mark.parametrize("claim", PLAIN_CLAIMS)
def test_paraphrases_of_one_claim_end_in_one_narrative(embedded_paraphrases, claim):
    indices = embedded_paraphrases.indices(claim)
    labels = labels_of(embedded_paraphrases, indices)
    assert len(set(labels.values())) == 1


def test_every_claim_keeps_most_of_its_paraphrases_together(embedded_paraphrases):
    for claim in dict.fromkeys(r.claim for r in embedded_paraphrases.rows):
        indices = embedded_paraphrases.indices(claim)
        _, size = majority(labels_of(embedded_paraphrases, indices), indices)
        assert size > len(indices) / 2, claim


@pytest.mark.parametrize("pair", same_topic_pairs(), ids=lambda p: f"{p[0]}|{p[1]}")
def test_two_claims_on_one_topic_do_not_share_a_narrative(embedded_paraphrases, pair):
    first, second = (embedded_paraphrases.indices(c) for c in pair)
    for order in (first + second, second + first):  # one story spreads, then the other
        labels = labels_of(embedded_paraphrases, order)
        assert majority(labels, first)[0] != majority(labels, second)[0]


def test_grouping_quality_on_the_whole_set(embedded_paraphrases):
    truth = [r.claim for r in embedded_paraphrases.rows]
    ari = mean_ari(embedded_paraphrases.vectors, truth, SETTINGS, True, embedded_paraphrases.background)
    without_background = mean_ari(embedded_paraphrases.vectors, truth, SETTINGS, True, None)
    assert ari >= 0.7
    assert ari > without_background  # the calibrated threshold is meant for centred cosines
    one_order = cluster_online(embedded_paraphrases.vectors, list(range(len(truth))), SETTINGS, True,
                               embedded_paraphrases.background)
    assert adjusted_rand_score(truth, one_order) >= 0.6


def test_calibration_recovers_the_committed_defaults(embedded_paraphrases):
    truth = [r.claim for r in embedded_paraphrases.rows]
    result = calibrate(embedded_paraphrases.vectors, truth, embedded_paraphrases.background)
    assert result["join_threshold"] == pytest.approx(SETTINGS.join_threshold)
    assert result["merge_threshold"] == pytest.approx(SETTINGS.merge_threshold)
    assert min(JOIN_GRID) < SETTINGS.join_threshold < max(JOIN_GRID)
    assert np.isfinite(result["ari_with_merge"])
