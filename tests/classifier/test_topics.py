from __future__ import annotations

import numpy as np
import pytest

import storage
from classifier.scoring.topics import (
    TopicDecisionParams,
    assign_topics,
    keyword_hits,
    keyword_pattern,
    load_topic_specs,
    seed_topics,
    topic_text,
)
from storage.repositories import topics as topic_store

PARAMS = TopicDecisionParams(min_z=1.5, keyword_min_z=0.0, keyword_weight=1.0, max_topics=2,
                             min_similarity=0.83, keyword_min_similarity=0.81)


def test_keywords_hit_at_word_starts_so_compounds_count() -> None:
    pattern = keyword_pattern(["asiel", "azc", "statushouder"])
    assert keyword_hits("Asielzoekers in het nieuwe AZC", pattern) == 2
    assert keyword_hits("Statushouders en statushouder", pattern) == 1  # distinct keywords
    assert keyword_hits("Het fantasielandschap", pattern) == 0  # "asiel" inside a word does not hit
    assert keyword_hits("wat dan ook", None) == 0


def test_similarity_alone_needs_a_clear_and_absolute_lead() -> None:
    sims = np.array([0.86, 0.80, 0.79, 0.80, 0.79])
    assert [i for i, _ in assign_topics(sims, [0] * 5, PARAMS)] == [0]
    # the same lead far down the scale (an off-topic item) gives nothing
    assert assign_topics(sims - 0.06, [0] * 5, PARAMS) == []


def test_a_keyword_lowers_the_bar_and_ranks_higher() -> None:
    sims = np.array([0.86, 0.82, 0.79, 0.80, 0.79])
    chosen = assign_topics(sims, [0, 2, 0, 0, 0], PARAMS)
    assert [i for i, _ in chosen] == [1, 0]
    assert all(0 < confidence <= 1 for _, confidence in chosen)
    assert assign_topics(sims, [1, 1, 1, 1, 1], PARAMS.__class__(1.5, 0.0, 1.0, 5, 0.83, 0.81))[0][0] == 0


def test_at_most_max_topics_and_edge_cases() -> None:
    sims = np.array([0.9, 0.9, 0.9, 0.5])
    assert len(assign_topics(sims, [3, 3, 3, 0], PARAMS)) == 2
    assert assign_topics(np.array([]), [], PARAMS) == []
    assert topic_text("Wonen", "Huren en kopen.", ["huur"]) == "Wonen. Huren en kopen. Trefwoorden: huur."


def test_shipped_topics_file_has_the_twelve_topics() -> None:
    specs = load_topic_specs()
    assert len(specs) == 12
    assert len({s.slug for s in specs}) == 12
    assert all(s.description and s.ministry and s.keywords for s in specs)


def test_seeding_is_idempotent_and_keeps_operator_edits(db) -> None:
    with storage.transaction(db.sessions) as session:
        first = seed_topics(session)
    assert first["created"] == 12
    with storage.transaction(db.sessions) as session:
        topic_store.update_topic(session, "wonen", {"priority": 3, "keywords": "huur, woning"}, actor="operator")
    with storage.transaction(db.sessions) as session:
        assert seed_topics(session) == {"created": 0, "updated": 0, "unchanged": 12}
    with db.read_sessions() as session:
        wonen = topic_store.get_topic(session, "wonen")
        assert (wonen.priority, wonen.keywords) == (3, ["huur", "woning"])
        assert [e.action for e in storage.repositories.audit.entries(session, object_type="policy_topic")][0] == "topic.update"
    with pytest.raises(storage.errors.InvalidInput):
        with storage.transaction(db.sessions) as session:
            topic_store.update_topic(session, "wonen", {"slug": "x"}, actor="operator")
