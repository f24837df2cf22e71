"""Known false narratives, for the ``narrative`` part of a signal: the nearest one by cosine
similarity, with its name and a calibrated probability.

    entries      one per seed narrative (the mean of its phrasings, L2-normalised; name = its
                 slug) and one per false-rated claim of classifier/data/claims (name = the claim).
                 Only the project's own constructed sets: no row of ../shared/data is stored.
    calibration  Platt on the nearest-entry similarity of the training examples, leave-one-out
                 (a phrasing is compared with its narrative's mean *without* itself, a claim with
                 the other entries only), so the number means "how likely a text this close to
                 a known narrative is one"; threshold for precision NARRATIVE_PRECISION
    files        narratives.safetensors (vectors) + narratives.json (names, calibration,
                 threshold, encoder fingerprint) in the version folder
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.errors import ClassifierError
from classifier.scoring.signal_rule import NarrativeHit
from classifier.training.metrics import apply_calibration, fit_calibration, threshold_for_precision
from classifier.training.train import Example

VECTORS_FILE = "narratives.safetensors"
INFO_FILE = "narratives.json"
#: Precision the narrative part's threshold is chosen for (on the training examples, leave-one-out).
NARRATIVE_PRECISION = 0.9
REFERENCE_ORIGINS = ("seed_narrative", "claims_false")


class NarrativeReferenceError(ClassifierError, ValueError):
    """The narrative reference files are missing, broken or made with another encoder."""


@dataclass(frozen=True)
class NarrativeReference:
    names: tuple[str, ...]
    vectors: np.ndarray  # (entries, dim), L2-normalised
    calibration: dict[str, Any]
    threshold: float
    encoder_fingerprint: str

    def nearest(self, embeddings: np.ndarray) -> list[NarrativeHit]:
        sims = np.asarray(embeddings, dtype=np.float32) @ self.vectors.T
        best = sims.argmax(axis=1)
        top = sims[np.arange(len(best)), best]
        probs = apply_calibration(top.astype(float), self.calibration)
        return [NarrativeHit(self.names[i], round(float(s), 4), float(p)) for i, s, p in zip(best, top, probs, strict=True)]

    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        save_file({"vectors": self.vectors.astype(np.float32)}, str(Path(folder) / VECTORS_FILE))
        info = {"names": list(self.names), "calibration": self.calibration, "threshold": self.threshold,
                "encoder_fingerprint": self.encoder_fingerprint, "precision_target": NARRATIVE_PRECISION,
                "sources": list(REFERENCE_ORIGINS)}
        (Path(folder) / INFO_FILE).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, encoder_fingerprint: str | None = None) -> NarrativeReference | None:
        """The folder's reference, or None when the version has none."""
        from safetensors.numpy import load_file

        info_path, vectors_path = Path(folder) / INFO_FILE, Path(folder) / VECTORS_FILE
        if not info_path.is_file():
            return None
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            vectors = load_file(str(vectors_path))["vectors"]
            reference = cls(tuple(info["names"]), vectors, info["calibration"], float(info["threshold"]),
                            info["encoder_fingerprint"])
        except (OSError, KeyError, ValueError) as exc:
            raise NarrativeReferenceError(f"broken narrative reference in {folder}: {exc}") from exc
        if len(reference.names) != len(vectors):
            raise NarrativeReferenceError(f"{folder}: {len(reference.names)} names for {len(vectors)} vectors")
        if encoder_fingerprint is not None and reference.encoder_fingerprint != encoder_fingerprint:
            raise NarrativeReferenceError(f"{folder}: narrative reference made with another encoder")
        return reference


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def _entry_name(example: Example) -> str:
    group = example.group or example.text
    return group.split(":", 1)[1] if example.origin == "seed_narrative" and ":" in group else example.text


def build_reference(examples: Sequence[Example], embed, encoder_fingerprint: str) -> NarrativeReference:
    """Entries from the reference origins' positives; calibration on all ``examples``."""
    x = _normalise(np.asarray(embed([e.text for e in examples]), dtype=np.float32))
    members: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        if e.label == 1 and e.origin in REFERENCE_ORIGINS:
            members[_entry_name(e)].append(i)
    names = tuple(sorted(members))
    if len(names) < 2:
        raise NarrativeReferenceError("a narrative reference needs at least two known narratives")
    sums = np.stack([x[members[n]].sum(axis=0) for n in names])
    counts = np.array([len(members[n]) for n in names], dtype=float)
    vectors = _normalise(sums)
    own = {i: k for k, n in enumerate(names) for i in members[n]}
    sims = x @ vectors.T
    for i, k in own.items():  # leave-one-out: the row's own entry without the row
        if counts[k] > 1:
            rest = _normalise(sums[k] - x[i])
            sims[i, k] = float(x[i] @ rest)
        else:
            sims[i, k] = -1.0
    top = sims.max(axis=1).astype(float)
    y = np.array([e.label for e in examples], dtype=int)
    calibration = fit_calibration(top, y, "platt")
    threshold = threshold_for_precision(y, apply_calibration(top, calibration), NARRATIVE_PRECISION).threshold
    return NarrativeReference(names, vectors, calibration, float(threshold), encoder_fingerprint)
