"""The ONNX Runtime encoder on a tiny random BERT: the export, its cache, the fingerprint rule.
(The real encoder's agreement with torch is in test_onnx_real_encoder.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier.encoding import onnx_runtime
from classifier.encoding.base_model import BaseModelError, base_fingerprint
from classifier.encoding.encoder import Encoder
from classifier.encoding.onnx_runtime import ONNX_INT8_SUFFIX, OnnxRuntimeError, export_names
from classifier.errors import ClassifierError
from classifier.settings import ClassifierSettings

TEXTS = [
    "Het kabinet wil de belasting verhogen.",
    "Kort.",
    "De gemeente bouwt nieuwe woningen voor iedereen die wil wonen in de stad. " * 4,  # several windows' worth
    "Stikstof",
]


@pytest.fixture
def folder(tiny_folder: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny encoder: exports are written beside it."""
    return Path(shutil.copytree(tiny_folder, tmp_path / "tiny-bert"))


def _on(settings: ClassifierSettings, runtime: str) -> ClassifierSettings:
    return settings.model_copy(update={"runtime": runtime})


def test_onnx_fp32_gives_torchs_embeddings_and_keeps_the_fingerprint(folder: Path, tiny_settings) -> None:
    torch_encoder = Encoder.from_folder(folder, tiny_settings)
    onnx = Encoder.from_folder(folder, _on(tiny_settings, "onnx"))
    assert onnx.model is None and onnx.onnx.kind == "fp32" and onnx.dim == torch_encoder.dim
    expected, got = torch_encoder.encode(TEXTS), onnx.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (expected * got).sum(axis=1).min() >= 0.9999
    # the same function: heads, claim vectors and calibrations of the torch encoder stay valid
    assert onnx.fingerprint == torch_encoder.fingerprint == base_fingerprint(folder)
    assert onnx.onnx.report.accepted and onnx.onnx.report.min_cosine >= 0.9999
    # batches of different shapes (dynamic axes), one by one or together: the same vectors
    one_by_one = np.concatenate([onnx.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(one_by_one, got, atol=1e-5)


def test_the_export_is_made_once_and_reused(folder: Path, tiny_settings, monkeypatch) -> None:
    Encoder.from_folder(folder, _on(tiny_settings, "onnx-int8"))  # exports fp32, then quantises it
    names = export_names(base_fingerprint(folder))
    files = {p.name: p.stat().st_mtime_ns for p in (folder / "onnx").glob("*.onnx")}
    assert set(files) == {names["fp32"], names["int8"]}
    assert not list(folder.glob("*.onnx"))  # nothing beside the weights, where the folder hash would see it

    def no_more(*args, **kwargs):
        raise AssertionError("a cached export was made again")

    monkeypatch.setattr(onnx_runtime, "export_fp32", no_more)
    monkeypatch.setattr(onnx_runtime, "quantise_export", no_more)
    again = Encoder.from_folder(folder, _on(tiny_settings, "onnx"))
    Encoder.from_folder(folder, _on(tiny_settings, "onnx-int8"))
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "onnx").glob("*.onnx")} == files
    assert again.onnx.path == folder / "onnx" / names["fp32"]
    # the cache is not part of the folder's fingerprint (only files directly in it are)
    assert again.fingerprint == base_fingerprint(folder)


def test_int8_is_an_encoder_of_its_own(folder: Path, tiny_settings) -> None:
    base = Encoder.from_folder(folder, tiny_settings)
    int8 = Encoder.from_folder(folder, _on(tiny_settings, "onnx-int8"))
    assert int8.fingerprint == base.fingerprint + ONNX_INT8_SUFFIX
    assert int8.quantised and int8.onnx.kind == "int8"
    torch_int8 = Encoder.from_folder(folder, tiny_settings.model_copy(update={"quantize_int8": True}))
    assert torch_int8.fingerprint != int8.fingerprint  # torch's int8 is yet another function
    cosines = (base.encode(TEXTS) * int8.encode(TEXTS)).sum(axis=1)
    assert cosines.mean() >= 0.95  # what the probe asks of int8 (MIN_INT8_AGREEMENT)


