"""URL hygiene: one rule (``storage.urls.web_url``) for every link stored or shown.

The oracle is ``browser_scheme``, the scheme a browser's URL parser reads after its own
clean-up: whatever ``web_url`` lets through must be read by a browser as http(s).
"""

from __future__ import annotations

import html

from hypothesis import example, given, settings
from hypothesis import strategies as st

from alerts.messages import AlertMessage, Link
from collector.claimreview import scan_page
from collector.feed_model import ParsedEntry
from collector.http_rules import redirect_target
from collector.normalize import normalize_entry, refused_links_note
from dashboard.components import link_html, safe_url
from storage.repositories.factchecks import FactCheckSpec, validate_spec
from storage.urls import MAX_URL_LENGTH, browser_scheme, web_url

HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " \x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#9;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "//evil.example/x",
    "https://bank.example@evil.example/",
    "https://user:pass@example.org/",
    "https://example.org\\@evil.example/",
    "https:\\\\evil.example",
    "https://exa\u202emple.org/",
    "https://example.org/\u200bpad",
    "https://example.org/a\x00b",
    "https://<script>/",
    "https://example.org:99999/",
    "http&#58;//example.org",
    "https:example.org",
    "https://" + "a" * MAX_URL_LENGTH,
    "",
    None,
]


def test_hostile_links_are_refused_everywhere():
    for link in HOSTILE_LINKS:
        assert web_url(link) is None, link
        assert safe_url(link) is None, link
        assert "<a " not in link_html(link, "x"), link


def test_plain_web_links_are_kept_and_cleaned():
    assert web_url(" HTTPS://Example.ORG/Pad?q=1&copy=2#frag\n") == "https://example.org/Pad?q=1&copy=2#frag"
    assert web_url("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert web_url("https://nos.nl/artikel/1?a=b&amp;c=d") == "https://nos.nl/artikel/1?a=b&amp;c=d"


def test_ipv4_numbers_in_any_spelling_become_the_dotted_quad_the_guard_vets():
    for spelling in ("2130706433", "0177.0.0.1", "127.1", "0x7f000001", "0x7f.0.0.1", "127.0.0.1."):
        assert web_url(f"http://{spelling}:8080/x") == "http://127.0.0.1:8080/x", spelling
    for broken in ("1.2.3.4.5", "256.0.0.1", "08.0.0.1", "example.123"):
        assert web_url(f"http://{broken}/") is None, broken


# Text that looks like URLs: schemes, separators, entities, controls and invisible characters.
_PIECES = st.sampled_from([
    "http", "https", "HTTPS", "javascript", "java", "script", "data", "vbscript", ":", "//", "/", "\\", "@",
    "&#x09;", "&#58;", "&colon;", "&amp;", "&", "#", "?", "%0a", "\t", "\n", "\r", "\x00", "\x1f", "\x7f",
    "\u202e", "\u200b", "\ufeff", " ", "example.org", "[::1]", ":80", "alert(1)", "<", ">", '"', "'",
])
URLISH = st.one_of(st.lists(_PIECES, max_size=12).map("".join), st.text(max_size=60))


@settings(max_examples=400, deadline=None)
@given(URLISH)
@example("java&#x09;script:alert(1)")
@example("https://example.org/")
def test_whatever_passes_is_read_by_a_browser_as_http(text):
    result = web_url(text)
    if result is None:
        return
    assert browser_scheme(result) in ("http", "https")
    assert browser_scheme(html.unescape(result)) in ("http", "https")  # a renderer that decodes entities
    assert result.startswith(("http://", "https://"))
    assert not any(ord(c) < 0x21 or 0x7F <= ord(c) < 0xA0 for c in result)
    assert "\u202e" not in result and "\u200b" not in result and "@" not in result.split("/")[2]
    assert web_url(result) == result  # idempotent: storing and rendering agree


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["javascript", "data", "vbscript", "file"]),
    st.lists(st.sampled_from(["\t", "\n", "\r", "&#x09;", "&#10;", "\x00", " "]), max_size=3),
    st.integers(min_value=0, max_value=8),
    st.text(max_size=20),
    st.booleans(),
)
def test_disguised_script_schemes_never_pass(scheme, noise, at, rest, upper):
    name = scheme.upper() if upper else scheme
    at = min(at, len(name))
    disguised = name[:at] + "".join(noise) + name[at:] + ":" + rest
    assert web_url(disguised) is None
    assert web_url(html.escape(disguised)) is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
    st.from_regex(r"(/[A-Za-z0-9._~-]{0,12}){0,4}", fullmatch=True),
)
def test_ordinary_web_addresses_pass_unchanged(scheme, host, path):
    url = f"{scheme}://{host}{path}"
    assert web_url(url) == url


def test_feed_entry_with_a_script_link_is_kept_without_its_link_and_noted():
    entries = [
        normalize_entry(ParsedEntry(guid="g1", link="java&#x09;script:alert(1)", title="t1"), "https://feed.example/rss"),
        normalize_entry(ParsedEntry(guid="g2", link="/artikel/2", title="t2"), "https://feed.example/rss"),
        normalize_entry(ParsedEntry(guid="g3", link="data:text/html,x", title="t3"), "https://feed.example/rss"),
    ]
    assert [e.url for e in entries] == [None, "https://feed.example/artikel/2", None]
    assert [e.canonical_url for e in entries][0] is None
    note = refused_links_note(entries)
    assert note is not None and note.startswith("dropped 2 link(s)") and "javascript" in note and "data" in note
    assert refused_links_note(entries[1:2]) is None


def test_redirects_to_other_schemes_or_with_credentials_are_unusable():
    assert redirect_target("https://a.example/", "javascript:alert(1)") is None
    assert redirect_target("https://a.example/", "file:///etc/passwd") is None
    assert redirect_target("https://a.example/", "http://user:pw@127.0.0.2/") is None
    assert redirect_target("https://a.example/x", "/y") == "https://a.example/y"


def test_fact_checks_keep_only_web_urls():
    page = (
        '<html><head><script type="application/ld+json">{"@type": "ClaimReview", "url": "javascript:alert(1)",'
        ' "claimReviewed": "De minister liegt", "itemReviewed": {"appearance": ['
        ' {"url": "data:text/html,x"}, {"url": "https://bron.example/1"}]}}</script></head></html>'
    )
    spec = scan_page(page, "https://checker.example/check/1").fact_checks[0]
    assert spec.url == "https://checker.example/check/1"  # the page's own address instead
    assert spec.appearances == ("https://bron.example/1",)
    checked = validate_spec(FactCheckSpec(url="https://c.example/1", claim_reviewed="x", publisher="p",
                                          appearances=("vbscript:x", "https://ok.example/")))
    assert checked.appearances == ("https://ok.example/",)


def test_alert_links_are_web_urls_in_every_channel():
    message = AlertMessage(
        kind="signal", subject="s", lines=("l",), link="https://waakhond.example/?page=signalen",
        debunks=(Link("a", "javascript:alert(1)"), Link("b", "https://check.example/1", "n")),
        guidance=(Link("c", "data:text/html,x"), Link("d", " HTTPS://Gids.example/")),
    )
    assert [d.url for d in message.debunks] == ["https://check.example/1"]
    assert [g.url for g in message.guidance] == ["https://gids.example/"]
    assert "javascript" not in message.plain_text() and "data:" not in str(message.payload())
