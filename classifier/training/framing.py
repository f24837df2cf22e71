"""Frame augmentation for the disinformation head (recipe real3): the same claim or news
sentence, carried as people pass it on: hearsay ("Kreeg dit net doorgestuurd: ..."), a
worried question ("... Weet iemand of dit waar is?") or a reader's letter ("Een lezer
schrijft: '...'").

Why: posts in a spike rarely state the claim bare; they wrap it in a frame, and a head trained
on bare statements scores the frame rather than the claim (issue #19: spike posts that are
questions or letters stayed below the threshold). Both sides get frames, the false narratives
and the true news, opinion and criticism alike, so the frame itself never becomes the signal.

The frames were written for this module; none is copied from the demo corpus (a test checks
that no frame's words appear as a run of four in its spike posts). Deterministic (fixed seed);
frame variants, like attribution variants, are only ever added to a training part.

Measured on 2026-12-04 and not made the default: the demo's spike posts did not move, and the
held-out real rows were flagged slightly more (models/README.md, "What the default still gets
wrong"). The recipe stays for comparison runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from classifier.training.train import Example

#: Dutch words that the English, French and German claims do not use (for ``looks_dutch``).
DUTCH_MARKERS = frozenset({
    "het", "een", "van", "wordt", "worden", "niet", "voor", "zijn", "wij", "ze", "alle", "geen", "om", "er", "heeft",
    "hun", "krijgen", "krijgt", "moet", "moeten", "gaat", "gaan", "bij", "naar", "ook", "nu", "hebben", "uit", "op", "officieel",
})

FRAME_SEED = 20261204
#: ``{text}`` is the sentence as written (ending in ., ! or ?).
FRAMES = (
    "Kreeg dit net doorgestuurd: {text}",
    "Een kennis die bij de overheid werkt vertelde me: {text}",
    "In onze buurtapp gaat dit rond: {text}",
    "Ik zag het vandaag voorbijkomen: {text}",
    "Ik hoor het steeds vaker: {text}",
    "{text} Weet iemand of dit waar is?",
    "{text} Klopt dit eigenlijk?",
    "{text} Heeft iemand hier meer over gehoord?",
    "Vraag aan de groep: {text} Wat vinden jullie?",
    "Brief van een lezer: '{text}'",
    "Een lezer schrijft: '{text}'",
    "Zorgen bij omwonenden: '{text}'",
)
#: Positive sources that get a frame (Dutch rows only, see ``looks_dutch``).
FRAMED_POSITIVE_SOURCES = ("seed_narrative", "claims_false")
#: Negative sources that get a frame: every Dutch constructed negative, news and opinion alike.
FRAMED_NEGATIVE_SOURCES = ("seed_news", "seed_opinion", "background_news", "hard_negatives",
                           "hard_negatives_v2", "hard_news_v2")
#: Longer texts (articles) are left alone: a frame around a paragraph is not how posts look.
MAX_FRAMED_CHARS = 400


def looks_dutch(text: str) -> bool:
    """Enough for the claims set (nl/en/fr/de): a Dutch function word that the others lack."""
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    return bool(words & DUTCH_MARKERS)


def framed(text: str, frame: str) -> str:
    """``text`` inside ``frame``; a sentence without end punctuation gets a full stop."""
    body = text.strip()
    if body[-1:] not in ".!?":
        body += "."
    return frame.format(text=body)


def frame_variants(examples: Sequence[Example], seed: int = FRAME_SEED) -> list[Example]:
    """One framed variant per eligible single-paragraph Dutch example of the sources above."""
    rng = np.random.default_rng(seed)
    variants = []
    for example in examples:
        if "\n" in example.text or len(example.text) > MAX_FRAMED_CHARS or not example.text.strip():
            continue
        if example.origin not in FRAMED_POSITIVE_SOURCES + FRAMED_NEGATIVE_SOURCES:
            continue
        if not looks_dutch(example.text):
            continue
        frame = FRAMES[int(rng.integers(len(FRAMES)))]
        variants.append(replace(example, text=framed(example.text, frame), origin=f"{example.origin}+frame"))
    return variants
