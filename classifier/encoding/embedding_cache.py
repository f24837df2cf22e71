"""A file cache of text embeddings, so that training and benchmarks re-encode nothing.

One ``.npz`` file per encoder identity (weights fingerprint, prefix, window size) under a
cache folder; keys are sha256 of the text. Writes are atomic (temp file, rename) under a
file lock, so parallel processes never leave a half-written file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.encoding.encoder import Encoder, Progress


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    def __init__(self, folder: Path, encoder: Encoder):
        self.encoder = encoder
        identity = f"{encoder.fingerprint}|{encoder.settings.text_prefix}|{encoder.content_budget}"
        name = hashlib.sha256(identity.encode()).hexdigest()[:24]
        self.path = Path(folder) / f"embeddings-{name}.npz"
        self._vectors: dict[bytes, np.ndarray] | None = None

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.is_file():
                with np.load(self.path) as data:
                    keys, vectors = data["keys"], data["vectors"]
                    self._vectors = {bytes(k): v for k, v in zip(keys, vectors, strict=True)}
        return self._vectors

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embeddings of ``texts``: cached ones looked up, the rest encoded and stored."""
        vectors = self._load()
        keys = [text_key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in vectors and key not in missing:
                missing[key] = text
        if progress is not None and len(texts) - len(missing):
            progress(len(texts) - len(missing))
        if missing:
            new = self.encoder.encode(list(missing.values()), progress)
            vectors.update(zip(missing.keys(), new, strict=True))
            self._save()
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([vectors[k] for k in keys]).astype(np.float32)

    def _save(self) -> None:
        vectors = self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / f".{self.path.name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.path.is_file():  # keep what another process added meanwhile
                with np.load(self.path) as data:
                    for k, v in zip(data["keys"], data["vectors"], strict=True):
                        vectors.setdefault(bytes(k), v)
            keys = np.array(list(vectors.keys()), dtype="S32")
            matrix = np.stack(list(vectors.values())).astype(np.float32)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
            os.close(fd)
            np.savez(tmp, keys=keys, vectors=matrix)
            os.replace(tmp, self.path)