def test_a_head_of_the_float_encoder_refuses_the_int8_one_and_accepts_fp32(folder, tiny_settings, tmp_path) -> None:
    from classifier.scoring.heads import CalibratedHead, LinearHead, TrainedHead
    from classifier.training.metrics import ThresholdChoice
    from classifier.versions import VersionError, load_version, write_version_folder

    base = Encoder.from_folder(folder, tiny_settings)
    head = CalibratedHead(LinearHead(np.ones(base.dim, dtype=np.float32), 0.0), {"method": "sigmoid"}, 0.5)
    trained = TrainedHead(head, ThresholdChoice(0.5, "max_f1", 0.5, 0.5, None), {}, {"kind": "linear"})
    version = write_version_folder(tmp_path / "v", name="v", task="disinformation", trained=trained, encoder=base,
                                   training={})
    load_version(version, Encoder.from_folder(folder, _on(tiny_settings, "onnx")))
    with pytest.raises(VersionError, match="train a new version on this encoder"):
        load_version(version, Encoder.from_folder(folder, _on(tiny_settings, "onnx-int8")))


def test_a_changed_encoder_never_reuses_a_stale_export(folder: Path, tiny_settings, tmp_path: Path) -> None:
    from tests.support.tiny_model import build_tiny_model

    first = Encoder.from_folder(folder, _on(tiny_settings, "onnx"))
    changed = build_tiny_model(tmp_path / "changed", seed=1)  # other weights, same shapes
    # even with the old export copied in under the new fingerprint's name, it is refused
    names = export_names(base_fingerprint(changed))
    (changed / "onnx").mkdir()
    shutil.copy(first.onnx.path, changed / "onnx" / names["fp32"])
    with pytest.raises(OnnxRuntimeError, match="was exported for encoder"):
        Encoder.from_folder(changed, _on(tiny_settings, "onnx"))
    (changed / "onnx" / names["fp32"]).unlink()
    second = Encoder.from_folder(changed, _on(tiny_settings, "onnx"))
    assert second.onnx.path.name != first.onnx.path.name
    assert not np.allclose(second.encode(TEXTS[:1]), first.encode(TEXTS[:1]))


def test_an_export_that_disagrees_with_torch_is_refused(folder: Path, tiny_settings, monkeypatch) -> None:
    monkeypatch.setattr(onnx_runtime, "MIN_FP32_COSINE", 1.5)  # no export can reach it
    with pytest.raises(OnnxRuntimeError, match="disagrees with torch") as caught:
        Encoder.from_folder(folder, _on(tiny_settings, "onnx"))
    assert isinstance(caught.value, ClassifierError)


def test_settings_that_do_not_go_with_an_onnx_runtime_are_refused(folder: Path, tiny_settings) -> None:
    with pytest.raises(BaseModelError, match="onnx-int8"):
        Encoder.from_folder(folder, tiny_settings.model_copy(update={"runtime": "onnx", "quantize_int8": True}))
    with pytest.raises(BaseModelError, match="CPU"):
        Encoder.from_folder(folder, tiny_settings.model_copy(update={"runtime": "onnx", "device": "cuda"}))
    with pytest.raises(BaseModelError, match="onnx-int8"):
        Encoder.from_folder(folder, _on(tiny_settings, "onnx")).quantise_int8()
    with pytest.raises(ValueError):
        ClassifierSettings(runtime="tensorrt")


def test_the_runtime_is_a_setting(monkeypatch) -> None:
    from waakhond.settings import Settings

    assert Settings().classifier.runtime == "torch"
    monkeypatch.setenv("WAAKHOND_CLASSIFIER__RUNTIME", "onnx-int8")
    assert Settings().classifier.runtime == "onnx-int8"
