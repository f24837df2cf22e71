"""Full fine-tuning (``waakhond train --mode full``): the encoder is trained together with the head.

    training examples -> a fit part and a calibration part (20 %, stratified, fixed seed)
    model  = the base encoder (word embeddings frozen), mean pooling, L2 normalisation, dropout,
             one linear layer;
             class-balanced BCE; AdamW (encoder and head at their own rates), linear decay;
             ``epochs`` passes in a seeded order; torch threads from settings
    save   = <out>/<name>/encoder/ (a complete Hugging Face folder, about 470 MB for e5-small:
             it lives under the data directory and is never committed), head.safetensors,
             version.json (``base_model.own_encoder = "encoder"``)
    then   = Platt calibration and the threshold on the calibration part, metrics on validation

Such a version scores with its own encoder. What is stored for claim matching, topics and the
dashboard (item and sentence embeddings) still comes from the base encoder.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.encoding.base_model import MARKER_FILE, portable_tokenizer_config, tensor_fingerprint
from classifier.encoding.encoder import Encoder, _pad
from classifier.scoring.heads import CalibratedHead, LinearHead, TrainedHead
from classifier.training.metrics import (
    apply_calibration,
    binary_metrics,
    fit_calibration,
    threshold_for_f1,
    threshold_for_precision,
)
from classifier.training.train import Example, TrainingDataError, stratified_split
from classifier.versions import OWN_ENCODER_DIR

#: Fraction of the training part kept aside for calibration and the threshold.
CALIBRATION_FRACTION = 0.2


@dataclass(frozen=True)
class FinetuneParams:
    epochs: int = 3
    batch_size: int = 16
    encoder_learning_rate: float = 3e-5
    head_learning_rate: float = 1e-3
    dropout: float = 0.1
    seed: int = 20240601


def _split_for_calibration(train: Sequence[Example], seed: int) -> tuple[list[Example], list[Example]]:
    opened = [Example(e.text, e.label, None, e.origin, e.group) for e in train]
    parts = stratified_split(opened, CALIBRATION_FRACTION, seed)
    return [e for e in parts if e.split == "train"], [e for e in parts if e.split == "validation"]


def finetune_encoder(
    base: Encoder, fit: Sequence[Example], target: Path, params: FinetuneParams, progress=None
) -> tuple[Path, LinearHead, list[float]]:
    """Train encoder + linear layer on ``fit``; save the encoder folder at ``target``."""
    import torch

    torch.manual_seed(params.seed)
    rng = random.Random(params.seed)
    torch.set_num_threads(base.settings.threads)
    model = base.model
    model.train()
    # The word-embedding matrix is most of the model (250k pieces x 384 for e5-small) and a few
    # hundred examples touch a sliver of it: frozen, every step costs a fraction.
    model.get_input_embeddings().weight.requires_grad_(False)
    linear = torch.nn.Linear(base.dim, 1)
    dropout = torch.nn.Dropout(params.dropout)
    sequences = [base._with_specials(ids) for ids in base.token_ids([e.text for e in fit])]
    labels = torch.tensor([float(e.label) for e in fit])
    positives = max(1.0, float(labels.sum()))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(fit) - positives) / positives))
    optimiser = torch.optim.AdamW(
        [{"params": [p for p in model.parameters() if p.requires_grad], "lr": params.encoder_learning_rate},
         {"params": linear.parameters(), "lr": params.head_learning_rate}],
        weight_decay=0.01,
    )
    steps = params.epochs * -(-len(fit) // params.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: max(0.0, 1.0 - step / max(steps, 1)))
    losses = []
    for _ in range(params.epochs):
        order = list(range(len(fit)))
        rng.shuffle(order)
        epoch_loss = 0.0
        for start in range(0, len(order), params.batch_size):
            batch = order[start : start + params.batch_size]
            input_ids, mask = _pad([sequences[i] for i in batch], base.tokenizer.pad_token_id or 0)
            hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = torch.nn.functional.normalize((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0), dim=-1)
            loss = loss_fn(linear(dropout(pooled)).squeeze(-1), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            epoch_loss += float(loss.detach()) * len(batch)
            if progress is not None:
                progress(len(batch))
        losses.append(round(epoch_loss / len(fit), 5))
    model.eval()
    target.mkdir(parents=True)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(str(target))
    finally:
        hf_logging.enable_progress_bar()
    base.tokenizer.model_max_length = base.max_positions  # saved as the model's real limit
    base.tokenizer.save_pretrained(str(target))
    portable_tokenizer_config(target / "tokenizer_config.json")
    state = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    (target / MARKER_FILE).write_text(json.dumps({
        "fingerprint": tensor_fingerprint(state), "fine_tuned_from": base.fingerprint, "losses": losses,
    }, indent=2))
    head = LinearHead(linear.weight.detach().numpy().reshape(-1).astype(np.float32), float(linear.bias.detach()[0]))
    return target, head, losses


def finetune_version_head(
    base_folder: Path,
    settings,
    examples: Sequence[Example],
    work_dir: Path,
    *,
    target_precision: float | None,
    params: FinetuneParams = FinetuneParams(),
    progress=None,
) -> tuple[Encoder, TrainedHead, Path]:
    """Fine-tune a fresh copy of the base encoder into ``work_dir/encoder``; calibrate; return
    the new encoder, the trained head and the encoder folder."""
    train = [e for e in examples if e.split == "train"]
    validation = [e for e in examples if e.split == "validation"]
    fit, calibration_part = _split_for_calibration(train, params.seed)
    if {e.label for e in calibration_part} != {0, 1} or {e.label for e in fit} != {0, 1}:
        raise TrainingDataError("too few examples to fine-tune: both classes are needed in the fit and calibration parts")
    # a private copy (its weights change), on torch whatever the runtime: training needs its gradients
    base = Encoder.from_folder(base_folder, settings.model_copy(update={"runtime": "torch"}))
    folder, head, losses = finetune_encoder(base, fit, Path(work_dir) / OWN_ENCODER_DIR, params, progress)
    tuned = Encoder.from_folder(folder, settings)
    cal_raw = head.raw(tuned.encode([e.text for e in calibration_part]))
    cal_labels = [e.label for e in calibration_part]
    calibration = fit_calibration(cal_raw, cal_labels, "platt")
    cal_probs = apply_calibration(cal_raw, calibration)
    if target_precision is None:
        choice = threshold_for_f1(cal_labels, cal_probs)
    else:
        choice = threshold_for_precision(cal_labels, cal_probs, target_precision)
    model = CalibratedHead(head, calibration, choice.threshold)
    metrics: dict[str, Any] = {"calibration_part": binary_metrics(cal_labels, cal_probs, choice.threshold)}
    if validation:
        probs = model.probabilities(tuned.encode([e.text for e in validation]))
        metrics["validation"] = binary_metrics([e.label for e in validation], probs, choice.threshold)
    trained = TrainedHead(model, choice, metrics, {
        "kind": "fine-tuned encoder + linear", "epochs": params.epochs, "batch_size": params.batch_size,
        "encoder_learning_rate": params.encoder_learning_rate, "head_learning_rate": params.head_learning_rate,
        "seed": params.seed, "losses": losses, "fit": len(fit), "calibration_part": len(calibration_part),
    })
    return tuned, trained, folder
