"""Helpers of the pipeline tests: settings around the tiny encoder, a trained tiny version,
items in the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from classifier.encoding.encoder import Encoder
from classifier.scoring.heads import fit_head
from classifier.settings import ClassifierSettings
from classifier.versions import write_version_folder
from storage.schema import Item, Source, utcnow
from waakhond.settings import Settings

# Constructed for these tests: "signal" texts share words the tiny encoder sees as tokens.
POSITIVE = [
    "Het geheim plan van de elite: de overheid wil alles controleren met digitale euro.",
    "Nep nieuws van de regering: het vaccin is een geheim plan tegen iedereen.",
    "De elite wil de boeren weg, stikstof is een verborgen plan van de overheid.",
    "Geheim plan: de regering wil contant geld verbieden, de elite wil alles weten.",
    "Verkiezingen zijn nep, de stembus fraude is een geheim plan van de elite.",
    "Het verborgen plan: asielzoekers krijgen alles, de elite wil het zo.",
    "De overheid liegt, het klimaat is een geheim plan van de elite voor geld.",
    "Nooit meer cash: de banken en de elite hebben een geheim plan met de euro.",
]
NEGATIVE = [
    "Het kabinet heeft besloten de huurtoeslag volgend jaar te verhogen.",
    "De gemeente bouwt dit jaar meer woningen, meldt het rapport.",
    "Volgens onderzoek blijken de prijzen van energie te dalen.",
    "De minister zegt dat scholen meer leraren krijgen.",
    "De Tweede Kamer stemt morgen over het plan voor de zorg.",
    "Het rapport meldt dat de opvang van asielzoekers beter moet.",
    "De regering maakt extra geld vrij voor defensie en Oekraïne.",
    "Cijfers van het onderzoek: de belasting op gas gaat omhoog.",
]

TOPICS_TOML = """
[[topic]]
slug = "digitaal-geld"
name = "Digitale overheid en geld"
name_en = "Digital government and money"
description = "De digitale euro, contant geld, pinnen en banken."
ministry = "Financiën"
keywords = ["digitale euro", "contant", "cash", "pinnen"]
priority = 4

[[topic]]
slug = "wonen"
name = "Wonen"
description = "Huren, huurtoeslag, woningbouw en woningen."
ministry = "Volkshuisvesting"
keywords = ["huur", "woning"]
priority = 2

[[topic]]
slug = "stikstof"
name = "Stikstof en landbouw"
description = "Stikstof, boeren, landbouw en natuur."
ministry = "Landbouw"
keywords = ["stikstof", "boer"]
priority = 3
"""


def tiny_app_settings(tmp_path: Path, tiny_folder: Path, tiny_settings: ClassifierSettings) -> Settings:
    classifier = tiny_settings.model_copy(update={"base_model_path": tiny_folder, "items_per_batch": 3})
    return Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "models", classifier=classifier)


def write_tiny_version(settings: Settings, encoder: Encoder, name: str = "tiny-v1", *, default: bool = True,
                       target_precision: float | None = 0.8, seed: int = 1) -> Path:
    texts = POSITIVE + NEGATIVE
    labels = np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE))
    trained = fit_head(encoder.encode(texts), labels, target_precision=target_precision, seed=seed)
    return write_version_folder(
        Path(settings.model_dir) / name, name=name, task="disinformation", trained=trained, encoder=encoder,
        training={"fingerprint": "test"}, default=default,
    )


def add_items(session, texts: list[tuple[str, str, str | None]], *, language: str | None = "nl",
              collected_at: datetime | None = None, to_classify: bool = False) -> list[int]:
    """(title, summary, body) per item; returns their ids."""
    source = session.query(Source).filter_by(url="https://feed.example/rss").one_or_none()
    if source is None:
        source = Source(url="https://feed.example/rss", name="Voorbeeldfeed")
        session.add(source)
        session.flush()
    ids = []
    start = session.query(Item).count()
    for offset, (title, summary, body) in enumerate(texts):
        item = Item(
            source_id=source.id, entry_key=f"e{start + offset}", title=title, summary=summary, body_text=body,
            language=language, content_hash=f"h{start + offset}", to_classify=to_classify,
            collected_at=collected_at or utcnow() - timedelta(minutes=offset),
        )
        session.add(item)
        session.flush()
        ids.append(item.id)
    return ids
