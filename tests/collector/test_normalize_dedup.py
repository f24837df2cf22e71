"""Normalising entries, language, and duplicate detection: pure functions and the LSH index."""

from __future__ import annotations

from datetime import UTC, datetime

from collector.dedup import (
    NearDuplicateIndex,
    choose_duplicate_of,
    signature,
    signature_from_bytes,
    signature_to_bytes,
)
from collector.feed_model import ParsedEntry
from collector.language import detect_language, primary_subtag, should_classify
from collector.normalize import canonical_url, clean_text, content_hash, entry_key, normalize_entry

ARTICLE = (
    "Het kabinet wil de huurtoeslag vanaf volgend jaar verhogen voor huishoudens met een laag inkomen. "
    "Minister De Jonge zegt dat de maatregel tweehonderdduizend huishoudens helpt. De Tweede Kamer "
    "debatteert donderdag over het voorstel, dat volgens critici te laat komt voor de huidige winter."
)


def test_canonical_url_drops_tracking_fragment_and_default_port():
    assert canonical_url("HTTPS://WWW.NOS.nl:443/artikel/123?utm_source=rss&utm_medium=feed&id=5#reacties") == (
        "https://www.nos.nl/artikel/123?id=5"
    )
    assert canonical_url("http://Example.org?fbclid=abc&b=2&a=1&gclid=x") == "http://example.org/?a=1&b=2"
    assert canonical_url("http://example.org:8080/x") == "http://example.org:8080/x"
    assert canonical_url("/relative/path", base="https://nu.nl/rss/Algemeen") == "https://nu.nl/relative/path"
    assert canonical_url("mailto:a@b.c") is None
    assert canonical_url("") is None
    assert canonical_url("http://[::1]:80/") == "http://[::1]/"


def test_identity_is_the_guid_else_the_canonical_url_else_the_content():
    assert entry_key("guid-1", "https://a.test/", "h") == "guid-1"
    assert entry_key("  ", "https://a.test/", "h") == "https://a.test/"
    assert entry_key(None, None, "abc") == "content:abc"
    assert entry_key("x" * 5000, None, "h").startswith("sha256:")


def test_clean_text_keeps_words_and_drops_markup_and_scripts():
    html = "<p>Één <b>nieuws</b>&nbsp;bericht</p><script>alert(1)</script><style>p{}</style><ul><li>a</li><li>b</li></ul>"
    assert clean_text(html) == "Één nieuws bericht\na\nb"
    assert clean_text("AT&amp;T &lt;3") == "AT&T <3"
    assert clean_text("plain  text\n\n here", is_html=False) == "plain text\nhere"
    assert clean_text(None) == ""


def test_content_hash_ignores_case_and_whitespace_only():
    assert content_hash("Titel", "Een  tekst") == content_hash("titel", "een tekst")
    assert content_hash("Titel", "Een tekst") != content_hash("Titel", "Een andere tekst")


def test_normalize_entry_keeps_the_original_html_and_resolves_links():
    entry = ParsedEntry(
        guid=None, link="/nieuws/1?utm_campaign=x", title="Kabinet &amp; Kamer",
        summary="<p>Het <em>kabinet</em> besluit.</p>", summary_is_html=True,
        content="<div>" + ARTICLE + "</div>", content_is_html=True,
        published_at=datetime(2026, 1, 1, tzinfo=UTC), language="nl-NL",
    )
    normal = normalize_entry(entry, "https://www.rijksoverheid.nl/api/rss")
    assert normal.url == "https://www.rijksoverheid.nl/nieuws/1?utm_campaign=x"
    assert normal.canonical_url == normal.entry_key == "https://www.rijksoverheid.nl/nieuws/1"
    assert normal.title == "Kabinet & Kamer"
    assert normal.summary == "Het kabinet besluit."
    assert normal.summary_html == "<p>Het <em>kabinet</em> besluit.</p>"
    assert normal.content_text == ARTICLE
    assert normal.language_hint == "nl-NL"


def test_language_detection_with_the_declared_language_as_tie_breaker():
    assert detect_language(ARTICLE) == "nl"
    assert detect_language("The cabinet wants to raise the housing benefit for low-income households next year.") == "en"
    assert detect_language("Kort", hint="nl-NL") == "nl"
    assert detect_language("Kort") is None
    assert primary_subtag("nl_BE") == "nl"
    assert should_classify("nl", ["nl"]) and not should_classify("en", ["nl"]) and not should_classify(None, ["nl"])


def test_signatures_round_trip_through_bytes():
    minhash = signature(ARTICLE, 128)
    restored = signature_from_bytes(signature_to_bytes(minhash), 128)
    assert restored.jaccard(minhash) == 1.0
    assert signature_from_bytes(signature_to_bytes(minhash), 64) is None
    assert signature("te kort om te oordelen", 128) is None


def test_near_duplicates_are_found_across_sources_only():
    index = NearDuplicateIndex(threshold=0.8, num_perm=128)
    index.add(10, source_id=1, minhash=signature(ARTICLE, 128))
    syndicated = ARTICLE.replace("donderdag", "op donderdag")  # a copy with a small edit
    other = "Voetbal: Ajax wint met 3-0 van PSV in een wedstrijd vol kansen, doelpunten en een rode kaart."
    assert index.find(signature(syndicated, 128), source_id=2) == 10
    assert index.find(signature(syndicated, 128), source_id=1) is None  # same source: not "across"
    assert index.find(signature(other * 2, 128), source_id=2) is None


def test_duplicates_point_at_the_root_not_at_a_copy():
    index = NearDuplicateIndex(threshold=0.8, num_perm=128)
    index.add(10, 1, signature(ARTICLE, 128))
    index.add(11, 2, signature(ARTICLE, 128), root_id=10)
    assert index.find(signature(ARTICLE, 128), source_id=3) == 10
    assert choose_duplicate_of(5, 10) == 5
    assert choose_duplicate_of(None, 10) == 10
    assert choose_duplicate_of(None, None) is None
