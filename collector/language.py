"""Language of an item (py3langid), with the feed's declared language as a tie-breaker for
texts too short or too ambiguous to judge."""

from __future__ import annotations

import threading

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this many letters py3langid is guessing (a four-word headline can come out as 'af').
MIN_LETTERS = 20
# Letters are counted in this prefix only: enough to tell a text from a number or a URL.
LETTER_CHECK_CHARS = 200
# Below this normalised probability the declared language (if any) is trusted instead.
MIN_CONFIDENCE = 0.6
# Only the start of long texts is read: language does not change mid-article, time does.
MAX_CHARS = 2000


_loaded: LanguageIdentifier | None = None
# Feeds are prepared on several threads at once; the model (half a second to load) must be
# loaded by one of them, not by all.
_loading = threading.Lock()


def _identifier() -> LanguageIdentifier:
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _loaded


def primary_subtag(tag: str | None) -> str | None:
    """'nl-NL' / 'nl_be' -> 'nl'."""
    if not tag or not tag.strip():
        return None
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()[:8] or None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``; the hint decides when the text says too little."""
    hint = primary_subtag(hint)
    sample = text[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample[:LETTER_CHECK_CHARS]) < MIN_LETTERS:
        return hint
    language, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE and hint:
        return hint
    return language


def should_classify(language: str | None, classify_languages: list[str]) -> bool:
    return language is not None and language in classify_languages
