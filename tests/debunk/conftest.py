"""The encoders of the classifier tests, reused: the real e5 encoder (cached under
var/test-cache) and the tiny random BERT for pipeline tests."""

from tests.classifier.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    real_encoder,
    real_encoder_folder,
    tiny_encoder,
    tiny_folder,
    tiny_settings,
)
