"""A Dutch sentence splitter that returns character offsets into the original text.

    candidates = line breaks, and runs of . ! ? … (with closing quotes/brackets) before whitespace
    keep a candidate unless: the word before is a known abbreviation ("o.a.", "bijv.", "mr."...),
                             an initial ("J. de Vries"), or the next word starts in lower case
    spans are trimmed of whitespace; ``text[start:end]`` is always the sentence exactly

Pure and dependency-free: the evidence highlighting in the dashboard relies on the offsets.
"""

from __future__ import annotations

import re

#: Common Dutch abbreviations that end in a full stop but rarely end a sentence (lower case,
#: without the final full stop).
ABBREVIATIONS = frozenset(
    """
    a.d.h.v a.s adv afd alg art bijv blz bv bvb ca c.q d.d d.m.v d.w.z dhr dr drs e.a e.d e.v
    enz etc evt excl fig gem geb i.c i.e i.h.b i.o.m i.p.v i.s.m i.t.t i.v.m incl ing ir jhr
    jl jr kol lic max mevr min mln mld mr mrd mw n.a.v n.b n.v.t nl nr o.a o.b.v o.m o.i.d
    ong p pag plm pnt prof r.k red resp sr st str t.a.v t.b.v t.g.v t.o.v t.w tel vgl vnl
    vs vz z.g.a.n z.s.m zgn zg jan feb mrt apr jun jul aug sep sept okt nov dec
    ma di wo do vr za zo e.g i.e u.s
    """.split()
)

# A sentence-final run: punctuation, then any closing quotes or brackets.
_FINAL = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"(\S+)$")
# What may start a new sentence: an upper-case letter, a digit, an opening quote or bracket,
# or Dutch elided articles ('s, 't, 'k) which are written in lower case at a sentence start.
_STARTS_SENTENCE = re.compile(r"""[A-ZÀ-ÖØ-Þ0-9"“‘«(\[¿¡#@]|'(?:[stk]\b|[A-ZÀ-ÖØ-Þ])""")
_LINE_BREAK = re.compile(r"\n")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` as (start, end) character offsets, in order, never empty."""
    if not text:
        return []
    cuts = sorted(set(_line_cuts(text)) | set(_punctuation_cuts(text)))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        span = _trimmed(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def sentence_texts(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def _line_cuts(text: str) -> list[int]:
    return [m.end() for m in _LINE_BREAK.finditer(text)]


def _punctuation_cuts(text: str) -> list[int]:
    cuts = []
    for match in _FINAL.finditer(text):
        end = match.end()
        rest = text[end:].lstrip(" \t\u00a0")
        if not rest or rest[0] == "\n":
            cuts.append(end)
            continue
        punctuation = match.group()
        if punctuation.startswith(".") and punctuation.rstrip("\"'”’»)]") == ".":
            if _is_abbreviation_or_initial(text[: match.start()]):
                continue
        if not _STARTS_SENTENCE.match(rest):
            continue
        cuts.append(end)
    return cuts


def _is_abbreviation_or_initial(before: str) -> bool:
    found = _WORD_BEFORE.search(before)
    if not found:
        return False
    word = found.group(1).lstrip("\"'“‘«([")
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. de Vries"
    return word.lower() in ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
