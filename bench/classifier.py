"""Throughput of the classifier's encoder on 2,000 items of mixed length, all in one run.

    items      = deterministic mix built from the seed set: 50 % short (a headline or post),
                 35 % medium (a few sentences), 15 % long (an article of several windows)
    naive      = transformers.pipeline("feature-extraction") called once per item, mean-pooled
    waakhond   = Encoder.encode(items): tokenise all, sort by length, batch, inference_mode
    limit      = the bare batched forward pass over pre-tokenised, length-sorted input (the
                 most this model can do on this CPU with this batch size); only forward timed
    classify   = the whole scoring of classifier.scoring.score (all windows of long items, every
                 sentence embedded for evidence and claim matching, heads, topics), without the
                 database: the work behind one stored signal (on every 4th item, to save time)
    int8       = Encoder.encode after torch's dynamic int8 quantisation
    onnx       = Encoder.encode on ONNX Runtime fp32 (classifier.runtime = "onnx"): the export
                 with pooling in its graph, ORT_ENABLE_ALL; onnx_limit = its bare session run
                 over the same pre-tokenised batches as ``limit``
    onnx_int8  = Encoder.encode on ONNX Runtime with per-channel dynamic int8 ("onnx-int8")

The encoder paths (waakhond, naive, limit, int8, onnx, onnx_limit, onnx_int8) see the same
items, truncated to the same window (``max_tokens``). The machine may be shared, so every path
runs on every chunk of 200 items in rotating order. Flag agreement: the share of items whose
flag (score >= threshold) from the shipped head (models/nl-disinfo-real-v3, the default) on a
runtime's embeddings equals its flag on torch fp32's; the same for the embedding-only linear
head nl-disinfo-seed-v1 (the shipped head's lexical part reads the texts, alike on every
runtime). Prints one JSON object with items/s, ratios, agreement and peak RSS.

    .venv/bin/python bench/classifier.py [--items 2000] [--encoder FOLDER] [--skip-naive]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED = 7


def default_encoder_folder() -> Path:
    cache = Path(os.environ.get("WAAKHOND_TEST_CACHE", ROOT / "var" / "test-cache"))
    return cache / "multilingual-e5-small"


def mixed_items(n: int) -> list[str]:
    with (ROOT / "classifier" / "data" / "seed" / "seed_nl.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    rng = random.Random(SEED)
    items = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.5:
            words = rng.choice(texts).split()
            items.append(" ".join(words[: rng.randint(8, 20)]))
        elif kind < 0.85:
            items.append(" ".join(rng.sample(texts, rng.randint(1, 3))))
        else:
            items.append("\n\n".join(rng.sample(texts, rng.randint(8, 18))))
    return items


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def limit_batches(encoder, items: list[str]):
    """Pre-tokenised, length-sorted, padded batches: the input of the bare forward pass."""
    from classifier.encoding.encoder import _pad, length_batches

    sequences = [encoder._with_specials(ids) for ids in encoder.token_ids(items)]
    return [
        _pad([sequences[i] for i in batch], encoder.tokenizer.pad_token_id)
        for batch in length_batches([len(s) for s in sequences], encoder.settings.batch_size)
    ]


def run_limit(encoder, batches) -> None:
    import torch

    with torch.inference_mode():
        for input_ids, mask in batches:
            encoder.model(input_ids=input_ids, attention_mask=mask)


def run_onnx_limit(encoder, batches) -> None:
    for input_ids, mask in batches:
        encoder.onnx.embed(input_ids.numpy(), mask.numpy())


def flag_agreement(heads, texts: list[str], reference: np.ndarray, vectors: np.ndarray) -> dict:
    """Per head: the share of items whose flag on ``vectors`` equals their flag on ``reference``."""
    out = {}
    for name, head in heads.items():
        ref, other = head.probabilities(reference, texts), head.probabilities(vectors, texts)
        out[name] = {
            "flag_agreement": round(float(np.mean((ref >= head.threshold) == (other >= head.threshold))), 4),
            "score_mean_abs_diff": round(float(np.mean(np.abs(ref - other))), 5),
            "flagged_torch_fp32": int(np.sum(ref >= head.threshold)),
            "flagged": int(np.sum(other >= head.threshold)),
        }
    return out


def cosine_summary(reference: np.ndarray, vectors: np.ndarray) -> dict:
    cosines = (reference * vectors).sum(axis=1)
    return {"items_mean_cosine": round(float(cosines.mean()), 6), "items_min_cosine": round(float(cosines.min()), 6)}


def naive_extractor(folder: Path, max_length: int):
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    return pipeline("feature-extraction", model=str(folder), tokenizer=str(folder), device="cpu",
                    tokenize_kwargs={"truncation": True, "max_length": max_length})


def run_naive(extractor, items: list[str], prefix: str) -> None:
    for text in items:
        tokens = np.asarray(extractor(prefix + text)[0])
        vector = tokens.mean(axis=0)
        vector /= np.linalg.norm(vector)


def scoring_models(encoder):
    from classifier.scoring.score import ScoringModels
    from classifier.scoring.topics import (
        TopicAssigner,
        TopicDecisionParams,
        TopicRule,
        load_topic_specs,
        topic_text,
    )
    from classifier.versions import load_version

    disinfo = load_version(ROOT / "models" / "nl-disinfo-seed-v1", encoder)
    checkworthy = load_version(ROOT / "models" / "nl-checkworthy-factrank-v1", encoder)
    specs = load_topic_specs()
    rules = [TopicRule(i, s.slug, s.keywords, s.priority) for i, s in enumerate(specs)]
    topics = TopicAssigner(rules, encoder.encode([topic_text(s.name, s.description, s.keywords) for s in specs]),
                           TopicDecisionParams.from_settings(encoder.settings))
    return ScoringModels(encoder, disinfo, 0, checkworthy, topics, checkworthy.info.threshold,
                         encoder.settings.max_sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--encoder", type=Path, default=default_encoder_folder())
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--chunk", type=int, default=200, help="Items per interleaved round.")
    parser.add_argument("--classify-every", type=int, default=4, help="Full scoring on every k-th item.")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    from classifier.encoding.base_model import prepare_base_model
    from classifier.encoding.encoder import Encoder
    from classifier.settings import ClassifierSettings

    settings = ClassifierSettings()
    torch.set_num_threads(settings.threads)
    folder = prepare_base_model(args.encoder)
    encoder = Encoder.from_folder(folder, settings)
    items = mixed_items(args.items)
    lengths = [len(ids) + 2 + len(encoder._prefix_ids) for ids in encoder.token_ids(items)]
    windows = sum(len(encoder.token_windows(t)) for t in items)
    n = len(items)

    int8 = Encoder.from_folder(folder, settings)
    report = int8.quantise_int8()
    # the first start exports (and quantises) into <folder>/onnx/; later starts load the files
    onnx, onnx_load_s = timed(lambda: Encoder.from_folder(folder, settings.model_copy(update={"runtime": "onnx"})))
    onnx_int8, onnx_int8_load_s = timed(
        lambda: Encoder.from_folder(folder, settings.model_copy(update={"runtime": "onnx-int8"})))
    models = scoring_models(encoder)
    from classifier.versions import load_version

    heads = {"nl-disinfo-real-v3": load_version(ROOT / "models" / "nl-disinfo-real-v3", encoder).model,
             "nl-disinfo-seed-v1": models.disinformation.model}
    # What the classify step encodes beside the bare pass: every window of long items, and every
    # sentence not identical to a window (for evidence, check-worthiness and claim matching).
    from classifier.scoring.score import plan_units

    plan = plan_units(encoder, list(enumerate(items)), models.max_windows, models.max_sentences)
    window_rows = {r for item in plan.items for r in item[3]}
    sentence_rows = {r for item in plan.items for r in item[5]} - window_rows
    specials = 2 + len(encoder._prefix_ids)
    tokens_encoded = {
        "bare_forward_pass": sum(min(length, settings.max_tokens) for length in lengths),
        "classify_windows": plan.tokens(sorted(window_rows)) + specials * len(window_rows),
        "classify_sentences": plan.tokens(sorted(sentence_rows)) + specials * len(sentence_rows),
    }
    extractor = None if args.skip_naive else naive_extractor(folder, min(settings.max_tokens, 512))
    from classifier.scoring.score import score_texts

    for warm in (encoder, onnx, onnx_int8):
        warm.encode(items[:64])  # warm-up: first-call allocations, the thread pool
    # The machine is shared: every path runs on every chunk, in rotating order, so that load
    # from other processes falls on all of them alike and the ratios stay fair.
    seconds = {name: 0.0 for name in ("waakhond", "limit", "naive", "classify", "int8", "onnx", "onnx_limit",
                                      "onnx_int8")}
    counted = {"classify": 0}
    vectors, int8_vectors, onnx_vectors, onnx_int8_vectors = [], [], [], []
    chunks = [items[i : i + args.chunk] for i in range(0, n, args.chunk)]
    for number, chunk in enumerate(chunks):
        batches = limit_batches(encoder, chunk)  # pre-tokenising is not part of the limit
        classify_part = chunk[:: args.classify_every]
        steps = {
            "waakhond": lambda c=chunk: vectors.append(encoder.encode(c)),
            "limit": lambda b=batches: run_limit(encoder, b),
            "naive": lambda c=chunk: extractor and run_naive(extractor, c, settings.text_prefix),
            "classify": lambda part=classify_part: score_texts(models, list(enumerate(part))),
            "int8": lambda c=chunk: int8_vectors.append(int8.encode(c)),
            "onnx": lambda c=chunk: onnx_vectors.append(onnx.encode(c)),
            "onnx_limit": lambda b=batches: run_onnx_limit(onnx, b),
            "onnx_int8": lambda c=chunk: onnx_int8_vectors.append(onnx_int8.encode(c)),
        }
        names = list(steps)
        for name in names[number % len(names):] + names[: number % len(names)]:
            _, took = timed(steps[name])
            seconds[name] += took
        counted["classify"] += len(classify_part)
    vectors_all, int8_all = np.concatenate(vectors), np.concatenate(int8_vectors)
    onnx_all, onnx_int8_all = np.concatenate(onnx_vectors), np.concatenate(onnx_int8_vectors)
    cosines = (vectors_all * int8_all).sum(axis=1)
    # the heads were fitted on torch fp32 embeddings; the hybrid head's lexical part reads the
    # texts, the same on every runtime, so only the encoder differs
    agreement = {name: flag_agreement(heads, items, vectors_all, got)
                 for name, got in (("torch_int8", int8_all), ("onnx_fp32", onnx_all), ("onnx_int8", onnx_int8_all))}
    shipped = "nl-disinfo-real-v3"
    waakhond_s, limit_s, classify_s, int8_s = (seconds[k] for k in ("waakhond", "limit", "classify", "int8"))
    onnx_s, onnx_limit_s, onnx_int8_s = (seconds[k] for k in ("onnx", "onnx_limit", "onnx_int8"))
    naive_s = None if args.skip_naive else seconds["naive"]
    classify_rate = counted["classify"] / classify_s

    def rate(seconds: float | None) -> float | None:
        return None if seconds is None else round(n / seconds, 2)

    result = {
        "items": n,
        "tokens_per_item": {"mean": round(float(np.mean(lengths)), 1), "min": min(lengths), "max": max(lengths),
                            "windows_total": windows},
        "threads": settings.threads,
        "batch_size": settings.batch_size,
        "max_tokens": settings.max_tokens,
        "items_per_second": {
            "waakhond_encoder": rate(waakhond_s),
            "naive_pipeline_per_item": rate(naive_s),
            "bare_forward_limit": rate(limit_s),
            "waakhond_classify_full": round(classify_rate, 2),
            "waakhond_encoder_int8": rate(int8_s),
            "onnx_fp32_encoder": rate(onnx_s),
            "onnx_fp32_bare_forward": rate(onnx_limit_s),
            "onnx_int8_encoder": rate(onnx_int8_s),
        },
        "ratios": {
            "waakhond_vs_naive": None if naive_s is None else round(naive_s / waakhond_s, 2),
            "waakhond_vs_limit": round(limit_s / waakhond_s, 3),
            "classify_full_vs_naive": None if naive_s is None else round(classify_rate / (n / naive_s), 2),
            "int8_vs_float_encoder": round(waakhond_s / int8_s, 2),
            "waakhond_int8_vs_naive": None if naive_s is None else round(naive_s / int8_s, 2),
            "onnx_fp32_vs_torch_encoder": round(waakhond_s / onnx_s, 3),
            "onnx_fp32_bare_vs_torch_bare": round(limit_s / onnx_limit_s, 3),
            "onnx_int8_vs_torch_encoder": round(waakhond_s / onnx_int8_s, 3),
        },
        # issue #17's keys: the whole classify step against the bare forward pass of the same items;
        # the ORT fp32 encoder (tokenising included) against the same bare torch forward pass;
        # the shipped head's flags on ORT's embeddings against its flags on torch fp32's
        "full_step_vs_forward_pass": round(classify_rate / (n / limit_s), 3),
        "onnx_fp32_vs_torch_forward_pass": round(limit_s / onnx_s, 3),
        "onnx_fp32_flag_agreement": agreement["onnx_fp32"][shipped]["flag_agreement"],
        "onnx_int8_flag_agreement": agreement["onnx_int8"][shipped]["flag_agreement"],
        "torch_int8_flag_agreement": agreement["torch_int8"][shipped]["flag_agreement"],
        "tokens_encoded": tokens_encoded,
        "classify_full_items_measured": counted["classify"],
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "goals": {"waakhond_vs_naive_at_least": 4.0, "waakhond_vs_limit_at_least": 0.8},
        "int8_agreement": {
            "accepted_on_probe": report.accepted,
            "probe_mean_cosine": round(report.mean_cosine, 4),
            "items_mean_cosine": round(float(cosines.mean()), 4),
            "items_min_cosine": round(float(cosines.min()), 4),
            "heads": agreement["torch_int8"],
        },
        "onnx": {
            "load_seconds": {"fp32": round(onnx_load_s, 1), "int8": round(onnx_int8_load_s, 1),
                             "note": "includes the export (and quantisation) when no cached file was there"},
            "files": {"fp32": onnx.onnx.path.name, "int8": onnx_int8.onnx.path.name},
            "fp32": {"probe_min_cosine": round(onnx.onnx.report.min_cosine, 6), **cosine_summary(vectors_all, onnx_all),
                     "heads": agreement["onnx_fp32"], "fingerprint_kept": onnx.fingerprint == encoder.fingerprint},
            "int8": {"probe_mean_cosine": round(onnx_int8.onnx.report.mean_cosine, 5),
                     **cosine_summary(vectors_all, onnx_int8_all), "heads": agreement["onnx_int8"],
                     "fingerprint": onnx_int8.fingerprint[-40:]},
        },
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
