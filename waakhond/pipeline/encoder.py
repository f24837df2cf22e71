"""The classifier's encoder for this process, loaded once and shared by the ``classify`` and
``match`` steps (and by every later run of them)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from waakhond.context import AppContext

if TYPE_CHECKING:
    from classifier.encoding import Encoder

_encoders: dict[str, Encoder] = {}
_encoder_lock = threading.Lock()


def shared_encoder(app: AppContext) -> Encoder:
    """The classifier's encoder for this process, loaded on first use."""
    from classifier.encoding import Encoder
    from classifier.scoring import ensure_base_model

    folder = ensure_base_model(app.settings)
    key = str(folder.resolve())
    with _encoder_lock:
        if key not in _encoders:
            _encoders[key] = Encoder.from_folder(folder, app.settings.classifier)
        return _encoders[key]
