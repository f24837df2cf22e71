"""Does an item quote a claim to spread it, or to refute it? (pure: texts in, a stance out)

A debunk article matches its fact-check as well as the post it debunks: it states the claim in
order to say it is false. Such an item is linked to the fact-check *as a debunk* and must not
raise the flag as spreading the claim. The item is a debunk when

    its source is a fact-checker (sources of kind ``factcheck``), or
    debunking language stands in its title, in the matched sentence or in the sentence right
    before or after it: "klopt niet", "onwaar", "factcheck", "geen bewijs", "ontkent:", "no evidence",
    "faux", "falsch", a title that answers "Nee" ...

The cues are phrases that posts carrying a claim rarely use about their own claim. Words that
both sides use ("de overheid ontkent", "nepnieuws", "verzonnen", "de waarheid") are left out on
purpose: a spreader mislabelled as a debunk loses the claim-match part of its signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

FACTCHECK_SOURCE_KIND = "factcheck"
SOURCE_CUE = "source"

_CUES = (
    # Dutch
    "klopt niet", "kloppen niet", "klopt dus niet", "klopt helemaal niet", "is niet waar", "niet waar", "onwaar", "onjuist",
    "misleidend", "factcheck", "fact check", "fact-check", "feitencheck", "geen bewijs", "geen aanwijzing",
    "geen aanwijzingen", "bezijden de waarheid", "ontkracht", "weerlegd", "valse bericht", "valse berichten",
    "nepbericht", "kettingbrief", "zo zit het", "blijkt oud", "gerucht klopt", "er is geen plan", "er is geen enkel plan",
    "geen plan of wetsvoorstel", "is er niet", "bestaat niet", "verkeerd voorgesteld", "uit de context",
    "berust niet", "is onzin gebleken", "blijft terugkomen",
    # an attributed denial whose content follows the colon, as a report gives it ("Defensie
    # ontkent: ..."); the bare "ontkent" stays out, posts use it too ("de overheid ontkent het")
    "ontkent:", "ontkennen:",
    # English
    "no evidence", "not true", "is false", "false claim", "debunk", "misleading", "fact checked", "hoax",
    # French
    "c'est faux", "est faux", "infox", "aucune preuve", "trompeur", "vérification des faits",
    # German
    "ist falsch", "faktencheck", "kein beleg", "keine belege", "irreführend", "stimmt nicht",
)
_CUE_PATTERN = re.compile(r"(?<!\w)(" + "|".join(re.escape(c) for c in _CUES) + r")(?!\w)", re.IGNORECASE)
# A title that opens with "no" or ends by answering its question with it: "Nee, ...", "...? Nee".
# Not "...? Nee, ..." in the middle: posts use it too ("Groene vinkjes? Nee, blauwe ...").
_ANSWER_NO = re.compile(r"(^\s*(nee|no|non|nein)\s*[,.:!–-])|(\?\s*(nee|no|non|nein)\s*[.!]?\s*$)", re.IGNORECASE)


@dataclass(frozen=True)
class Stance:
    debunk: bool
    cue: str | None = None  # the words that made it a debunk, or "source"


def debunk_cue(text: str) -> str | None:
    """The first debunking phrase in ``text``, lower-cased; None when there is none."""
    found = _CUE_PATTERN.search(text or "")
    if found:
        return found.group(1).lower()
    answer = _ANSWER_NO.search(text or "")
    return answer.group(0).strip(" ,.:!–-?").lower() if answer else None


def item_stance(title: str, sentences: Sequence[str], matched: int, source_kind: str | None) -> Stance:
    """The stance of an item towards the claim its sentence ``matched`` (an index into
    ``sentences``) states."""
    if source_kind == FACTCHECK_SOURCE_KIND:
        return Stance(True, SOURCE_CUE)
    around = sentences[max(0, matched - 1) : matched + 2]
    for text in (title, *around):
        cue = debunk_cue(text)
        if cue:
            return Stance(True, cue)
    return Stance(False)
