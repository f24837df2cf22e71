"""The match panel's HTML: sentence and claim side by side, the verdict in the publisher's words
and normalised, the language pair, the second-stage score; hostile feed text escaped."""

from __future__ import annotations

import pytest

from dashboard.i18n import set_language
from dashboard.match_view import matches_html, stored_threshold
from storage.repositories.claim_matches import MatchView

HOSTILE = '<script>alert("x")</script>'


def _view(**kw) -> MatchView:
    base = dict(item_id=1, fact_check_id=7, similarity=0.91, sentence="Boeren worden onteigend.", sentence_start=0,
                sentence_end=24, claim="Farmers are expropriated.", rating="false", rating_text="Pants on fire",
                publisher="CheckPoint EU", url="https://check.example/1", language="en", published_at=None,
                score=0.97, debunk=False, debunk_cue=None, item_language="nl")
    return MatchView(**{**base, **kw})


@pytest.fixture(autouse=True)
def _dutch():
    set_language("nl")
    yield
    set_language("nl")


def test_the_panel_shows_why_a_match_is_a_match_in_dutch_and_english():
    parts = {"claim_match": {"fact_check_id": 7, "threshold": 0.89}}
    shown = matches_html([_view()], parts)
    assert "Zin in dit bericht" in shown and "Bewering in de factcheck" in shown
    assert '<q class="waakhond-match-sentence">Boeren worden onteigend.</q>' in shown
    assert '<a href="https://check.example/1"' in shown and "Farmers are expropriated." in shown
    assert "Oordeel: Pants on fire (onwaar)" in shown and "Talen: nl → en" in shown
    assert "Zekerheid van de koppeling (tweede fase): 0.97, drempel 0.89" in shown
    assert "lijkt de bewering te verspreiden" in shown
    set_language("en")
    shown = matches_html([_view(debunk=True, debunk_cue="klopt niet")], parts)
    assert "Verdict: Pants on fire (false)" in shown and "Match confidence (second stage): 0.97, threshold 0.89" in shown
    assert "quotes the claim to refute it (“klopt niet”)" in shown


def test_feed_text_is_escaped_and_numbers_can_be_hidden():
    shown = matches_html([_view(sentence=HOSTILE, claim=HOSTILE, publisher=HOSTILE, rating_text=HOSTILE,
                                url="javascript:alert(1)", debunk=True, debunk_cue=HOSTILE)])
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "javascript:" not in shown
    hidden = matches_html([_view()], hide_numbers=True)
    assert "0.97" not in hidden and "0.91" not in hidden
    assert "Geen factchecks gevonden." in matches_html([])
    assert "factchecker" in matches_html([_view(debunk=True, debunk_cue="source")])


def test_the_threshold_comes_only_from_the_part_about_this_match():
    assert stored_threshold({"claim_match": {"fact_check_id": 7, "threshold": 0.9}}, 7) == 0.9
    assert stored_threshold({"claim_match": {"fact_check_id": 8, "threshold": 0.9}}, 7) is None
    assert stored_threshold(None, 7) is None and stored_threshold({"claim_match": "x"}, 7) is None
