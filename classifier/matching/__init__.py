"""Claim matching: which known fact-check claims an item's sentences state, and when a match
raises (or holds back) the flag.

Two stages (see each module's docstring)::

    retrieval   (pure)  stage one: exact language-centred cosine of every sentence against every claim
    features    (pure)  pair features of a sentence and a candidate claim; the language centres
    rerank              stage two: the ranker and the calibrated acceptance, its model file
    stages              the two stages for a batch of items, and which model is in use (``Matcher``)
    stance      (pure)  does the item quote the claim to refute it (a debunk)?
    merge       (pure)  which matches an item keeps when new fact-checks are searched (the top k)
    signal              when a match raises the flag (pure), and the ``claim_match`` part it writes
    run                 the matching step: encode new claims, match, store, refresh the flags
    calibration         the claim pair set and the single-stage cosine threshold (the naive baseline)
    corpus, training    units and folds; training and held-out evaluation of stage two
    evaluation  (pure)  the figures of a matcher from its decisions

The face offers what the rest of the house uses: the step (``run_matching``, ``MatchReport``,
``load_matcher``, ``Matcher``, ``match_batch``, ``refresh_claim_signals``), the stage-two model
(``load_stage_two``, ``write_stage_two``, ``StageTwoError``), its training for ``waakhond match
calibrate`` and ``bench/claim_matching.py`` (``build_corpus``, ``train_stage_two``,
``training_background``, ``held_out_decisions``, ``raw_cosine_decisions``, the default targets),
the pair set and the naive calibration (``load_pair_set``, ``load_calibration``,
``MatchCalibrationError``) and the figures (``choose_threshold``, ``pair_level``,
``split_figures``). Names load on first use: the training pulls in scikit-learn, which the
matching step does not need. Inside ``classifier``, modules import each other directly.
"""

from classifier._faces import lazy_face

_LAZY = {
    "MatchCalibrationError": "calibration",
    "load_calibration": "calibration",
    "load_pair_set": "calibration",
    "choose_threshold": "evaluation",
    "pair_level": "evaluation",
    "split_figures": "evaluation",
    "StageTwoError": "rerank",
    "load_stage_two": "rerank",
    "write_stage_two": "rerank",
    "MatchReport": "run",
    "run_matching": "run",
    "refresh_claim_signals": "signal",
    "Matcher": "stages",
    "load_matcher": "stages",
    "match_batch": "stages",
    "DEFAULT_BACKGROUND_RATE": "training",
    "DEFAULT_TARGET_PRECISION": "training",
    "build_corpus": "training",
    "held_out_decisions": "training",
    "raw_cosine_decisions": "training",
    "train_stage_two": "training",
    "training_background": "training",
}


__getattr__ = lazy_face(__name__, _LAZY)


__all__ = [
    "DEFAULT_BACKGROUND_RATE",
    "DEFAULT_TARGET_PRECISION",
    "MatchCalibrationError",
    "MatchReport",
    "Matcher",
    "StageTwoError",
    "build_corpus",
    "choose_threshold",
    "held_out_decisions",
    "load_calibration",
    "load_matcher",
    "load_pair_set",
    "load_stage_two",
    "match_batch",
    "pair_level",
    "raw_cosine_decisions",
    "refresh_claim_signals",
    "run_matching",
    "split_figures",
    "train_stage_two",
    "training_background",
    "write_stage_two",
]
