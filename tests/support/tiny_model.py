"""A tiny, randomly initialised BERT encoder folder with a real fast tokenizer, for pipeline
tests: it loads through AutoModel/AutoTokenizer exactly like the real encoder, in milliseconds.

The tokenizer is a SentencePiece-style Unigram model (Metaspace, ``<s> $A </s>``) over single
characters plus a few hundred Dutch words, so any Latin text tokenises with real offsets.
"""

from __future__ import annotations

import fcntl
import json
import string
from pathlib import Path

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
WORDS = """
de het een en van in is op te dat die voor met niet zijn er aan ook als bij door om maar
kabinet regering minister overheid gemeente gemeenten kamer wet plan plannen belasting
belastingen toeslag toeslagen huur huren woning woningen wonen stikstof boeren boer land
landbouw natuur migratie asiel asielzoekers opvang klimaat energie gas stroom prijs prijzen
zorg vaccin vaccins vaccinatie virus onderwijs school scholen leraren defensie oekraïne
verkiezingen stemmen stembus fraude geld euro digitale contant bank banken cash pinnen
waar onwaar nep nieuws geheim plan verborgen elite willen alles iedereen nooit altijd
miljoen miljard procent jaar jaren week dag vandaag morgen gisteren nieuwe nieuw meer minder
volgens rapport onderzoek cijfers blijkt blijken zegt zeggen meldt melden besluit besloten
""".split()


def _vocab() -> list[tuple[str, float]]:
    pieces: list[tuple[str, float]] = [(s, 0.0) for s in SPECIALS]
    seen = set(SPECIALS)
    for word in WORDS:
        piece = "▁" + word
        if piece not in seen:
            pieces.append((piece, -3.0))
            seen.add(piece)
    for char in "▁" + string.ascii_letters + string.digits + string.punctuation + "ëïéèöüáà€":
        if char not in seen:
            pieces.append((char, -8.0))
            seen.add(char)
        if "▁" + char not in seen and char != "▁":
            pieces.append(("▁" + char, -9.0))
            seen.add("▁" + char)
    return pieces


def build_tiny_model(folder: Path, *, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Write the tiny encoder into ``folder`` (created) and return it."""
    import torch
    from tokenizers import AddedToken, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = _vocab()
    tokenizer = Tokenizer(Unigram(vocab, unk_id=3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tokenizer.add_special_tokens([AddedToken(s, special=True) for s in SPECIALS])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        cls_token="<s>",
        sep_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        model_max_length=128,
    )
    fast.save_pretrained(str(folder))
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2))

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden * 2,
        max_position_embeddings=128,
        type_vocab_size=2,
        pad_token_id=1,
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(str(folder))
    return folder


def tiny_model_folder(cache: Path) -> Path:
    """The tiny model under ``cache``, built once (file-locked for parallel test workers)."""
    folder = Path(cache) / "tiny-bert"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".tiny-bert.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "model.safetensors").is_file():
            tmp = Path(cache) / "tiny-bert.tmp"
            if tmp.exists():
                import shutil

                shutil.rmtree(tmp)
            build_tiny_model(tmp)
            tmp.rename(folder)
    return folder
