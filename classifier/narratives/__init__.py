"""Narratives: flagged items grouped by the claim they carry, spikes in their counts, and the
known false narratives a signal is compared with.

    clustering  (pure)  place new flagged items among the open narratives, plan merges, summaries
    runner              the narrative step: reads and writes through ``storage``, decides nothing
    spikes      (pure)  is a count of flagged items in a window improbable under its baseline?
    settings            ``NarrativeSettings`` (``WAAKHOND_NARRATIVES__*``), its ``spikes`` section
    calibration         the thresholds chosen with a real encoder on two constructed sets
                        (``python -m classifier.narratives.calibration``)
    reference           the known false narratives for the ``narrative`` part of a signal

The face offers what the rest of the house uses: the step for the pipeline and ``waakhond
narratives`` (``runner``, taken whole as a namespace: ``place_pending``, ``run_step``,
``merge_pass``, ``refresh_stale``, ``rebuild``; ``NarrativeReport``), ``NarrativeSettings``, the spike test
the alerts use (``SpikeTest``, ``series_hours``, ``spikes_now``), and for the benches the pure
placement (``FlaggedItem``, ``OpenNarrative``, ``NarrativeIndex``, ``place_items``, ``centred``,
``linkage_vector``, ``unit``), the calibration sets (``load_paraphrases``,
``load_background_texts``, ``load_demo_posts``, ``DEMO_ITEMS``, ``item_vectors``, ``mean_ari``) and
``NarrativeReference``. Names load on first use (the calibration pulls in scikit-learn). Inside
``classifier``, modules import each other directly.
"""

from classifier._faces import lazy_face

_MODULES = frozenset({"runner"})
_LAZY = {
    "DEMO_ITEMS": "calibration",
    "item_vectors": "calibration",
    "load_background_texts": "calibration",
    "load_demo_posts": "calibration",
    "load_paraphrases": "calibration",
    "mean_ari": "calibration",
    "FlaggedItem": "clustering",
    "NarrativeIndex": "clustering",
    "OpenNarrative": "clustering",
    "centred": "clustering",
    "linkage_vector": "clustering",
    "place_items": "clustering",
    "unit": "clustering",
    "NarrativeReference": "reference",
    "NarrativeReport": "runner",
    "NarrativeSettings": "settings",
    "SpikeTest": "spikes",
    "series_hours": "spikes",
    "spikes_now": "spikes",
}


__getattr__ = lazy_face(__name__, _LAZY, _MODULES)


__all__ = [
    "DEMO_ITEMS",
    "FlaggedItem",
    "NarrativeIndex",
    "NarrativeReference",
    "NarrativeReport",
    "NarrativeSettings",
    "OpenNarrative",
    "SpikeTest",
    "centred",
    "item_vectors",
    "linkage_vector",
    "load_background_texts",
    "load_demo_posts",
    "load_paraphrases",
    "mean_ari",
    "place_items",
    "runner",
    "series_hours",
    "spikes_now",
    "unit",
]
