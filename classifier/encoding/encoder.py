"""The frozen encoder: texts in, L2-normalised mean-pooled embeddings out.

    tokenise all texts at once (fast tokenizer, no specials), with the settings' prefix
    sort by token length, cut into batches of ``batch_size``  -> little padding per batch
    forward under torch.inference_mode with ``threads`` intra-op threads
    mean-pool over the attention mask, L2-normalise, put back in input order

Long texts are cut into overlapping token windows (``token_windows``); every window keeps its
character span in the original text, so evidence can be located.

``classifier.runtime`` chooses what runs the forward pass: torch (here), or ONNX Runtime in fp32
or int8 (classifier/encoding/onnx_runtime.py); tokenising, batching and windows are the same for all.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.encoding.base_model import BaseModelError, base_fingerprint
from classifier.encoding.pooling import mean_pool_normalise, pad_arrays
from classifier.settings import ClassifierSettings

Progress = Callable[[int], None]
#: Mean cosine (int8 vs float embeddings) below which the int8 model is refused and the float
#: one kept: e5-small measures about 0.98; far lower means a model with outlier activations.
MIN_INT8_AGREEMENT = 0.95
INT8_SUFFIX = "+int8-dynamic"


@dataclass(frozen=True)
class TextWindow:
    """A slice of a text that fits the encoder: its token ids and its character span."""

    token_ids: tuple[int, ...]
    char_start: int
    char_end: int


@dataclass(frozen=True)
class QuantisationReport:
    mean_cosine: float
    min_cosine: float
    n_texts: int
    accepted: bool


class Encoder:
    """A Hugging Face encoder folder used as a frozen sentence encoder.

    ``model`` is the torch model (None on the ONNX runtimes, where ``onnx`` runs the forward pass)."""

    def __init__(self, model, tokenizer, settings: ClassifierSettings, folder: Path, fingerprint: str,
                 *, config=None, onnx=None):
        self.model = model
        self.config = config if config is not None else model.config
        self.onnx = onnx  # classifier.encoding.onnx_runtime.OnnxSession on the ONNX runtimes
        self.tokenizer = tokenizer
        self.settings = settings
        self.folder = folder
        self.fingerprint = fingerprint
        self.quantised = False
        self.quantisation: QuantisationReport | None = None
        self._prefix_ids = self._content_ids([settings.text_prefix.rstrip()])[0] if settings.text_prefix else []
        self.max_positions = int(getattr(self.config, "max_position_embeddings", 512))

    @classmethod
    def from_folder(cls, folder: Path, settings: ClassifierSettings | None = None) -> Encoder:
        settings = settings or ClassifierSettings()
        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise BaseModelError(f"no encoder at {folder}: run `waakhond models prepare-base`")
        if settings.runtime != "torch":
            return cls._onnx_from_folder(folder, settings)
        import torch

        torch.set_num_threads(settings.threads)
        device = torch_device(settings.device)
        if settings.quantize_int8 and device.type != "cpu":  # torch's dynamic int8 kernels are CPU-only
            raise BaseModelError("quantize_int8 runs on the CPU only: set classifier.device=cpu or turn it off")
        with _quiet_transformers():
            tokenizer = _load_tokenizer(folder)
            model = _load_model(folder)
        model.eval()
        model.to(device)
        encoder = cls(model, tokenizer, settings, folder, base_fingerprint(folder))
        if settings.quantize_int8:
            encoder.quantise_int8()
        return encoder

    @classmethod
    def _onnx_from_folder(cls, folder: Path, settings: ClassifierSettings) -> Encoder:
        """The encoder on ONNX Runtime: exported on first use, checked against torch on a probe."""
        from transformers import AutoConfig

        from classifier.encoding.onnx_runtime import open_session

        if settings.quantize_int8:
            raise BaseModelError("quantize_int8 is torch's int8: with an ONNX runtime use classifier.runtime=onnx-int8")
        if settings.device.startswith("cuda"):
            raise BaseModelError("the ONNX runtimes run on the CPU: set classifier.device=cpu or classifier.runtime=torch")
        with _quiet_transformers():
            tokenizer = _load_tokenizer(folder)
            config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
        fingerprint = base_fingerprint(folder)
        encoder = cls(None, tokenizer, settings, folder, fingerprint, config=config)

        def torch_model():  # only to export, once
            with _quiet_transformers():
                return _load_model(folder).eval()

        encoder.onnx = open_session(
            folder, settings.runtime, fingerprint=fingerprint, threads=settings.threads,
            probe_sequences=lambda: [encoder._with_specials(ids) for ids in encoder.token_ids(QUANTISATION_PROBE)],
            pad_id=encoder.pad_id, load_model=torch_model, min_int8_cosine=MIN_INT8_AGREEMENT,
        )
        encoder.fingerprint = encoder.onnx.fingerprint  # the base one for fp32, its own for int8
        encoder.quantised = encoder.onnx.kind == "int8"
        return encoder

    # ------------------------------------------------------------------ tokens and windows
    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def dim(self) -> int:
        return int(self.config.hidden_size)

    @property
    def runtime(self) -> str:
        return self.settings.runtime

    @property
    def pad_id(self) -> int:
        return self.tokenizer.pad_token_id or 0

    @property
    def content_budget(self) -> int:
        """Content tokens per window: max_tokens minus the specials and the prefix."""
        limit = min(self.settings.max_tokens, self.max_positions)
        return max(8, limit - 2 - len(self._prefix_ids))

    def _content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        encoded = self.tokenizer(list(texts), add_special_tokens=False, truncation=False)
        return [list(ids) for ids in encoded["input_ids"]]

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Content token ids (no prefix, no specials) of each text, cut to one window."""
        budget = self.content_budget
        return [ids[:budget] for ids in self._content_ids([t.strip() for t in texts])]

    def token_windows(self, text: str) -> list[TextWindow]:
        """Overlapping windows of at most ``content_budget`` tokens, ``window_stride_tokens`` apart."""
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, truncation=False)
        ids, offsets = list(encoded["input_ids"]), list(encoded["offset_mapping"])
        # A trailing or leading "▁" over whitespace carries nothing; dropping it keeps spans tight.
        while ids and not text[offsets[-1][0] : offsets[-1][1]].strip():
            ids, offsets = ids[:-1], offsets[:-1]
        while ids and not text[offsets[0][0] : offsets[0][1]].strip():
            ids, offsets = ids[1:], offsets[1:]
        if not ids:
            return [TextWindow((), 0, len(text))]
        budget = self.content_budget
        stride = max(1, min(self.settings.window_stride_tokens, budget))
        windows = []
        for start in window_starts(len(ids), budget, stride):
            end = min(start + budget, len(ids))
            windows.append(TextWindow(tuple(ids[start:end]), int(offsets[start][0]), int(offsets[end - 1][1])))
        return windows

    # ------------------------------------------------------------------ encoding
    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embeddings of ``texts`` (each cut to one window), shape (n, dim), float32."""
        return self.encode_ids(self.token_ids(texts), progress)

    def encode_ids(self, content_ids: Sequence[Sequence[int]], progress: Progress | None = None) -> np.ndarray:
        """Embeddings of pre-tokenised content (the prefix and specials are added here)."""
        n = len(content_ids)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        if self.onnx is None:
            import torch

            torch.set_num_threads(self.settings.threads)
        sequences = [self._with_specials(ids) for ids in content_ids]
        for batch in length_batches([len(s) for s in sequences], self.settings.batch_size):
            out[batch] = self._embed_batch([sequences[i] for i in batch])
            if progress is not None:
                progress(len(batch))
        return out

    def _embed_batch(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        ids, mask = pad_arrays(sequences, self.pad_id)
        if self.onnx is not None:
            return self.onnx.embed(ids, mask)
        import torch

        device = next(self.model.parameters()).device
        input_ids, attention = torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)
        with torch.inference_mode():
            hidden = self.model(input_ids=input_ids, attention_mask=attention).last_hidden_state
            return mean_pool_normalise(hidden, attention).float().cpu().numpy()

    def _with_specials(self, ids: Sequence[int]) -> list[int]:
        tok = self.tokenizer
        head = [tok.cls_token_id] if tok.cls_token_id is not None else []
        tail = [tok.sep_token_id] if tok.sep_token_id is not None else []
        return head + list(self._prefix_ids) + list(ids)[: self.content_budget] + tail

    # ------------------------------------------------------------------ int8
    def quantise_int8(self, probe_texts: Sequence[str] | None = None) -> QuantisationReport:
        """Dynamic int8 quantisation of the Linear layers, kept only when it agrees with float."""
        import torch
        from torch.ao.quantization import quantize_dynamic

        if self.model is None:
            raise BaseModelError("quantise_int8 is torch's: on the ONNX runtimes use classifier.runtime=onnx-int8")
        probe = list(probe_texts or QUANTISATION_PROBE)
        reference = self.encode(probe)
        float_model = self.model
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch deprecates the API in favour of torchao
            self.model = quantize_dynamic(float_model, {torch.nn.Linear}, dtype=torch.qint8)
            quantised = self.encode(probe)
        cosines = (reference * quantised).sum(axis=1)
        report = QuantisationReport(
            float(cosines.mean()), float(cosines.min()), len(probe), bool(cosines.mean() >= MIN_INT8_AGREEMENT)
        )
        if report.accepted:
            self.quantised = True
            # int8 embeddings are a different encoder for what was fitted on float ones: on the
            # mixed-length bench the shipped head kept only 84 % of its flags. So heads, claim
            # vectors and calibrations made with the float encoder are refused, not silently mixed.
            self.fingerprint = f"{self.fingerprint}{INT8_SUFFIX}"
        else:
            self.model = float_model
        self.quantisation = report
        return report


def torch_device(name: str):
    """The torch device for the ``device`` setting; ``auto`` is CUDA when torch sees a GPU."""
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise BaseModelError(f"device {name!r}: this torch build sees no GPU (install a CUDA build of torch)")
    return torch.device(name)


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the missing pooler is expected: we mean-pool
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()


def _load_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    # We cut texts into windows ourselves; the length warning would only be noise.
    tokenizer.model_max_length = 1 << 30
    return tokenizer


def _load_model(folder: Path):
    from transformers import AutoModel

    try:
        return AutoModel.from_pretrained(str(folder), local_files_only=True, add_pooling_layer=False)
    except TypeError:  # a model class without a pooler option
        return AutoModel.from_pretrained(str(folder), local_files_only=True)


def window_starts(n_tokens: int, budget: int, stride: int) -> list[int]:
    """Start positions of the fewest windows of ``budget`` tokens that cover ``n_tokens`` with
    steps of at most ``stride``: the first starts at 0, the last ends at the end, evenly spread."""
    if n_tokens <= budget:
        return [0]
    span = n_tokens - budget
    steps = -(-span // stride)  # ceil
    return [round(i * span / steps) for i in range(steps + 1)]


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first), so padding stays small."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _pad(sequences: Sequence[Sequence[int]], pad_id: int):
    """torch tensors (input_ids, attention_mask), for training and the bench's bare forward pass."""
    import torch

    ids, mask = pad_arrays(sequences, pad_id)
    return torch.from_numpy(ids), torch.from_numpy(mask)


#: Sentences used to measure int8 agreement (Dutch policy news and posts, written for this).
QUANTISATION_PROBE = (
    "Het kabinet verhoogt de huurtoeslag per 1 januari.",
    "De stikstofregels zijn bedoeld om boeren van hun land te verdrijven.",
    "Gemeenten moeten meer asielzoekers opvangen, zegt de staatssecretaris.",
    "Met de digitale euro kan de overheid al je uitgaven controleren.",
    "Het RIVM meldt dat de vaccinatiegraad licht is gedaald.",
    "De Tweede Kamer stemt volgende week over het klimaatfonds.",
    "Ik vind het nieuwe belastingplan oneerlijk voor middeninkomens.",
    "Stembiljetten worden na de verkiezingen in het geheim vernietigd om fraude te verbergen.",
)
