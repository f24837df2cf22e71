"""How the disinformation head is trained: which examples (a recipe), attribution
augmentation, and the fit itself. Shared by ``classifier.training.train_default`` (the shipped default)
and ``bench/signal_quality.py`` (which cross-validates the same recipe on real data).

    recipe "seed"        the seed set only (what nl-disinfo-seed-v1 was trained on)
    recipe "real"        seed + false-rated claims + background news + the real rows of
                         ../shared/data (EUvsDisinfo positives; FactRank NF/FNR, CheckThat!
                         not-check-worthy negatives) + criticism-like hard negatives
    recipe "real-aug"    "real" + attribution augmentation both ways (below)
    recipe "real2"       "real" + the second set of written hard negatives
                         (classifier/data/criticism/hard_negatives_train_v2.jsonl: criticism,
                         opinion, contested, satire, neutral news with and without attribution,
                         off-topic hoaxes; checked against the criticism test set for near-copies)
    recipe "real2-aug"   "real2" + attribution augmentation both ways
    recipe "real2-hybrid" the rows, weights and augmentation of "real2-aug", fitted as the hybrid
                         head (classifier.scoring.hybrid: the embedding head and TF-IDF, combined)
    recipe "real3-hybrid" "real2-hybrid" + frame augmentation (classifier.training.framing: the Dutch
                         narratives and the Dutch constructed negatives also as hearsay,
                         a question or a reader's letter; measured, not the default)

Attribution augmentation: a news sentence of the training part gets a variant without its
source ("..., meldt de gemeente." -> "...") or with one, and a false narrative gets a variant
with a source in front or behind, so that "meldt het ministerie" stops being the signal.
Deterministic (fixed seed). Augmented rows are only ever added to a training part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from classifier.scoring.heads import DEFAULT_SEED, TrainedHead, fit_head, topic_directions
from classifier.scoring.hybrid import PartFits, TrainedHybrid, fit_hybrid
from classifier.training import real_data
from classifier.training.framing import frame_variants, looks_dutch
from classifier.training.train import Example

RECIPES = ("seed", "real", "real-aug", "real2", "real2-aug", "real2-hybrid", "real3-hybrid")
#: Recipes whose rows include the second set of written hard negatives.
V2_ROW_RECIPES = ("real2", "real3")
#: Weight of a training example by source in the real-data recipes: the Dutch false narratives
#: (the signal's own domain, written as posts) count double next to the easy English EUvsDisinfo
#: titles and the ten times more numerous real negatives. Chosen on the demo's spike posts
#: (head fitted on all rows: spike B 18 -> 20 of 28 flagged), never on the criticism test set.
SOURCE_WEIGHTS = {"seed_narrative": 2.0, "claims_false": 2.0}
#: Recipe real2: the written hard negatives (criticism-like and neutral news) weigh
#: REAL2_HARD_WEIGHT, and the threshold is the lowest with out-of-fold precision >=
#: REAL2_TARGET_PRECISION. Both chosen on the grouped CV's out-of-fold figures of the training
#: rows (out-of-fold recall >= 0.70 at precision >= 0.80 kept, as the acceptance of #19 asks; of
#: those, the least out-of-fold flagging of the written negatives), never
#: on the criticism test set (models/README.md, "The disinformation signal on real data").
REAL2_HARD_WEIGHT = 3.0
REAL2_TARGET_PRECISION = 0.85
REAL2_SOURCE_WEIGHTS = {**SOURCE_WEIGHTS, "hard_negatives": REAL2_HARD_WEIGHT,
                        "hard_negatives_v2": REAL2_HARD_WEIGHT, "hard_news_v2": REAL2_HARD_WEIGHT}
AUGMENT_SEED = 20261202
#: Sources whose rows are Dutch news-like sentences that may carry or lack attribution.
AUGMENTED_NEGATIVE_SOURCES = ("seed_news", "background_news", "hard_news_v2")

ATTRIBUTIONS_BEHIND = (
    "meldt de gemeente", "meldt het ministerie", "schrijft de minister in een Kamerbrief", "meldt de NOS",
    "zegt een woordvoerder", "meldt de provincie", "blijkt uit cijfers van het CBS", "laat het kabinet weten",
    "meldt een ingewijde", "zegt een bron in Den Haag",
)
ATTRIBUTIONS_IN_FRONT = (
    "Volgens het ministerie", "Volgens de gemeente", "Volgens een woordvoerder", "Volgens de NOS",
    "Volgens ingewijden", "Volgens een bron bij de overheid",
)
_TRAILING_ATTRIBUTION = re.compile(
    r",\s*(meldt|melden|zegt|zeggen|schrijft|schrijven|laat|blijkt|maakt|maakte|staat)\b[^,.]*\.\s*$",
    re.IGNORECASE,
)


def _with_source_behind(text: str, source: str) -> str:
    body = text.rstrip().rstrip(".!?")
    return f"{body}, {source}."


def _with_source_in_front(text: str, source: str) -> str:
    return f"{source}: {text.strip()}"  # a colon: prepending without one breaks Dutch word order


def strip_attribution(text: str) -> str | None:
    """The sentence without a trailing ", meldt X." (None when there is none)."""
    stripped = _TRAILING_ATTRIBUTION.sub(".", text.strip())
    return stripped if stripped != text.strip() else None


def attribution_variants(examples: Sequence[Example], seed: int = AUGMENT_SEED) -> list[Example]:
    """One variant per eligible single-paragraph example (see the module docstring)."""
    rng = np.random.default_rng(seed)
    variants = []
    for example in examples:
        if "\n" in example.text or len(example.text) > 400:
            continue
        if example.origin in AUGMENTED_NEGATIVE_SOURCES:
            bare = strip_attribution(example.text)
            text = bare if bare else _with_source_behind(example.text, str(rng.choice(ATTRIBUTIONS_BEHIND)))
        elif example.origin == "seed_narrative" or (example.origin == "claims_false" and looks_dutch(example.text)):
            if rng.random() < 0.5:
                text = _with_source_behind(example.text, str(rng.choice(ATTRIBUTIONS_BEHIND)))
            else:
                text = _with_source_in_front(example.text, str(rng.choice(ATTRIBUTIONS_IN_FRONT)))
        else:
            continue
        variants.append(replace(example, text=text, origin=f"{example.origin}+attribution"))
    return variants


def recipe_examples(recipe: str, shared_data: Path | None) -> list[Example]:
    """The examples of a recipe, before augmentation (augment with ``attribution_variants``)."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}: use one of {', '.join(RECIPES)}")
    if recipe == "seed":
        return real_data.seed_source_examples()
    if shared_data is None:
        raise real_data.SharedDataMissing("this recipe needs the shared data folder (../shared/data)")
    return real_data.project_examples(v2=uses_v2_rows(recipe)) + real_data.shared_examples(shared_data)


