"""The Atom feed: parsed back by feedparser, carrying each signal's evidence sentence and its
debunk links; hostile text escaped, only http(s) links, XML-invalid characters dropped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser

from api.feed import ATOM_NS, FeedEntry, FeedLink, FeedMeta, atom_feed
from tests.api.conftest import EVIDENCE, FACT_CHECK_URL, HOSTILE_URL, bearer

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _entry(**changes) -> FeedEntry:
    values = dict(item_id=1, title="Titel", url="https://nos.example/1", source_name="NOS", published=NOW, updated=NOW,
                  score=0.9, evidence=EVIDENCE, topics=["stikstof"],
                  debunks=[FeedLink(FACT_CHECK_URL, "Nieuwscheckers: Onwaar")], guidance=[])
    values.update(changes)
    return FeedEntry(**values)


def test_a_built_feed_parses_back_with_evidence_and_debunk_links():
    meta = FeedMeta("urn:waakhond:signals:test", "Signalen", "https://waakhond.example/api/v1/feeds/signals.atom", NOW)
    parsed = feedparser.parse(atom_feed(meta, [_entry()]))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    (entry,) = parsed.entries
    assert entry.summary == EVIDENCE and EVIDENCE in entry.content[0].value
    assert {link.href for link in entry.links if link.rel == "related"} == {FACT_CHECK_URL}
    assert entry.link == "https://nos.example/1" and entry.tags[0].term == "stikstof"


def test_hostile_text_is_escaped_and_bad_links_are_left_out():
    hostile = _entry(title='<script>alert(1)</script>\x01 & "x" ]]>', evidence="<img src=x onerror=alert(1)>\x0b zin",
                     url=HOSTILE_URL, debunks=[FeedLink(HOSTILE_URL, "<b>bad</b>"), FeedLink(FACT_CHECK_URL, "ok")],
                     guidance=[FeedLink("data:text/html,<script>", "g")])
    meta = FeedMeta("urn:waakhond:signals:test", "Signalen <&>", "javascript:alert(1)", NOW)
    document = atom_feed(meta, [hostile])
    root = ET.fromstring(document)  # well-formed XML despite the control characters
    entry = root.find(f"{{{ATOM_NS}}}entry")
    assert entry.find(f"{{{ATOM_NS}}}title").text == '<script>alert(1)</script> & "x" ]]>'
    hrefs = [link.get("href") for link in root.iter(f"{{{ATOM_NS}}}link")]
    assert hrefs == [FACT_CHECK_URL]  # no self link, no alternate, no javascript:/data: anywhere
    content = entry.find(f"{{{ATOM_NS}}}content").text
    assert "<img" not in content and "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "javascript:" not in document.decode() and "data:text" not in document.decode()
    assert not feedparser.parse(document).bozo


def test_the_served_feed_with_a_token_in_the_query(client, seeded, make_token):
    token = make_token("reader", "viewer")
    response = client.get("/api/v1/feeds/signals.atom", params={"topic": "stikstof", "min_score": 0.8, "token": token})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["X-RateLimit-Remaining"].isdigit()
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert [e.id.rsplit(":", 1)[1] for e in parsed.entries] == [str(seeded.newest), str(seeded.hostile)]
    newest, hostile = parsed.entries
    assert EVIDENCE in newest.summary and FACT_CHECK_URL in {link.href for link in newest.links}
    assert "https://www.isdatechtzo.nl/" in newest.content[0].value
    assert token not in response.text  # the self link leaves the token out
    assert not any(link.href.startswith("javascript") for link in hostile.get("links", []))
    assert "onerror" in hostile.summary and "<img" not in hostile.content[0].value
    # the header works as well; no token or a wrong one does not
    assert client.get("/api/v1/feeds/signals.atom", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/feeds/signals.atom").status_code == 401
    assert client.get("/api/v1/feeds/signals.atom", params={"token": "wkh_nope"}).status_code == 401
    everything = feedparser.parse(client.get("/api/v1/feeds/signals.atom", params={"token": token}).content)
    assert len(everything.entries) == seeded.flagged_stories
