"""The Verhalen page and Overzicht's rising-narratives panel, through the real entry script."""

from __future__ import annotations

from datetime import timedelta

import pytest

import storage
from classifier.narratives.clustering import vector_to_bytes
from storage.repositories import narratives as repo
from storage.schema import utcnow
from tests.dashboard.conftest import (  # noqa: F401  (fixtures by name)
    app_env,
    make_app,
    password_hash,
    seeded,
    texts,
)
from tests.narratives import rows

HOSTILE = '<script>alert("x")</script> Boeren onteigend'


@pytest.fixture
def narrative(db, seeded):  # noqa: F811
    now = utcnow()
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        feeds = [rows.source(s, n) for n in ("wakker", "regio", "forum")]
        items = [rows.item(s, feeds[i % 3], version, now - timedelta(hours=i * 3), rows.direction(1),
                           title=HOSTILE if i == 0 else f"Bericht {i}", evidence="Boeren worden onteigend voor azc's.")
                 for i in range(5)]
        check = rows.fact_check(s, "Boeren worden onteigend voor azc's", "false", url="https://factcheck.example.org/boer")
        rows.claim_match(s, items[1], check)
        row = repo.create_narrative(s, now)
        repo.add_members(s, row.id, [(i.id, 0.9) for i in items], now)
        repo.apply_summary(s, row.id, repo.SummaryValues(
            vector_to_bytes(rows.direction(1)), items[0].id, "Boeren worden onteigend voor azc's.", HOSTILE,
            ["stikstof-landbouw"], {}))
        return row.id, [i.id for i in items]


def test_viewer_sees_the_timeline_and_the_list(make_app, narrative):  # noqa: F811
    at = make_app("viewer", "verhalen")
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Verhalen"]
    table = at.dataframe[0].value
    assert HOSTILE in table.iloc[:, 0].tolist()  # as a cell of text, never as HTML
    assert f"?page=verhalen&verhaal={narrative[0]}" in table.iloc[:, -1].tolist()


def test_a_narrative_shows_its_claim_debunks_guidance_and_items(make_app, narrative):  # noqa: F811
    nid, item_ids = narrative
    at = make_app("viewer", "verhalen", verhaal=str(nid))
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Boeren worden onteigend voor azc&#x27;s." in shown or "Boeren worden onteigend voor azc's." in shown
    assert "https://factcheck.example.org/boer" in shown and "isdatechtzo.nl" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "Berichten=5" in shown and "Bronnen=3" in shown
    members = at.dataframe[-1].value
    assert sorted(members.iloc[:, -1].tolist()) == sorted(f"?page=signalen&item={i}" for i in item_ids)


def test_unknown_narrative_and_overzicht_panel(make_app, narrative):  # noqa: F811
    at = make_app("viewer", "verhalen", verhaal="999999")
    at.run()
    assert not at.exception and "999999" in texts(at)
    overview = make_app("viewer", "overzicht")
    overview.run()
    assert not overview.exception, overview.exception
    assert "Snelst groeiende verhalen" in texts(overview)
    assert any(HOSTILE in df.value.iloc[:, 0].tolist() for df in overview.dataframe if len(df.value.columns) == 6)


def test_without_login_the_page_shows_nothing(make_app, narrative):  # noqa: F811
    at = make_app(None, "verhalen")
    at.run()
    assert not at.exception
    assert "Verhalen" not in [t.value for t in at.title] and not at.dataframe  # the login form only