def recipe_base(recipe: str) -> str:
    """The recipe without its augmentation or model suffix ("real2-aug" -> "real2")."""
    return recipe.removesuffix("-aug").removesuffix("-hybrid")


def uses_v2_rows(recipe: str) -> bool:
    """Whether the recipe trains on the second set of written hard negatives (real2, real3)."""
    return recipe_base(recipe) in V2_ROW_RECIPES


def recipe_augments(recipe: str) -> bool:
    return recipe.endswith("-aug") or recipe_is_hybrid(recipe)


def recipe_frames(recipe: str) -> bool:
    """Whether the recipe adds frame variants (classifier.training.framing) to its training parts."""
    return recipe_base(recipe) == "real3"


def augmented_rows(examples: Sequence[Example], *, augment: bool, frames: bool = False) -> list[Example]:
    """A training part with its augmentation: attribution variants, and frame variants for real3."""
    rows = list(examples)
    if augment:
        rows += attribution_variants(examples)
    if frames:
        rows += frame_variants(examples)
    return rows


def recipe_is_hybrid(recipe: str) -> bool:
    """Whether the recipe fits the hybrid head (classifier.scoring.hybrid) instead of the linear head."""
    return recipe.endswith("-hybrid")


def source_weight(example: Example, weights: Mapping[str, float] | None = None) -> float:
    """The weight of the example's source (``SOURCE_WEIGHTS`` unless given; an augmented row
    weighs as its original)."""
    return (SOURCE_WEIGHTS if weights is None else weights).get(example.origin.split("+")[0], 1.0)


