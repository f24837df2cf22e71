"""Small building blocks: scores in words, safe links, evidence inside its paragraph, CSV cells.

Feed content is never trusted: it is shown as text (``html.escape`` before it goes into any
HTML we build), never through Markdown, and a link is made only for http(s) addresses.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard.i18n import t
from dashboard.settings import DashboardSettings
from storage import web_url

#: Spreadsheet programs run cells that start with these as formulas (CSV injection); the
#: full-width forms too, which some spreadsheet programs read as the ASCII ones.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def score_band(score: float, settings: DashboardSettings) -> str:
    """The i18n key of a calibrated score's band."""
    if score >= settings.score_very_high:
        return "score.very_high"
    if score >= settings.score_high:
        return "score.high"
    if score >= settings.score_possible:
        return "score.possible"
    return "score.low"


def score_in_words(score: float | None, settings: DashboardSettings) -> str:
    if score is None:
        return t("score.none")
    return f"{t(score_band(score, settings))} ({score:.2f})"


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) address, else ``None`` (``javascript:``, ``data:``...).
    The one shared rule, ``storage.urls.web_url``, as everywhere else a link is stored or shown."""
    return web_url(url)


def link_html(url: str | None, text: str) -> str:
    """An escaped link, or the escaped text alone when the URL is not http(s)."""
    target = safe_url(url)
    label = html.escape(text or "")
    if target is None:
        return label
    return f'<a href="{html.escape(target, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'


@dataclass(frozen=True)
class EvidenceSpan:
    paragraph: str
    start: int
    end: int


def locate_evidence(
    texts: Sequence[str], evidence: str | None, start: int | None = None, end: int | None = None
) -> EvidenceSpan | None:
    """The paragraph that holds the evidence sentence and the sentence's place in it.

    Offsets are tried first (on each text, as the classifier may have used any of them); when
    they do not point at the evidence, the sentence is searched for."""
    if not evidence:
        return None
    for text in texts:
        if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == evidence:
            return _in_paragraph(text, start, end)
    for text in texts:
        found = text.find(evidence)
        if found >= 0:
            return _in_paragraph(text, found, found + len(evidence))
    return None


def _in_paragraph(text: str, start: int, end: int) -> EvidenceSpan:
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    return EvidenceSpan(text[para_start:para_end], start - para_start, end - para_start)


def evidence_html(span: EvidenceSpan) -> str:
    before = html.escape(span.paragraph[: span.start])
    sentence = html.escape(span.paragraph[span.start : span.end])
    after = html.escape(span.paragraph[span.end :])
    return f'<p class="waakhond-evidence">{before}<mark>{sentence}</mark>{after}</p>'


def text_html(text: str) -> str:
    """Feed text as an escaped paragraph (no Markdown, no HTML)."""
    return f"<p>{html.escape(text or '')}</p>"


def show_text(text: str) -> None:
    st.html(text_html(text))


def show_link(url: str | None, text: str) -> None:
    st.html(f"<p>{link_html(url, text)}</p>")


def csv_cell(value: object) -> str:
    """A cell no spreadsheet program runs as a formula: one that starts with a formula character,
    also after leading spaces or control characters (which some programs skip), gets a ``'``."""
    text = "" if value is None else str(value)
    bare = text.lstrip(" \u00a0\u3000" + "".join(chr(c) for c in range(0x20)))
    return "'" + text if bare.startswith(FORMULA_PREFIXES) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
