"""The demo corpus: its two planted spikes become one narrative each, and spike detection
finds them where they were planted (real encoder, the corpus texts directly)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from classifier.narratives import NarrativeSettings
from classifier.narratives.clustering import (
    FlaggedItem,
    NarrativeIndex,
    OpenNarrative,
    place_items,
    plan_merges,
)
from classifier.narratives.spikes import episodes, hourly_counts, scan

pytestmark = pytest.mark.real_encoder
ANCHOR = datetime(2025, 10, 1, 12, tzinfo=UTC)
SETTINGS = NarrativeSettings()
#: Where the demo planted its spikes (hours before the anchor), as its README says.
PLANTED = {"A": (130, 138), "B": (300, 308)}


@pytest.fixture(scope="module")
def demo_narratives(embedded_demo):
    corpus, vectors, background = embedded_demo.corpus, embedded_demo.vectors, embedded_demo.background
    flagged, spike_of = [], {}
    for n, (item, vector) in enumerate(zip(corpus.items, vectors, strict=True)):
        if item.kind != "narrative":  # the false-narrative posts: what the classifier flags
            continue
        seen = ANCHOR - timedelta(hours=item.age_hours)
        flagged.append(FlaggedItem(n, seen, vector))
        spike_of[n] = item.spike
    index = NarrativeIndex(vectors.shape[1], background=background)
    placements = place_items(index, flagged, SETTINGS)
    label = {p.item_id: p.narrative_id for p in placements}
    members = defaultdict(list)
    for item_id, nid in label.items():
        members[nid].append(item_id)
    narratives = [OpenNarrative(nid, vectors[ids].mean(axis=0), len(ids), ANCHOR) for nid, ids in members.items()]
    target = {nid: nid for nid in members}
    for merge in plan_merges(narratives, SETTINGS, background):
        for nid, t in target.items():
            if t == merge.source_id:
                target[nid] = merge.target_id
    label = {i: target[nid] for i, nid in label.items()}
    seen_at = {f.item_id: f.seen_at for f in flagged}
    return corpus, label, spike_of, seen_at


def test_each_planted_spike_is_one_narrative(demo_narratives):
    corpus, label, spike_of, _ = demo_narratives
    narrative_of_spike = {}
    for spike in PLANTED:
        narratives = {label[i] for i, s in spike_of.items() if s == spike}
        assert len(narratives) == 1, f"spike {spike} split over {len(narratives)} narratives"
        narrative_of_spike[spike] = narratives.pop()
    assert narrative_of_spike["A"] != narrative_of_spike["B"]
    for spike, nid in narrative_of_spike.items():
        sources = {corpus.items[i].source for i, n in label.items() if n == nid}
        assert len(sources) >= 3, spike  # enough for the "new narrative with >= 3 sources" rule


def test_spike_detection_finds_each_spike_where_it_was_planted(demo_narratives):
    _, label, spike_of, seen_at = demo_narratives
    hours = 30 * 24
    start = ANCHOR - timedelta(hours=hours)
    for spike, (youngest, oldest) in PLANTED.items():
        nid = next(label[i] for i, s in spike_of.items() if s == spike)
        times = [seen_at[i] for i, n in label.items() if n == nid]
        found = episodes(scan(hourly_counts(times, ANCHOR, hours), SETTINGS.spikes, start))
        assert found, f"spike {spike} not detected"
        peak_age = (ANCHOR - found[0].peak.window_end).total_seconds() / 3600
        # the peak window (ages peak_age .. peak_age + window) overlaps the planted hours
        assert youngest - SETTINGS.spikes.window_hours <= peak_age <= oldest, (spike, peak_age)
        assert len(found) == 1, f"narrative of spike {spike}: {len(found)} spike episodes"