@dataclass(frozen=True)
class SignalFitParams:
    target_precision: float | None = 0.8
    calibration: str = "platt"
    seed: int = DEFAULT_SEED
    blind_to_topics: bool = True
    weighted: bool = True
    source_weights: Mapping[str, float] | None = None  # None: SOURCE_WEIGHTS
    frames: bool = False  # add frame variants to every training part (recipe real3)


def recipe_params(recipe: str, target_precision: float, calibration: str) -> SignalFitParams:
    """The fit parameters of a recipe: real2 has its own weights and target precision."""
    if uses_v2_rows(recipe):
        return SignalFitParams(target_precision=REAL2_TARGET_PRECISION, calibration=calibration,
                               source_weights=REAL2_SOURCE_WEIGHTS, frames=recipe_frames(recipe))
    return SignalFitParams(target_precision=target_precision, calibration=calibration)


def fit_signal_head(
    examples: Sequence[Example], embed: Callable[[list[str]], np.ndarray], *, augment: bool,
    params: SignalFitParams = SignalFitParams(),
) -> TrainedHead:
    """Fit the disinformation head on ``examples`` (all of them: the caller holds data out)."""
    rows = augmented_rows(examples, augment=augment, frames=params.frames)
    x = embed([e.text for e in rows])
    y = np.array([e.label for e in rows], dtype=int)
    blind = topic_directions(x, [e.topic for e in rows]) if params.blind_to_topics else None
    weights = np.array([source_weight(e, params.source_weights) for e in rows]) if params.weighted else None
    return fit_head(x, y, target_precision=params.target_precision, calibration=params.calibration,
                    seed=params.seed, blind_to=blind, sample_weight=weights)


def fit_signal_hybrid(
    examples: Sequence[Example], embed: Callable[[list[str]], np.ndarray], *, augment: bool,
    params: SignalFitParams = SignalFitParams(),
) -> TrainedHybrid:
    """The hybrid head on ``examples``: both parts see the same rows, weights and augmentation."""
    fits = PartFits(
        fit_head=lambda part: fit_signal_head(part, embed, augment=augment, params=params),
        rows=lambda part: augmented_rows(part, augment=augment, frames=params.frames),
        weight=lambda row: source_weight(row, params.source_weights) if params.weighted else 1.0,
    )
    return fit_hybrid(examples, embed, fits, target_precision=params.target_precision or REAL2_TARGET_PRECISION)


def fit_signal_model(
    examples: Sequence[Example], embed: Callable[[list[str]], np.ndarray], *, recipe: str,
    params: SignalFitParams = SignalFitParams(),
) -> TrainedHead | TrainedHybrid:
    """The recipe's model: the hybrid head for "*-hybrid" recipes, else the linear head."""
    fit = fit_signal_hybrid if recipe_is_hybrid(recipe) else fit_signal_head
    return fit(examples, embed, augment=recipe_augments(recipe), params=params)


def grouped_cv(examples: Sequence[Example], embed: Callable[[list[str]], np.ndarray], *, recipe: str,
               params: SignalFitParams = SignalFitParams(), folds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and per-fold thresholds, whole groups held out together (a
    narrative, an EUvsDisinfo story-year, a claim); augmentation only inside training parts."""
    from sklearn.model_selection import GroupKFold

    x = embed([e.text for e in examples])
    y = np.array([e.label for e in examples], dtype=int)
    groups = [e.group or f"row:{i}" for i, e in enumerate(examples)]
    probs, thresholds = np.zeros(len(y)), np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, y, groups):
        trained = fit_signal_model([examples[i] for i in train_idx], embed, recipe=recipe, params=params)
        probs[test_idx] = trained.model.probabilities(x[test_idx], [examples[i].text for i in test_idx])
        thresholds[test_idx] = trained.model.threshold
    return probs, thresholds
