"""Scoring: an item's signal and its parts, from its text to the flag with its evidence.

    score                   the classify step: load the active versions, score items by their
                            token windows, write the classifications (``classify_items``)
    sentences   (pure)      Dutch sentence splitting
    evidence    (pure)      the item text, paragraph bounds, the sentences chosen as evidence
    topics                  the policy topics: the shipped file, seeding, ``TopicAssigner``
    heads                   the linear head over the embedding, Platt-calibrated (fit and load)
    lexical                 the TF-IDF model of the hybrid head, scored in numpy
    hybrid                  the hybrid head: the linear head and the lexical model, combined
    signal_rule (pure)      the combined flag from the parts (rule ``parts-v1``)

The face offers what the rest of the house uses: the step (``classify_items``,
``load_scoring_models``, ``ClassifyReport``, ``ensure_base_model``), ``split_sentences``, the
topics (``seed_topics``, ``load_topic_specs``) and the evidence (``item_text``,
``locate_evidence``, ``paragraph_bounds``). Names load on first use. Inside ``classifier``,
modules import each other directly.
"""

from classifier._faces import lazy_face

_LAZY = {
    "item_text": "evidence",
    "locate_evidence": "evidence",
    "paragraph_bounds": "evidence",
    "ClassifyReport": "score",
    "classify_items": "score",
    "ensure_base_model": "score",
    "load_scoring_models": "score",
    "split_sentences": "sentences",
    "load_topic_specs": "topics",
    "seed_topics": "topics",
}


__getattr__ = lazy_face(__name__, _LAZY)


__all__ = [
    "ClassifyReport",
    "classify_items",
    "ensure_base_model",
    "item_text",
    "load_scoring_models",
    "load_topic_specs",
    "locate_evidence",
    "paragraph_bounds",
    "seed_topics",
    "split_sentences",
]
