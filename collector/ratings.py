"""Fact-checkers' verdicts onto one scale: false, mostly_false, mixed, mostly_true, true,
unproven, unknown.

    text  -> casefold, strip accents and punctuation        ("Grotendeels ONWAAR!" -> "grotendeels onwaar")
          -> look the whole phrase up in RATING_WORDS
          -> else look up its leading clause ("Onwaar: de foto is oud" -> "onwaar")
    else numeric ratingValue/bestRating/worstRating           (position on the publisher's scale)
    else unknown

Pure: the published text is always kept beside the normalised value by the caller, so a
word this table gets wrong can be read and corrected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FALSE = "false"
MOSTLY_FALSE = "mostly_false"
MIXED = "mixed"
MOSTLY_TRUE = "mostly_true"
TRUE = "true"
UNPROVEN = "unproven"
UNKNOWN = "unknown"
SCALE = (FALSE, MOSTLY_FALSE, MIXED, MOSTLY_TRUE, TRUE, UNPROVEN, UNKNOWN)
#: Ratings that debunk a claim: a match with one of these raises an item's signal.
DEBUNKING = frozenset({FALSE, MOSTLY_FALSE})

#: schema.org's defaults when a Rating gives a value but no bounds.
SCHEMA_ORG_BEST_RATING = 5.0
SCHEMA_ORG_WORST_RATING = 1.0
#: Upper bounds of each scale value on the publisher's numeric scale, as a fraction from the
#: worst (0.0) to the best (1.0) rating: five equal bands around the points 0, ¼, ½, ¾, 1.
NUMERIC_BANDS = ((0.125, FALSE), (0.375, MOSTLY_FALSE), (0.625, MIXED), (0.875, MOSTLY_TRUE), (1.0, TRUE))

# Written as the casefolded, accent-free form that ``normalise_text`` produces.
_WORDS: dict[str, tuple[str, ...]] = {
    FALSE: (
        # Dutch
        "onwaar", "niet waar", "klopt niet", "fout", "onjuist", "vals", "nep", "fake", "verzonnen",
        "gemanipuleerd", "bewerkt", "vervalst", "gefabriceerd", "helemaal niet waar", "totaal onwaar",
        "broodjeaapverhaal", "hoax", "klinkklare onzin", "onzin",
        # English
        "false", "not true", "untrue", "incorrect", "wrong", "fabricated", "fabrication", "fake news",
        "altered", "manipulated", "doctored", "pants on fire", "pants on fire!", "four pinocchios",
        "scam", "baseless", "bogus", "debunked",
        # French
        "faux", "fausse", "infox", "intox", "inexact", "fabrique", "manipule", "truque", "arnaque",
        # German
        "falsch", "unwahr", "frei erfunden", "erfunden", "fake", "manipuliert", "gefalscht",
    ),
    MOSTLY_FALSE: (
        # Dutch
        "grotendeels onwaar", "grotendeels niet waar", "grotendeels fout", "grotendeels onjuist",
        "klopt grotendeels niet", "klopt meestal niet", "overwegend onwaar", "misleidend",
        "deels onwaar", "gedeeltelijk onwaar", "voornamelijk onwaar", "uit context", "uit de context gehaald",
        "buiten context", "misleidende context",
        # English
        "mostly false", "largely false", "misleading", "partly false", "partially false", "mostly untrue",
        "false context", "out of context", "three pinocchios", "distorts the facts",
        # French
        "plutot faux", "trompeur", "partiellement faux", "en grande partie faux", "hors contexte",
        "sorti de son contexte",
        # German
        "grosstenteils falsch", "uberwiegend falsch", "teilweise falsch", "irrefuhrend", "irrefuhrend dargestellt",
        "aus dem zusammenhang gerissen",
    ),
    MIXED: (
        # Dutch
        "half waar", "halfwaar", "half onwaar", "deels waar", "gedeeltelijk waar", "klopt deels",
        "klopt gedeeltelijk", "ontbrekende context", "context ontbreekt", "gemengd", "genuanceerd",
        "waar en onwaar", "mwah",
        # English
        "half true", "half-true", "mixture", "mixed", "partly true", "partially true", "missing context",
        "needs context", "lacks context", "cherry picks", "two pinocchios",
        # French
        "a moitie vrai", "moitie vrai", "partiellement vrai", "en partie vrai", "manque de contexte",
        "contexte manquant", "a nuancer",
        # German
        "halb wahr", "halbwahr", "teilweise richtig", "teilweise wahr", "fehlender kontext",
        "kontext fehlt", "gemischt",
    ),
    MOSTLY_TRUE: (
        # Dutch
        "grotendeels waar", "grotendeels juist", "klopt grotendeels", "klopt meestal", "overwegend waar",
        "voornamelijk waar", "bijna waar", "klopt bijna",
        # English
        "mostly true", "largely true", "mostly correct", "largely accurate", "one pinocchio",
        # French
        "plutot vrai", "en grande partie vrai", "globalement vrai",
        # German
        "grosstenteils richtig", "grosstenteils wahr", "uberwiegend richtig", "uberwiegend wahr",
    ),
    TRUE: (
        # Dutch
        "waar", "klopt", "juist", "correct", "helemaal waar", "dat klopt", "het klopt",
        # English
        "true", "accurate", "correct attribution", "geppetto checkmark", "verified",
        # French
        "vrai", "exact", "juste",
        # German
        "richtig", "wahr", "stimmt", "korrekt", "zutreffend",
    ),
    UNPROVEN: (
        # Dutch
        "onbewezen", "niet bewezen", "onvoldoende bewijs", "onbevestigd", "niet te controleren",
        "niet te verifieren", "onbekend of het klopt", "ongefundeerd", "niet onderbouwd", "valt niet te zeggen",
        "onbeslist", "ongegrond",
        # English
        "unproven", "unverified", "unsupported", "unsubstantiated", "no evidence", "insufficient evidence",
        "not proven", "cannot be verified", "unverifiable", "research in progress", "undetermined",
        # French
        "non prouve", "infonde", "invérifiable", "inverifiable", "non verifie", "pas de preuve",
        "sans preuve",
        # German
        "unbelegt", "nicht belegt", "unbewiesen", "nicht bewiesen", "ungeklart", "nicht nachweisbar",
    ),
    UNKNOWN: (
        # Labels that say what kind of content it is, not whether the claim is true.
        "satire", "satirisch", "parodie", "parody", "satirical", "humour", "humor", "opinie", "opinion",
        "geen oordeel", "no rating", "not rated", "explainer", "uitleg", "achtergrond",
    ),
}


def normalise_text(text: str) -> str:
    """Casefold, strip accents and punctuation (hyphens too), collapse whitespace:
    ``"Niet wáár!"`` -> ``"niet waar"``, ``"Half-true"`` -> ``"half true"``."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    spaced = re.sub(r"[^\w\s]", " ", stripped).replace("_", " ")
    return " ".join(spaced.split())


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for rating, words in _WORDS.items():
        for word in words:
            key = normalise_text(word)
            if table.get(key, rating) != rating:
                raise ValueError(f"rating word {word!r} maps to both {table[key]} and {rating}")
            table[key] = rating
    return table


