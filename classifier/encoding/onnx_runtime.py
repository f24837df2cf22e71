"""The encoder on ONNX Runtime: ``classifier.runtime = "onnx"`` (fp32) or ``"onnx-int8"``.

    export once   the torch model followed by mean pooling and L2 normalisation (the code of
                  classifier/encoding/pooling.py, which the torch path runs too) -> ONNX through torch's
                  TorchScript exporter (opset 17, dynamic batch and sequence axes)
                  -> <encoder folder>/onnx/encoder-<digest of the fingerprint>-v<N>.onnx
    int8 once     onnxruntime.quantization.quantize_dynamic(per_channel=True, QInt8 weights,
                  reduce_range=True) of the fp32 file -> ...-int8q<M>.onnx
    metadata      both files carry the base fingerprint, the export version and a probe: the
                  token ids of a few texts and torch fp32's embeddings of them
    open          an InferenceSession (ORT_ENABLE_ALL, ``threads`` intra-op threads); the
                  metadata must name the folder's fingerprint, and the probe is run again:
                  fp32 must reach cosine >= 0.9999 on every probe text, and then keeps the base
                  fingerprint (it computes the same function as torch); int8 must reach the mean
                  cosine torch's int8 needs, and gets its own fingerprint (``ONNX_INT8_SUFFIX``),
                  so heads fitted on float embeddings refuse it, as they refuse torch's int8

The cache is a sub-folder of the encoder folder: it is not part of a folder's fingerprint (only
files directly in the folder are), and it goes when the folder is rebuilt. Where the folder is
read-only, the user's cache folder holds it (the names carry the fingerprint, so encoders never
share a file). Files are written to a temporary name and renamed under a file lock, so parallel
workers export once.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.encoding.base_model import BaseModelError
from classifier.encoding.pooling import mean_pool_normalise, pad_arrays

#: Bumped when the export's graph or metadata change: old files are then not reused.
EXPORT_VERSION = 1
#: Bumped when the int8 quantisation's parameters change (2: reduce_range, 7-bit weights). On
#: AVX2 without VNNI the u8 x s8 kernels saturate 16-bit sums; with 7-bit weights they do not:
#: on the 400-item bench mean cosine to fp32 0.9961 instead of 0.9952, and the shipped head's flags
#: 97.8 % instead of 96.8 % (the embedding-only seed head 95.3 % instead of 92.3 %), same speed.
QUANTISE_VERSION = 2
OPSET = 17
#: ORT fp32 is the torch function on another runtime: it must agree to rounding on every probe text.
MIN_FP32_COSINE = 0.9999
ONNX_INT8_SUFFIX = "+onnx-int8-per-channel"
RUNTIMES = {"onnx": "fp32", "onnx-int8": "int8"}
CACHE_SUBFOLDER = "onnx"
_META = "waakhond."


class OnnxRuntimeError(BaseModelError):
    """The ONNX encoder cannot be exported, loaded or trusted (its embeddings differ from torch's).
    A BaseModelError (so a ClassifierError): wherever an encoder that cannot load is handled, so is this."""


@dataclass(frozen=True)
class ProbeReport:
    """How the ONNX encoder's embeddings of the probe compare with torch fp32's."""

    kind: str
    mean_cosine: float
    min_cosine: float
    n_texts: int
    accepted: bool


class OnnxSession:
    """One ONNX encoder: padded token ids and mask in, L2-normalised mean-pooled embeddings out."""

    def __init__(self, session, kind: str, path: Path, fingerprint: str, report: ProbeReport):
        self.session = session
        self.kind = kind
        self.path = path
        self.fingerprint = fingerprint
        self.report = report

    def embed(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        return _embed(self.session, input_ids, attention_mask)


def _embed(session, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    feeds = {"input_ids": np.ascontiguousarray(input_ids, dtype=np.int64),
             "attention_mask": np.ascontiguousarray(attention_mask, dtype=np.int64)}
    return np.asarray(session.run(["embedding"], feeds)[0], dtype=np.float32)


def export_names(fingerprint: str) -> dict[str, str]:
    """File names of the fp32 and int8 exports of the encoder with ``fingerprint``."""
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    stem = f"encoder-{digest}-v{EXPORT_VERSION}"
    return {"fp32": f"{stem}.onnx", "int8": f"{stem}-int8q{QUANTISE_VERSION}.onnx"}


def cache_dir(folder: Path, name: str) -> Path:
    """Where the export ``name`` of the encoder in ``folder`` is (or is to be written)."""
    beside = Path(folder) / CACHE_SUBFOLDER
    if (beside / name).is_file():
        return beside
    try:
        beside.mkdir(exist_ok=True)
        if os.access(beside, os.W_OK):
            return beside
    except OSError:
        pass
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "waakhond" / CACHE_SUBFOLDER


def open_session(
    folder: Path,
    runtime: str,
    *,
    fingerprint: str,
    threads: int,
    probe_sequences: Callable[[], Sequence[Sequence[int]]],
    pad_id: int,
    load_model: Callable[[], object],
    min_int8_cosine: float,
) -> OnnxSession:
    """The ONNX encoder of ``folder`` for ``runtime`` ("onnx" or "onnx-int8"), exported first if
    no export of this fingerprint is cached. ``load_model`` gives the torch model (only called to
    export); ``probe_sequences`` the full token ids (specials, prefix) of the probe texts."""
    if runtime not in RUNTIMES:
        raise OnnxRuntimeError(f"unknown ONNX runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
    kind = RUNTIMES[runtime]
    names = export_names(fingerprint)
    path = ensure_export(folder, kind, fingerprint, probe_sequences, pad_id, load_model)
    session = _session(path, threads)
    meta = session.get_modelmeta().custom_metadata_map
    if meta.get(_META + "base_fingerprint") != fingerprint or meta.get(_META + "kind") != kind:
        raise OnnxRuntimeError(
            f"{path} was exported for encoder {meta.get(_META + 'base_fingerprint')!r} ({meta.get(_META + 'kind')}), "
            f"not for {fingerprint!r} ({kind}): delete it, it is rebuilt on the next start"
        )
    sequences, reference = _probe_from(meta)
    ids, mask = pad_arrays(sequences, pad_id)
    cosines = (reference * _embed(session, ids, mask)).sum(axis=1)
    mean, low = float(cosines.mean()), float(cosines.min())
    accepted = low >= MIN_FP32_COSINE if kind == "fp32" else mean >= min_int8_cosine
    report = ProbeReport(kind, mean, low, len(sequences), bool(accepted))
    if not accepted:
        need = f"min cosine {MIN_FP32_COSINE}" if kind == "fp32" else f"mean cosine {min_int8_cosine}"
        raise OnnxRuntimeError(
            f"the ONNX {kind} encoder ({names[kind]}) disagrees with torch on the probe (mean cosine {mean:.5f}, "
            f"min {low:.5f}; needed: {need}): set classifier.runtime = \"torch\""
        )
    own = fingerprint if kind == "fp32" else f"{fingerprint}{ONNX_INT8_SUFFIX}"
    return OnnxSession(session, kind, path, own, report)


def ensure_export(
    folder: Path, kind: str, fingerprint: str, probe_sequences, pad_id: int, load_model
) -> Path:
    """The cached export of ``kind`` ("fp32" or "int8"), written first if missing."""
    names = export_names(fingerprint)
    where = cache_dir(folder, names[kind])
    target = where / names[kind]
    if target.is_file():
        return target
    with _file_lock(where / ".export.lock"):
        if target.is_file():  # another process wrote it while we waited
            return target
        fp32 = where / names["fp32"]
        if not fp32.is_file():
            export_fp32(load_model(), probe_sequences(), pad_id, fingerprint, fp32)
        if kind == "int8":
            quantise_export(fp32, target)
    return target


def export_fp32(model, probe_sequences: Sequence[Sequence[int]], pad_id: int, fingerprint: str, target: Path) -> Path:
    """Export ``model`` (a transformers encoder) with pooling to ``target``, with the probe."""
    import onnx
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool_normalise(hidden, attention_mask)

    wrapper = Pooled(model).eval()  # eval on the wrapper: the exporter restores every module's mode to it
    sequences = [list(s) for s in probe_sequences]
    ids, mask = pad_arrays(sequences, pad_id)
    with torch.inference_mode():
        reference = wrapper(torch.from_numpy(ids), torch.from_numpy(mask)).float().numpy()
    # the traced example has a padded row, so the attention mask's path is part of the graph
    first = sequences[0]
    example = pad_arrays([first, first[: max(1, len(first) // 2)]], pad_id)
    buffer = io.BytesIO()
    axes = {"batch": 0, "sequence": 1}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        try:
            torch.onnx.export(
                wrapper, tuple(torch.from_numpy(a) for a in example), buffer,
                input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                dynamic_axes={"input_ids": {v: k for k, v in axes.items()},
                              "attention_mask": {v: k for k, v in axes.items()}, "embedding": {0: "batch"}},
                opset_version=OPSET, do_constant_folding=True, dynamo=False,
            )
        except Exception as exc:  # the exporter raises many kinds; all mean "no export"
            raise OnnxRuntimeError(f"could not export the encoder to ONNX: {exc}") from exc
    proto = onnx.load_from_string(buffer.getvalue())
    _set_metadata(proto, {
        "base_fingerprint": fingerprint, "export_version": str(EXPORT_VERSION), "kind": "fp32",
        "torch_version": torch.__version__, "probe": _probe_json(sequences, reference),
    })
    _save_atomically(lambda path: onnx.save(proto, str(path)), target)
    return target


def quantise_export(fp32: Path, target: Path) -> Path:
    """Dynamic int8 (per-channel QInt8 weights, 7-bit range) of the fp32 export, with its metadata."""
    import onnx
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def write(path: Path) -> None:
        raw = Path(f"{path}.raw.onnx")
        try:
            with _without_log_message("pre-processing before quantization"):  # ORT's advice for static quantisation
                quantize_dynamic(str(fp32), str(raw), per_channel=True, reduce_range=True,
                                 weight_type=QuantType.QInt8)
            proto = onnx.load(str(raw))
        finally:
            raw.unlink(missing_ok=True)
        meta = {p.key: p.value for p in onnx.load(str(fp32), load_external_data=False).metadata_props}
        meta.update({_META + "kind": "int8", _META + "quantised_by": f"onnxruntime {onnxruntime.__version__}",
                     _META + "quantisation": f"dynamic, per-channel QInt8, reduce_range, q{QUANTISE_VERSION}"})
        del proto.metadata_props[:]
        _set_metadata(proto, {k[len(_META):]: v for k, v in meta.items() if k.startswith(_META)})
        onnx.save(proto, str(path))

    _save_atomically(write, target)
    return target


def _session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # no busy-waiting between ops: on 2 shared cores a spinning pool takes the CPU the other half of
    # the batch (and the other services) need; measured 7.8 vs 6.7 items/s with it on, under load
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: ORT's warnings about unused initialisers are noise
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT's own exception types are not part of its public API
        raise OnnxRuntimeError(f"cannot load the ONNX encoder {path}: {exc}; delete it to export again") from exc


def _set_metadata(proto, values: dict[str, str]) -> None:
    for key, value in values.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = _META + key, value


def _probe_json(sequences: list[list[int]], reference: np.ndarray) -> str:
    data = np.ascontiguousarray(reference, dtype="<f4")
    return json.dumps({"sequences": sequences, "shape": list(data.shape),
                       "reference_f32_b64": base64.b64encode(data.tobytes()).decode()})


def _probe_from(meta: dict[str, str]) -> tuple[list[list[int]], np.ndarray]:
    try:
        probe = json.loads(meta[_META + "probe"])
        raw = base64.b64decode(probe["reference_f32_b64"])
        reference = np.frombuffer(raw, dtype="<f4").reshape(probe["shape"]).astype(np.float32)
        return [list(map(int, s)) for s in probe["sequences"]], reference
    except (KeyError, ValueError, TypeError) as exc:
        raise OnnxRuntimeError(f"the ONNX encoder's probe is missing or broken ({exc}): delete the file") from exc


def _save_atomically(write: Callable[[Path], None], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp creates private files
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _without_log_message(fragment: str) -> Iterator[None]:
    root = logging.getLogger()
    drop = logging.Filter()
    drop.filter = lambda record: fragment not in record.getMessage()  # type: ignore[method-assign]
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
