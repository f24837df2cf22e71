"""The encoder's device setting: cpu by default, cuda only when torch sees a GPU, auto picks."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from classifier.encoding.base_model import BaseModelError
from classifier.encoding.encoder import torch_device
from classifier.settings import ClassifierSettings


def test_device_setting_accepts_cpu_cuda_and_auto_only() -> None:
    for name in ("cpu", "cuda", "cuda:1", "auto"):
        assert ClassifierSettings(device=name).device == name
    with pytest.raises(ValidationError):
        ClassifierSettings(device="gpu")


def test_auto_follows_what_torch_sees_and_cuda_without_a_gpu_is_refused() -> None:
    assert torch_device("cpu").type == "cpu"
    assert torch_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: nothing to refuse")
    with pytest.raises(BaseModelError, match="sees no GPU"):
        torch_device("cuda")
