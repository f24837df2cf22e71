"""The explicit rating table: every published word lands on the one scale, words before numbers."""

from __future__ import annotations

import pytest

from collector.ratings import (
    RATING_WORDS,
    SCALE,
    normalise_rating,
    normalise_text,
    rating_from_numbers,
    rating_from_text,
    to_float,
)

# One Dutch rating word (as fact-checkers publish it) for each value of the scale.
DUTCH_WORD_PER_SCALE_VALUE = {
    "false": "Onwaar",
    "mostly_false": "Grotendeels onwaar",
    "mixed": "Half waar",
    "mostly_true": "Grotendeels waar",
    "true": "Waar",
    "unproven": "Onbewezen",
    "unknown": "Satire",
}


@pytest.mark.parametrize(("expected", "word"), sorted(DUTCH_WORD_PER_SCALE_VALUE.items()))
def test_a_dutch_word_for_each_scale_value(expected, word):
    assert normalise_rating(word).rating == expected
    assert normalise_rating(word).source == "word"


def test_the_dutch_words_cover_the_whole_scale():
    assert set(DUTCH_WORD_PER_SCALE_VALUE) == set(SCALE)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("onwaar", "false"), ("Niet waar", "false"), ("Klopt niet", "false"), ("NIET WAAR!", "false"),
        ("grotendeels onwaar", "mostly_false"), ("Misleidend", "mostly_false"), ("half waar", "mixed"),
        ("Halfwaar", "mixed"), ("Ontbrekende context", "mixed"), ("onbewezen", "unproven"),
        ("Klopt grotendeels", "mostly_true"), ("Klopt", "true"), ("waar", "true"),
        ("False", "false"), ("Misleading", "mostly_false"), ("Mostly False", "mostly_false"),
        ("Half-True", "mixed"), ("Pants on Fire!", "false"), ("Missing context", "mixed"),
        ("Mostly true", "mostly_true"), ("True", "true"), ("Unproven", "unproven"),
        ("Faux", "false"), ("Trompeur", "mostly_false"), ("Plutôt vrai", "mostly_true"), ("Vrai", "true"),
        ("Falsch", "false"), ("Irreführend", "mostly_false"), ("Größtenteils falsch", "mostly_false"),
        ("Halb wahr", "mixed"), ("Richtig", "true"), ("Unbelegt", "unproven"),
    ],
)
def test_published_words(word, expected):
    assert normalise_rating(word).rating == expected


def test_a_verdict_followed_by_an_explanation_uses_its_leading_clause():
    assert normalise_rating("Onwaar: de foto is van 2015 en komt uit Spanje").rating == "false"
    assert normalise_rating("Misleidend - het cijfer klopt, de conclusie niet").source == "leading_clause"
    assert rating_from_text("Klopt niet, want het kabinet besloot anders") == "false"


def test_unknown_words_fall_back_to_the_numbers_then_to_unknown():
    assert normalise_rating("Oordeel van de redactie", "1", "5", "1") == normalise_rating(None, 1, 5, 1)
    assert normalise_rating("Oordeel van de redactie", "1", "5", "1").source == "numeric"
    assert normalise_rating("Oordeel van de redactie").rating == "unknown"
    assert normalise_rating(None).rating == "unknown"


def test_words_win_over_numbers():
    assert normalise_rating("Waar", 1, 5, 1).rating == "true"


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        (1, 5, 1, "false"), (2, 5, 1, "mostly_false"), (3, 5, 1, "mixed"), (4, 5, 1, "mostly_true"),
        (5, 5, 1, "true"), (3, None, None, "mixed"), ("4,8", 5, 1, "true"),
        (0, 0, 6, "true"), (6, 0, 6, "false"),  # a scale whose best value is the lowest number
        (9, 5, 1, None), (3, 3, 3, None), (None, 5, 1, None),
    ],
)
def test_numeric_ratings(value, best, worst, expected):
    assert rating_from_numbers(to_float(value), to_float(best), to_float(worst)) == expected


def test_every_table_entry_is_normalised_and_on_the_scale():
    assert RATING_WORDS
    for phrase, rating in RATING_WORDS.items():
        assert rating in SCALE
        assert normalise_text(phrase) == phrase