#: normalised rating phrase -> scale value. Public so tests and docs can list it.
RATING_WORDS: dict[str, str] = _build_table()

# Where a verdict comes first and an explanation follows: "Onwaar: de foto is van 2015".
_LEADING_CLAUSE = re.compile(r"^\s*([^:.;,()\[\]–—|/]+?)\s*(?:[:.;,()\[\]–—|/]|\s-\s|$)")


@dataclass(frozen=True)
class NormalisedRating:
    rating: str  # one of SCALE
    source: str  # "word", "leading_clause", "numeric" or "none": how it was decided


def rating_from_text(text: str | None) -> str | None:
    """The scale value of a published rating phrase, or None when the phrase is not known."""
    if not text:
        return None
    whole = normalise_text(text)
    if whole in RATING_WORDS:
        return RATING_WORDS[whole]
    clause = _LEADING_CLAUSE.match(text)
    if clause:
        return RATING_WORDS.get(normalise_text(clause.group(1)))
    return None


def rating_from_numbers(
    value: float | None, best: float | None = None, worst: float | None = None
) -> str | None:
    """The scale value of a numeric rating: where ``value`` lies between worst and best."""
    if value is None:
        return None
    best = SCHEMA_ORG_BEST_RATING if best is None else best
    worst = SCHEMA_ORG_WORST_RATING if worst is None else worst
    if best == worst:
        return None
    position = (value - worst) / (best - worst)
    if not 0.0 <= position <= 1.0:
        return None  # a value outside its own scale says nothing reliable
    for upper, rating in NUMERIC_BANDS:
        if position <= upper:
            return rating
    return None


def normalise_rating(
    text: str | None,
    value: float | str | None = None,
    best: float | str | None = None,
    worst: float | str | None = None,
) -> NormalisedRating:
    """Words first (they are what the fact-checker meant), then the numbers, else unknown."""
    if text:
        whole = normalise_text(text)
        if whole in RATING_WORDS:
            return NormalisedRating(RATING_WORDS[whole], "word")
        from_clause = rating_from_text(text)
        if from_clause is not None:
            return NormalisedRating(from_clause, "leading_clause")
    numeric = rating_from_numbers(to_float(value), to_float(best), to_float(worst))
    if numeric is not None:
        return NormalisedRating(numeric, "numeric")
    return NormalisedRating(UNKNOWN, "none")


def to_float(value: object) -> float | None:
    """``4``, ``"4"``, ``"4,5"`` -> float; anything else -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None
