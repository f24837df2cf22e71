"""Hostile feeds through the real collector, then a scan of the whole database: no stored link
(items.url, items.canonical_url, fact_checks.url, fact-check appearances, sources.url) other
than a clean http(s) URL; the items themselves are kept, and the dropped links are noted on
their fetch runs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from collector.normalize import MAX_TITLE_CHARS
from storage.schema import FactCheck, FetchRun, Item, Source
from storage.urls import web_url
from tests.adversarial.hostile import MARK, collect_hostile, hostile_texts
from tests.support.feed_server import FeedServer


@pytest.fixture
def collected(db):
    with FeedServer() as server:
        beacon = server.url("").rstrip("/")
        sources = collect_hostile(db, server, beacon)
        yield sources, server


def scan_links(db) -> list[tuple[str, object]]:
    """Every stored link that is not a clean http(s) URL, as (column, value)."""
    bad = []
    with db.read_sessions() as session:
        for column in (Item.url, Item.canonical_url, FactCheck.url, Source.url):
            for value in session.scalars(select(column).where(column.is_not(None))):
                if web_url(value) != value:
                    bad.append((str(column), value))
        for appearances in session.scalars(select(FactCheck.appearances)):
            bad += [("fact_checks.appearances", a) for a in appearances or [] if web_url(a) != a]
    return bad


def test_hostile_feeds_keep_their_items_but_no_link_that_is_not_http(db, collected):
    sources, _ = collected
    assert scan_links(db) == []
    with db.read_sessions() as session:
        runs = {r.source_id: r for r in session.scalars(select(FetchRun))}
        assert {name: runs[i].status for name, i in sources.items()} == dict.fromkeys(sources, "ok")
        per_source = dict(session.execute(select(Item.source_id, func.count(Item.id)).group_by(Item.source_id)).all())
        for name in ("rss", "atom", "json"):
            assert per_source[sources[name]] == len(hostile_texts("x")), name  # every item kept
            note = runs[sources[name]].error_message or ""
            assert note.startswith("dropped ") and "javascript" in note, (name, note)
        urls = session.scalars(select(Item.url).where(Item.source_id == sources["rss"])).all()
        assert None in urls  # the script links are gone, not rewritten into something else


def test_the_fact_check_keeps_only_web_urls(db, collected):
    with db.read_sessions() as session:
        [check] = session.scalars(select(FactCheck)).all()
    assert check.url.endswith("/check/1") and web_url(check.url) == check.url
    assert [a for a in check.appearances if "data:" in a] == []


def test_a_ten_megabyte_title_is_cut(db, collected):
    sources, _ = collected
    with db.read_sessions() as session:
        [title] = session.scalars(select(Item.title).where(Item.source_id == sources["huge"])).all()
    assert title.startswith(MARK) and len(title) == MAX_TITLE_CHARS and title.endswith("…")
