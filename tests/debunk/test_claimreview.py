"""ClaimReview extraction from real-looking fact-check pages (fixture files in pages/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector.claimreview import (
    extract_claim_reviews,
    language_code,
    load_json_ld,
    parse_claimreview_json,
    parse_date,
    scan_page,
)

PAGES = Path(__file__).parent / "pages"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_one_claimreview():
    scan = scan_page(page("one_claimreview.html"), "https://nieuwscheckers.nl/stikstof-onteigening/?utm=x")
    assert scan.claim_reviews_found == 1 and scan.problems == []
    [review] = scan.fact_checks
    assert review.url == "https://nieuwscheckers.nl/stikstof-onteigening/"
    assert review.claim_reviewed.startswith("Het kabinet wil met de stikstofregels boeren onteigenen")
    assert (review.rating, review.rating_text) == ("false", "Niet waar")
    assert (review.rating_value, review.best_rating, review.worst_rating) == (1.0, 5.0, 1.0)
    assert review.publisher == "Nieuwscheckers"
    assert review.claim_author == "Een Facebookgebruiker"
    assert review.appearances == ("https://www.facebook.com/voorbeeld/posts/1", "https://x.com/voorbeeld/status/2")
    assert review.published_at == datetime(2024, 3, 12, tzinfo=UTC)
    assert review.language == "nl"


def test_several_claimreviews_in_graph_and_list_with_references():
    reviews = extract_claim_reviews(page("several_claimreviews.html"), "https://www.knack.be/factcheck/digitale-euro/")
    by_rating = {r.rating_text: r for r in reviews}
    assert set(by_rating) == {"Grotendeels onwaar", "Misleidend", "Half true"}
    first = by_rating["Grotendeels onwaar"]
    assert first.rating == "mostly_false"
    assert first.publisher == "Knack"  # resolved from {"@id": ".../#org"}
    assert first.claim_author == "Een influencer"  # itemReviewed resolved from {"@id": "#claim-1"}
    assert first.appearances == ("https://www.tiktok.com/@voorbeeld/video/3",)
    assert first.language == "nl"  # from <html lang="nl-BE">
    assert by_rating["Misleidend"].rating == "mostly_false"
    english = by_rating["Half true"]
    assert (english.rating, english.language, english.rating_value) == ("mixed", "en", 3.0)


def test_broken_json_ld_next_to_a_valid_block():
    scan = scan_page(page("broken_jsonld.html"), "https://factcheck.vlaanderen/factcheck/stembiljetten")
    assert len(scan.problems) == 1 and "block 1" in scan.problems[0]
    [review] = scan.fact_checks
    assert review.claim_reviewed.startswith("Stembiljetten worden na de verkiezingen")
    assert review.rating == "false"
    assert review.published_at == datetime(2024, 5, 20, 8, 0, tzinfo=UTC)


def test_no_claimreview_keeps_the_article_with_its_headline_and_rating_unknown():
    scan = scan_page(page("no_claimreview.html"), "https://www.nu.nl/nucheckt/123/huurtoeslag.html")
    assert scan.claim_reviews_found == 0
    [review] = scan.fact_checks
    assert review.claim_reviewed == "NUcheckt: Nee, de huurtoeslag wordt niet afgeschaft"
    assert review.rating == "unknown" and review.rating_text is None
    assert review.url == "https://www.nu.nl/nucheckt/123/huurtoeslag.html"
    assert review.publisher == "NU.nl"
    assert review.published_at == datetime(2024, 9, 17, 4, 15, tzinfo=UTC)


def test_numeric_rating_and_full_type_iri():
    [review] = extract_claim_reviews(page("numeric_rating.html"), "https://example.org/faktencheck/heizungsgesetz")
    assert (review.rating, review.rating_text, review.language) == ("false", None, "de")


def test_a_page_with_nothing_usable():
    scan = scan_page(b"<html><body><p>leeg</p></body></html>", "https://example.org/")
    assert scan.fact_checks == [] and scan.problems


def test_bytes_in_another_encoding_survive():
    html = '<html><head><title>Beweringen over de Tweede Kamer: “geen zéér grote” fout</title></head></html>'
    [review] = extract_claim_reviews(html.encode("cp1252"), "https://example.org/a")
    assert "zéér" in review.claim_reviewed


def test_json_ld_file_single_list_and_graph():
    review = {
        "@type": "ClaimReview", "url": "https://factcheck.afp.com/doc.afp.com.1", "claimReviewed": "Claim A",
        "author": {"name": "AFP Factcheck"}, "reviewRating": {"alternateName": "Onwaar"},
    }
    other = {**review, "claimReviewed": "Claim B", "reviewRating": {"alternateName": "Misleidend"}}
    assert [r.claim_reviewed for r in parse_claimreview_json(json.dumps(review))] == ["Claim A"]
    assert len(parse_claimreview_json(json.dumps([review, other]))) == 2
    graph = {"@context": "https://schema.org", "@graph": [review, other, review]}
    assert [r.rating for r in parse_claimreview_json(json.dumps(graph))] == ["false", "mostly_false"]


def test_json_ld_file_errors_are_value_errors():
    with pytest.raises(ValueError, match="no ClaimReview"):
        parse_claimreview_json('{"@type": "NewsArticle"}')
    with pytest.raises(ValueError, match="no url"):
        parse_claimreview_json('{"@type": "ClaimReview", "claimReviewed": "x"}')
    with pytest.raises(ValueError):
        parse_claimreview_json('{"@type": ')


def test_lenient_json_ld():
    assert load_json_ld('{"a": 1,}') == [{"a": 1}]
    assert load_json_ld('{"a": 1}\n{"b": 2}') == [{"a": 1}, {"b": 2}]
    assert load_json_ld('{"a": "line\nbreak"}') == [{"a": "line\nbreak"}]
    with pytest.raises(ValueError):
        load_json_ld("   ")


def test_dates_and_languages():
    assert parse_date("2024-01-02") == datetime(2024, 1, 2, tzinfo=UTC)
    assert parse_date("Tue, 02 Jan 2024 10:00:00 +0100") == datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    assert parse_date("gisteren") is None
    assert [language_code(x) for x in ("nl-NL", "nl_BE", "EN", "", None)] == ["nl", "nl", "en", None, None]
