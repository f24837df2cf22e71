from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.scoring.heads import HeadError, LinearHead, cross_validated_f1, fit_head


def _separable(n: int, dim: int = 16, seed: int = 0, noise: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    direction = np.random.default_rng(99).normal(size=dim)  # the same class direction for every seed
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    x = rng.normal(size=(n, dim)) * noise + np.outer(y * 2 - 1, direction) * 0.5
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), y


def test_head_learns_calibrates_and_reports() -> None:
    x, y = _separable(300)
    xv, yv = _separable(120, seed=1)
    trained = fit_head(x, y, x_validation=xv, y_validation=yv, target_precision=0.9)
    validation = trained.metrics["validation"]
    assert validation["roc_auc"] > 0.9
    assert set(validation) >= {"precision", "recall", "f1", "roc_auc", "pr_auc", "ece", "confusion", "n"}
    assert trained.threshold_choice.rule == "target_precision"
    assert trained.threshold_choice.precision >= 0.9
    assert trained.model.threshold == trained.threshold_choice.threshold
    probs = trained.model.probabilities(xv)
    assert probs.min() >= 0 and probs.max() <= 1
    assert trained.params["C"] in trained.params["c_grid"]


def test_training_is_reproducible() -> None:
    x, y = _separable(200)
    first, second = fit_head(x, y), fit_head(x, y)
    np.testing.assert_array_equal(first.model.head.weight, second.model.head.weight)
    assert first.model.calibration == second.model.calibration


def test_head_round_trips_through_safetensors(tmp_path: Path) -> None:
    head = LinearHead(np.arange(8, dtype=np.float32) / 10, -0.25)
    head.save(tmp_path)
    loaded = LinearHead.load(tmp_path)
    np.testing.assert_array_equal(loaded.weight, head.weight)
    assert loaded.bias == pytest.approx(-0.25)
    with pytest.raises(HeadError, match="8-d"):
        loaded.raw(np.zeros((2, 4), np.float32))


def test_bad_training_data_is_refused() -> None:
    x, _ = _separable(20)
    with pytest.raises(HeadError, match="both classes"):
        fit_head(x, np.zeros(20, dtype=int))
    with pytest.raises(HeadError, match="0/1"):
        fit_head(x, np.arange(20) % 3)
    with pytest.raises(HeadError, match="at least 2"):
        fit_head(x, np.r_[np.ones(1, int), np.zeros(19, int)])


def test_cross_validated_f1_uses_the_given_folds() -> None:
    x, y = _separable(200, noise=0.3)
    folds = [(np.arange(100, 200), np.arange(0, 100)), (np.arange(0, 100), np.arange(100, 200))]
    scores = cross_validated_f1(x, y, folds)
    assert len(scores) == 2 and min(scores) > 0.8


def test_topic_directions_and_a_head_blind_to_them() -> None:
    from classifier.scoring.heads import project_out, topic_directions

    rng = np.random.default_rng(3)
    dim = 16
    topic_axes = np.eye(dim)[:3]  # three topics, each shifting texts along its own axis
    topics = [f"t{i % 3}" for i in range(120)]
    y = (rng.random(120) < 0.5).astype(int)
    label_axis = np.eye(dim)[5]
    x = rng.normal(size=(120, dim)) * 0.3 + np.array([topic_axes[i % 3] * 2 for i in range(120)]) + np.outer(y * 2 - 1, label_axis)
    # topic t0 carries most positives: a plain head would lean on it
    y = np.where(np.array(topics) == "t0", 1, y)
    basis = topic_directions(x, topics)
    assert basis.shape == (dim, 2)  # three topic means span two directions around their mean
    np.testing.assert_allclose(basis.T @ basis, np.eye(2), atol=1e-9)
    assert np.abs(project_out(x, basis) @ basis).max() < 1e-4
    blind = fit_head(x, y, blind_to=basis)
    plain = fit_head(x, y)
    assert np.abs(basis.T @ blind.model.head.weight).max() < 1e-4  # the folded head ignores topic
    assert np.abs(basis.T @ plain.model.head.weight).max() > 0.1
    assert blind.params["blind_directions"] == 2
    assert topic_directions(x, [None] * 120).shape == (dim, 0)


def test_sample_weights_change_the_head_and_unit_weights_do_not() -> None:
    x, y = _separable(300, noise=1.5)
    plain = fit_head(x, y, target_precision=None, c_grid=(1.0,))
    first_half_heavy = np.where(np.arange(len(y)) < 150, 5.0, 1.0)
    weighted = fit_head(x, y, target_precision=None, c_grid=(1.0,), sample_weight=first_half_heavy)
    assert weighted.params["sample_weight"] == {"min": 1.0, "max": 5.0} and "sample_weight" not in plain.params
    assert not np.allclose(weighted.model.head.weight, plain.model.head.weight, atol=1e-2)
    same = fit_head(x, y, target_precision=None, c_grid=(1.0,), sample_weight=np.ones(len(y)))
    assert np.allclose(same.model.head.weight, plain.model.head.weight, atol=1e-4)
