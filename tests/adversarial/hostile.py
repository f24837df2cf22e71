"""Hostile content: feeds, a fact-check page and database rows that try to inject script,
links and markup, served from a local feed server and collected by the real collector.

``collect_hostile`` collects them into a database; ``add_raw_hostile_rows`` writes rows as a
careless import or an older version might have stored them (a ``javascript:`` URL, raw HTML
titles), so that rendering is tested even for what the collector would never store."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.sax.saxutils import escape

from sqlalchemy import select

import storage
from storage.schema import Classification, FactCheck, Item, ModelVersion, PolicyTopic, Source, utcnow
from tests.collector.conftest import add_source, run_collect
from tests.support.feed_server import FeedServer, Route, rss_feed
from waakhond.pipeline import with_claim_review_processor

#: Marker every hostile text carries, so tests can find what reached the page.
MARK = "WKH-INJECT"
TEN_MB = 10 * 1024 * 1024


def hostile_texts(beacon: str) -> list[str]:
    """Titles and texts that try script, event handlers, Markdown links/images and spoofing."""
    return [
        f'<script>alert("{MARK}-script")</script> Stikstof {MARK}',
        f'<img src=x onerror="alert(\'{MARK}-img\')"> Woningmarkt {MARK}',
        f"[Klik {MARK}](javascript:alert('{MARK}-md')) en ![beacon]({beacon}/md-image.png)",
        f'<a href="javascript:alert(1)">{MARK} html-link</a> <b onmouseover=alert(1)>vet</b>',
        f"**{MARK}** <iframe src=\"{beacon}/iframe\"></iframe> <svg onload=alert(1)></svg>",
        f"Bericht {MARK} \u202egnipmeohcs\u202c met \u200bnul\u200bbreedte\ufeff tekens",
        f"<style>@import '{beacon}/css';</style> {MARK} <link rel=stylesheet href={beacon}/link.css>",
        f'{MARK} <object data="{beacon}/object"></object> <video poster="{beacon}/poster.png"></video>',
    ]


def hostile_links(beacon: str) -> list[str]:
    return [
        "javascript:alert('link')",
        "JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        " \tjavascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        f"https://user:pw@{beacon.split('//', 1)[1]}/creds",
        "https://exa\u202emple.org/",
    ]


def hostile_rss(beacon: str) -> bytes:
    texts = hostile_texts(beacon)
    links = hostile_links(beacon)
    return rss_feed([
        {"guid": f"rss-{i}", "title": text, "link": links[i % len(links)],
         "description": f"<p>{text}</p><p>De minister zegt dat {MARK} alles verbiedt.</p>"}
        for i, text in enumerate(texts)
    ], title=f"<script>alert(1)</script>{MARK} feed")


def hostile_atom(beacon: str) -> bytes:
    entries = "".join(
        f"<entry><id>atom-{i}</id><title type=\"html\">{escape(text)}</title>"
        f"<link href=\"{quoteattr_inner(link)}\"/><updated>2026-01-0{i % 9 + 1}T10:00:00Z</updated>"
        f"<content type=\"html\">{escape(text)}</content></entry>"
        for i, (text, link) in enumerate(zip(hostile_texts(beacon), hostile_links(beacon), strict=False))
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>atom</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>{entries}</feed>").encode()


def quoteattr_inner(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def hostile_json_feed(beacon: str) -> bytes:
    items = [
        {"id": f"json-{i}", "title": text, "url": link, "content_html": text, "image": link,
         "attachments": [{"url": link, "mime_type": "audio/mpeg"}]}
        for i, (text, link) in enumerate(zip(hostile_texts(beacon), hostile_links(beacon), strict=False))
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "json", "items": items}).encode()


def huge_title_feed() -> bytes:
    return rss_feed([{"guid": "huge", "title": MARK + " " + "A" * TEN_MB, "link": "https://huge.example/1",
                      "description": "Een gewone tekst."}])


def claim_review_page(beacon: str) -> bytes:
    review = {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": "javascript:alert('factcheck')",
        "claimReviewed": f"<script>alert(1)</script> {MARK} de minister verbiedt alles",
        "itemReviewed": {"@type": "Claim", "appearance": [{"url": "data:text/html,x"}, {"url": f"{beacon}/ok"}]},
        "reviewRating": {"@type": "Rating", "alternateName": f"Onwaar <img src=x onerror=alert(1)> {MARK}"},
        "author": {"@type": "Organization", "name": f"Checker {MARK}"},
    }
    return (f"<html><head><title>{MARK}</title><script type=\"application/ld+json\">{json.dumps(review)}"
            "</script></head><body><h1>Check</h1></body></html>").encode()


def collect_hostile(db, server: FeedServer, beacon: str, huge: bool = True) -> dict[str, int]:
    """Serve and collect every hostile feed; returns source ids by name."""
    sources = {
        "rss": add_source(db, server.route("/hostile.rss", Route(body=hostile_rss(beacon))), name=f"<b>{MARK}</b> rss"),
        "atom": add_source(db, server.route("/hostile.atom", Route(body=hostile_atom(beacon),
                                                                  content_type="application/atom+xml"))),
        "json": add_source(db, server.route("/hostile.json", Route(body=hostile_json_feed(beacon),
                                                                  content_type="application/feed+json"))),
    }
    server.route("/check/1", Route(body=claim_review_page(beacon), content_type="text/html; charset=utf-8"))
    checks = rss_feed([{"guid": "check-1", "title": f"Check {MARK}", "link": server.url("/check/1")}])
    sources["factcheck"] = add_source(db, server.route("/checks.rss", Route(body=checks)), kind="factcheck")
    if huge:
        sources["huge"] = add_source(db, server.route("/huge.rss", Route(body=huge_title_feed())))
    run_collect(db, processors=with_claim_review_processor(_processors()), max_response_bytes=TEN_MB + 1_000_000)
    return sources


def _processors():
    from collector.pages import PageProcessors

    return PageProcessors()


def flag_everything(db) -> None:
    """Score every collected news item as flagged, as a classifier would, with the hostile text
    as its evidence sentence: the dashboard shows flagged items in the most places."""
    with storage.transaction(db.sessions) as session:
        model = session.scalar(select(ModelVersion).where(ModelVersion.status == "active"))
        if model is None:
            model = ModelVersion(name="hostile-v1", base_model="e5", path="models/x", threshold=0.5, status="active",
                                 promoted_at=utcnow() - timedelta(days=1))
            session.add(model)
            session.flush()
        scored = set(session.scalars(select(Classification.item_id)))
        for item in session.scalars(select(Item)):
            if item.id in scored:
                continue
            text = item.body_text or item.summary or item.title
            session.add(Classification(item_id=item.id, model_version_id=model.id, score=0.91, label="x", flagged=True,
                                       flag_reasons=["classifier"], evidence_text=text[:300], evidence_start=0,
                                       evidence_end=min(len(text), 300), created_at=item.collected_at))


def add_raw_hostile_rows(db, beacon: str) -> list[int]:
    """Rows as a careless writer would store them: raw HTML titles and script URLs."""
    now = utcnow()
    ids = []
    with storage.transaction(db.sessions) as session:
        source = Source(url="https://raw.example/rss", name=f"<img src=x onerror=alert(1)>{MARK}", language="nl")
        session.add(source)
        topic = session.scalar(select(PolicyTopic)) or PolicyTopic(slug="stikstof", name="Stikstof", ministry="LVVN")
        session.add(topic)
        session.flush()
        for n, (text, link) in enumerate(zip(hostile_texts(beacon), hostile_links(beacon), strict=False)):
            item = Item(source_id=source.id, entry_key=f"raw-{n}", title=text, summary=text, body_text=text,
                        url=link, language="nl", content_hash=f"raw{n}", collected_at=now - timedelta(minutes=n + 1))
            session.add(item)
            session.flush()
            ids.append(item.id)
        session.add(FactCheck(publisher=f"<script>alert(1)</script>{MARK}", url="javascript:alert('fc')",
                              claim_key="raw", claim_reviewed=hostile_texts(beacon)[2], rating="false",
                              rating_text=hostile_texts(beacon)[1], language="nl"))
    return ids
