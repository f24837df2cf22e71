"""One dashboard text in both languages, Dutch first."""

from __future__ import annotations


def message(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}
