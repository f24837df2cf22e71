"""The evidence of a signal: which text is scored, which sentence is shown, where it is.

The scored text of an item is ``item_text(title, summary, body_text)``:

    title + "\\n\\n" + (body_text if present, else summary)

(the same layout as the claim matcher's ``match_text``). ``classifications.evidence_start`` /
``evidence_end`` and ``item_sentences.char_start`` / ``char_end`` are character offsets into
that string, so ``item_text(...)[start:end] == evidence_text``. Paragraphs are its lines:
``paragraph_bounds`` gives the paragraph around a span, for highlighting in context.
If an item's text changed after scoring, ``locate_evidence`` finds the sentence again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def item_text(title: str | None, summary: str | None, body_text: str | None) -> str:
    body = body_text or summary or ""
    title = title or ""
    return f"{title}\n\n{body}" if title and body else (title or body)


@dataclass(frozen=True)
class SentenceSignal:
    start: int
    end: int
    score: float
    checkworthiness: float | None = None


def choose_evidence(
    sentences: Sequence[SentenceSignal], window: tuple[int, int], checkworthy_threshold: float | None
) -> int | None:
    """Index of the evidence sentence: the highest-scoring sentence inside the best window,
    among the check-worthy ones when there are any (a checkable claim is better evidence than
    an opinion or a greeting). Sentences partly inside the window count; if none does, all do."""
    if not sentences:
        return None
    start, end = window
    inside = [i for i, s in enumerate(sentences) if s.start < end and s.end > start]
    pool = inside or list(range(len(sentences)))
    if checkworthy_threshold is not None:
        worthy = [i for i in pool if (sentences[i].checkworthiness or 0.0) >= checkworthy_threshold]
        pool = worthy or pool
    return max(pool, key=lambda i: (sentences[i].score, -i))


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The line (paragraph) of ``text`` around the span [start, end)."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    return para_start, len(text) if para_end < 0 else para_end


def locate_evidence(text: str, evidence_text: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where the evidence is in ``text`` now: the stored offsets if they still hold, else the
    occurrence nearest to them, else None."""
    if not evidence_text:
        return None
    if start is not None and end is not None and text[start:end] == evidence_text:
        return start, end
    found, best = text.find(evidence_text), None
    while found >= 0:
        if best is None or abs(found - (start or 0)) < abs(best - (start or 0)):
            best = found
        found = text.find(evidence_text, found + 1)
    return None if best is None else (best, best + len(evidence_text))
