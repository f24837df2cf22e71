"""The demo server over real HTTP: feeds, pages, JSON-LD, conditional GET and counters."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import feedparser
import httpx
import jsonschema
import pytest

from waakhond.demo import DemoFeedServer, expected_items, feed_entries, load_corpus, spike_item_guids
from waakhond.demo.corpus import CORPUS_DIR
from waakhond.demo.site import DemoSite

ANCHOR = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
}
# The fields JSON Feed 1.1 requires (https://jsonfeed.org/version/1.1), plus the date format.
JSONFEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string"},
        "feed_url": {"type": "string"},
        "authors": {"type": "array", "items": {"type": "object", "required": ["name"]}},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "date_published": {
                        "type": "string",
                        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
                    },
                    "authors": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                },
            },
        },
    },
}
LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def server():
    with DemoFeedServer(anchor=ANCHOR) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as http:
        yield http


def _entries_of(server, client, slug):
    source = server.corpus.source(slug)
    response = client.get(server.feed_urls()[slug])
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPES[source.format]
    if source.format == "jsonfeed":
        doc = response.json()
        jsonschema.validate(doc, JSONFEED_SCHEMA)
        return [(item["id"], item["date_published"]) for item in doc["items"]]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if source.format == "rss" else "atom10")
    return [(e.id, e.get("published") or e.get("updated")) for e in parsed.entries]


def test_every_feed_parses_and_lists_all_its_entries(server, client):
    published = []
    for source in server.corpus.sources:
        entries = _entries_of(server, client, source.slug)
        expected = feed_entries(server.corpus, source.slug)
        assert [guid for guid, _ in entries] == [e.guid for e in expected]
        published += [(source.slug, guid) for guid, _ in entries]
        items = (
            server.corpus.items_of(source.slug)
            if source.kind == "feed"
            else server.corpus.factchecks_of(source.slug)
        )
        copies = sum(1 for i in server.corpus.items if source.slug in i.syndicated_to)
        assert len(entries) == len(items) + copies
    assert Counter(published) == Counter(expected_items(server.corpus))
    assert len(set(published)) == len(published)


def test_item_dates_lie_in_the_thirty_days_before_the_anchor_newest_first(server, client):
    for source in server.corpus.sources:
        if source.kind != "feed":
            continue
        stamps = [
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if stamp[0].isdigit()
            else parsedate_to_datetime(stamp)
            for _, stamp in _entries_of(server, client, source.slug)
        ]
        assert all(ANCHOR - timedelta(days=30) <= s <= ANCHOR for s in stamps), source.slug
        assert stamps == sorted(stamps, reverse=True)


def test_feed_items_carry_links_summaries_and_full_text_where_promised(server, client):
    blog = feedparser.parse(client.get(server.feed_urls()["de-dwarse-blog"]).content)
    entry = blog.entries[0]
    assert entry.link.startswith(server.base_url + "/articles/")
    assert "<p>" in entry.summary and "<a href=" in entry.summary
    assert entry.content[0].value.count("<p>") >= 3
    rss = feedparser.parse(client.get(server.feed_urls()["omroep-lage-landen"]).content)
    assert all(e.get("author") for e in rss.entries)
    forum = client.get(server.feed_urls()["vrij-woord-forum"]).json()
    assert all(item["content_text"] == item["summary"] for item in forum["items"])


def test_syndicated_copies_are_lightly_edited_near_copies(server, client):
    corpus = server.corpus
    item = next(i for i in corpus.items if i.syndicated_to)
    target = item.syndicated_to[0]
    copy = next(e for e in feed_entries(corpus, target) if e.item is item)
    assert copy.title != item.title and item.title in copy.title
    assert copy.guid != next(e.guid for e in feed_entries(corpus, item.source) if e.item is item)
    page = client.get(server.url(copy.page_path))
    assert page.status_code == 200 and corpus.source(item.source).name in page.text


def test_article_pages(server, client):
    corpus = server.corpus
    full = next(i for i in corpus.items if corpus.source(i.source).full_text)
    page = client.get(server.url(f"/articles/{full.id}.html"))
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    article = re.search(r"<article>(.*?)</article>", page.text, re.S).group(1)
    assert "<footer" not in article and "<nav" not in article
    import html

    assert html.escape(full.paragraphs[-1]) in article
    assert "<nav" in page.text and "<footer" in page.text
    teaser = next(i for i in corpus.items if not corpus.source(i.source).full_text)
    page = client.get(server.url(f"/articles/{teaser.id}.html"))
    assert page.status_code == 200 and "afgeschermd" in page.text


def _ld_blocks(text):
    return LD_SCRIPT.findall(text)


def _reviews(doc):
    return doc["@graph"] if "@graph" in doc else [doc]


def test_factcheck_pages_carry_claimreview_jsonld(server, client):
    seen = Counter()
    for fc in server.corpus.factchecks:
        page = client.get(server.url(f"/factchecks/{fc.id}.html"))
        assert page.status_code == 200
        blocks = _ld_blocks(page.text)
        seen[fc.page_variant] += 1
        if fc.page_variant == "no_jsonld":
            assert blocks == [] and fc.headline in page.text.replace("&#x27;", "'")
            continue
        if fc.page_variant == "malformed_jsonld":
            assert len(blocks) == 2
            with pytest.raises(json.JSONDecodeError):
                json.loads(blocks[0])
            blocks = blocks[1:]
        assert len(blocks) == 1
        doc = json.loads(blocks[0])
        assert doc["@context"] == "https://schema.org"
        reviews = _reviews(doc)
        assert len(reviews) == (2 if fc.page_variant == "two_claims" else 1)
        review = reviews[0]
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == fc.claim_reviewed
        assert review["url"] == server.url(f"/factchecks/{fc.id}.html")
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"] == fc.rating_text
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["appearance"] == list(fc.verdict.appearance)
        assert review["author"] == {"@type": "Organization", "name": server.corpus.source(fc.publisher).name}
        published = datetime.fromisoformat(review["datePublished"].replace("Z", "+00:00"))
        assert published == (ANCHOR - timedelta(hours=fc.age_hours)).replace(microsecond=0)
    assert seen["two_claims"] == seen["malformed_jsonld"] == seen["no_jsonld"] == 1


def test_conditional_get_with_etag(server, client):
    url = server.feed_urls()["omroep-lage-landen"]
    path = "/feeds/omroep-lage-landen.xml"
    first = client.get(url)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    requests_before, bytes_before = server.requests[path], server.bytes_sent
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert server.requests[path] == requests_before + 1
    assert server.bytes_sent == bytes_before
    assert server.statuses[(path, 304)] >= 1
    changed = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content
    assert server.bytes_sent == bytes_before + len(first.content)


def test_conditional_get_with_last_modified(server, client):
    url = server.feed_urls()["regio-noordkwartier"]
    first = client.get(url)
    last_modified = parsedate_to_datetime(first.headers["last-modified"])
    newest = min(e.age_hours for e in feed_entries(server.corpus, "regio-noordkwartier"))
    assert last_modified == (ANCHOR - timedelta(hours=newest)).replace(microsecond=0)
    same = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert same.status_code == 304
    older = format_datetime(last_modified - timedelta(seconds=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    mixed = client.get(
        url, headers={"If-None-Match": '"nope"', "If-Modified-Since": first.headers["last-modified"]}
    )
    assert mixed.status_code == 200


def test_responses_are_byte_identical_for_a_fixed_anchor(server, client):
    for path in [
        "/feeds/dagblad-de-polder.xml",
        "/feeds/vrij-woord-forum.json",
        "/factchecks/fc001.html",
        "/",
    ]:
        assert client.get(server.url(path)).content == client.get(server.url(path)).content
    fresh = load_corpus(CORPUS_DIR)  # not the cached copy
    one = DemoSite(fresh, ANCHOR, "http://127.0.0.1:1").get("/feeds/het-open-venster.xml")
    two = DemoSite(load_corpus(CORPUS_DIR), ANCHOR, "http://127.0.0.1:1").get("/feeds/het-open-venster.xml")
    assert one.body == two.body and one.headers == two.headers
    later = DemoSite(fresh, ANCHOR + timedelta(hours=1), "http://127.0.0.1:1").get(
        "/feeds/het-open-venster.xml"
    )
    assert later.body != one.body


def test_unknown_paths_robots_index_and_head(server, client):
    assert client.get(server.url("/feeds/no-such-feed.xml")).status_code == 404
    assert client.get(server.url("/articles/d9999.html")).status_code == 404
    assert client.get(server.url("/feeds/omroep-lage-landen.json")).status_code == 404
    robots = client.get(server.url("/robots.txt"))
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Allow: /" in robots.text
    index = client.get(server.url("/"))
    assert all(url in index.text for url in server.feed_urls().values())
    head = client.head(server.feed_urls()["feitenwaakt"])
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    assert server.requests["/robots.txt"] >= 1


def test_query_strings_are_ignored_for_routing(server, client):
    plain = client.get(server.feed_urls()["checkpoint-eu"])
    query = client.get(server.feed_urls()["checkpoint-eu"] + "?utm_source=demo")
    assert query.content == plain.content


def test_spike_guids(server):
    for spike in ("A", "B"):
        originals = spike_item_guids(spike, server.corpus, include_copies=False)
        with_copies = server.spike_item_guids(spike)
        assert len(originals) >= 25
        assert set(originals) < set(with_copies)
        published = {guid for _, guid in server.expected_items()}
        assert set(with_copies) <= published
    assert not set(spike_item_guids("A", server.corpus)) & set(spike_item_guids("B", server.corpus))
    with pytest.raises(ValueError):
        spike_item_guids("C", server.corpus)


def test_escaping_of_hostile_text(tmp_path):
    import shutil

    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, folder)
    path = folder / "items.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    nasty = "Tom & Jerry <script>alert(\"x\")</script> ]]> 'quoted'"
    hit = {"rss": None, "atom": None, "jsonfeed": None}
    corpus = load_corpus(CORPUS_DIR)
    for row in rows:
        fmt = corpus.source(row["source"]).format
        if hit[fmt] is None:
            row["title"] = nasty
            row["summary"] = nasty
            hit[fmt] = row["source"]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    with DemoFeedServer(load_corpus(folder), anchor=ANCHOR) as demo, httpx.Client() as http:
        for fmt, slug in hit.items():
            response = http.get(demo.feed_urls()[slug])
            if fmt == "jsonfeed":
                titles = [item["title"] for item in response.json()["items"]]
            else:
                parsed = feedparser.parse(response.content)
                assert not parsed.bozo
                titles = [e.title for e in parsed.entries]
            assert nasty in titles
        page = http.get(demo.url(f"/articles/{rows[0]['id']}.html")).text
        assert "<script>alert" not in page


def test_lifecycle_and_anchor_rules():
    demo = DemoFeedServer(anchor=ANCHOR)
    with pytest.raises(RuntimeError):
        _ = demo.base_url
    demo.start()
    port = demo.port
    try:
        assert demo.base_url == f"http://127.0.0.1:{port}"
        assert httpx.get(demo.url("/robots.txt")).status_code == 200
        specs = demo.source_specs()
        assert {s["url"] for s in specs} == set(demo.feed_urls().values())
    finally:
        demo.stop()
    assert not demo.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/robots.txt")
    with pytest.raises(ValueError):
        DemoFeedServer(anchor=datetime(2025, 1, 1))
    assert DemoFeedServer().anchor.tzinfo is not None
