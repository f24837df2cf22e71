"""The second stage of claim matching: does a retrieved claim really state what the item says?

    stage 1 (retrieval.search)          language-centred cosine, every sentence against every claim,
                                        the best ``candidates`` claims per item (best sentence each)
    stage 2 (this module)               per candidate the pair features (classifier.matching.features),
        ranking score   r = w · standardised(features)         a linear pairwise ranker: which of
                                                                the item's candidates is the claim
        probability     p = sigmoid(a · [r, same language] + b)
                                                                calibrated on held-out claims: how
                                                                likely this candidate is the claim
        a match         p >= threshold (chosen for precision on held-out claims and a ceiling of
                        false matches on background news; models/claim-matching/stage-two.json)
                        or, for an item that refutes the claim (classifier.matching.stance), p >=
                        debunk_threshold (chosen on the held-out units with debunking words)

The model file records the encoder it was trained with; another encoder is refused, because
the cosines it learnt from would mean something else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.errors import ClassifierError
from classifier.matching.features import FEATURE_NAMES, LanguageCentres

STAGE_TWO_PATH = Path("claim-matching") / "stage-two.json"
ACCEPT_FEATURES = ("rank_score", "same_language")


class StageTwoError(ClassifierError, RuntimeError):
    """No usable stage-two model: missing, unreadable, or trained with another encoder."""


@dataclass(frozen=True)
class StageTwoModel:
    feature_names: tuple[str, ...]
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    rank_weights: np.ndarray
    accept_weights: np.ndarray  # over ACCEPT_FEATURES
    accept_intercept: float
    threshold: float
    candidates: int
    centres: LanguageCentres
    encoder_fingerprint: str
    metadata: dict = field(default_factory=dict)
    #: The bar for a match of an item that refutes the claim (linked as a debunk, never flagged);
    #: None: the same as ``threshold``.
    debunk_threshold: float | None = None

    # ------------------------------------------------------------------ scoring (pure)
    def rank_scores(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        return ((features - self.feature_mean) / self.feature_scale) @ self.rank_weights

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """The calibrated probability of each of one item's candidates being its claim."""
        ranks = self.rank_scores(features)
        if len(ranks) == 0:
            return ranks
        accept = accept_inputs(ranks, features[:, FEATURE_NAMES.index("same_language")])
        return 1.0 / (1.0 + np.exp(-(accept @ self.accept_weights + self.accept_intercept)))

    # ------------------------------------------------------------------ file
    def to_json(self) -> dict:
        return {
            "kind": "claim-matching stage two: linear pairwise ranker + logistic acceptance",
            "feature_names": list(self.feature_names),
            "feature_mean": _floats(self.feature_mean), "feature_scale": _floats(self.feature_scale),
            "rank_weights": _floats(self.rank_weights),
            "accept_features": list(ACCEPT_FEATURES), "accept_weights": _floats(self.accept_weights),
            "accept_intercept": round(float(self.accept_intercept), 6),
            "threshold": round(float(self.threshold), 4), "candidates": self.candidates,
            "debunk_threshold": None if self.debunk_threshold is None else round(float(self.debunk_threshold), 4),
            "encoder_fingerprint": self.encoder_fingerprint, "metadata": self.metadata,
            "language_centres": self.centres.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict) -> StageTwoModel:
        if tuple(data["feature_names"]) != FEATURE_NAMES or tuple(data.get("accept_features", ())) != ACCEPT_FEATURES:
            raise StageTwoError("the stage-two model was trained on other features: retrain it "
                                "(`waakhond match calibrate`)")
        return cls(
            tuple(data["feature_names"]), np.asarray(data["feature_mean"]), np.asarray(data["feature_scale"]),
            np.asarray(data["rank_weights"]), np.asarray(data["accept_weights"]), float(data["accept_intercept"]),
            float(data["threshold"]), int(data["candidates"]), LanguageCentres.from_json(data["language_centres"]),
            str(data["encoder_fingerprint"]), dict(data.get("metadata") or {}),
            None if data.get("debunk_threshold") is None else float(data["debunk_threshold"]),
        )


def accept_inputs(rank_scores: np.ndarray, same_language: np.ndarray) -> np.ndarray:
    """[r, same language] per candidate. Not the lead over the other candidates: a second
    fact-check of the same claim would take it away."""
    return np.column_stack([np.asarray(rank_scores, dtype=np.float64), np.asarray(same_language, dtype=np.float64)])


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in np.asarray(values).ravel()]


def stage_two_file(model_dir: Path) -> Path:
    return Path(model_dir) / STAGE_TWO_PATH


def load_stage_two(model_dir: Path, encoder_fingerprint: str | None = None) -> StageTwoModel:
    path = stage_two_file(model_dir)
    try:
        model = StageTwoModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise StageTwoError(f"no claim-matching stage-two model at {path}: run `waakhond match calibrate`") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StageTwoError(f"cannot read {path}: {exc}") from exc
    if encoder_fingerprint is not None and model.encoder_fingerprint != encoder_fingerprint:
        raise StageTwoError(
            f"the claim-matching stage-two model in {path} was trained for encoder {model.encoder_fingerprint}, "
            f"not for the encoder in use ({encoder_fingerprint}): run `waakhond match calibrate`"
        )
    return model


def write_stage_two(model: StageTwoModel, model_dir: Path) -> Path:
    path = stage_two_file(model_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
