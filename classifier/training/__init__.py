"""Training: labelled examples in, model versions out, and the figures that judge them.

    train                   labelled examples (files, the seed set, analysts' labels), splits,
                            agreement figures
    metrics       (pure)    binary metrics, calibration, agreement
    train_run               a training run: examples in, a registered candidate version out;
                            the evaluation of a version on labelled examples
    finetune                fine-tuning the encoder with the head (``--mode full``)
    real_data               the real rows: EUvsDisinfo cases, fact-checks, criticism, negatives
    framing       (pure)    Dutch frame variants of training texts (the frame augmentation)
    signal_training         the recipes of the shipped signal: rows, weights, augmentation, fit
    signal_metrics          flag rates and per-source figures of a signal on the real rows
    promote_gate            whether a candidate may replace the active version on the real rows
    train_default           the shipped default versions
                            (``python -m classifier.training.train_default``)

The face offers what the rest of the house uses, for ``waakhond models``: the labelled files
(``read_labelled_file``, ``TrainingDataError``), the run (``train_candidate``, ``TRAIN_MODES``,
``evaluate_version``, ``embedding_cache``) and the gate (``promote_decision``,
``version_figures``). Model versions themselves (load, write, promote) are
``classifier.versions``, offered by the classifier's face. Names load on first use (a run
pulls in the encoder and scikit-learn). Inside ``classifier``, modules import each other
directly.
"""

from classifier._faces import lazy_face

_LAZY = {
    "promote_decision": "promote_gate",
    "version_figures": "promote_gate",
    "TrainingDataError": "train",
    "read_labelled_file": "train",
    "TRAIN_MODES": "train_run",
    "embedding_cache": "train_run",
    "evaluate_version": "train_run",
    "train_candidate": "train_run",
}


__getattr__ = lazy_face(__name__, _LAZY)


__all__ = [
    "TRAIN_MODES",
    "TrainingDataError",
    "embedding_cache",
    "evaluate_version",
    "promote_decision",
    "read_labelled_file",
    "train_candidate",
    "version_figures",
]
