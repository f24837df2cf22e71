"""The match panel: why a fact-check is linked to this item.

For each stored match, side by side: the item's sentence that matched and the fact-check's claim
(a link to the fact-check); under them the publisher, the verdict in the publisher's own words
with the normalised rating, the language pair (item -> fact-check), the second-stage score
against its threshold, the sentences' cosine, and whether the item quotes the claim to refute it
(a debunk, which does not count as spreading it).

Everything from a feed or a fact-check page is hostile: it is escaped (``html.escape`` through
``link_html``) before it goes into the HTML built here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import streamlit as st

from dashboard.components import link_html
from dashboard.i18n import t
from storage.read_models import SignalDetail
from storage.repositories import MatchView

#: Fact-check ratings the dashboard has words for (``rating.*`` texts).
KNOWN_RATINGS = ("false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "unknown")
FACTCHECK_SOURCE_CUE = "source"  # classifier.matching.stance: the item comes from a fact-checker


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def language_pair(match: MatchView) -> str:
    return f"{(match.item_language or '?').lower()[:2]} → {(match.language or '?').lower()[:2]}"


def stored_threshold(signal_parts: object, fact_check_id: int) -> float | None:
    """The threshold the matcher used, from the ``claim_match`` part when it is about this match."""
    if not isinstance(signal_parts, Mapping):
        return None
    part = signal_parts.get("claim_match")
    if not isinstance(part, Mapping) or part.get("fact_check_id") != fact_check_id:
        return None
    value = part.get("threshold")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rating(match: MatchView) -> str:
    normalised = t(f"rating.{match.rating}") if match.rating in KNOWN_RATINGS else match.rating
    return t("match.rating", words=match.rating_text or normalised, normalised=normalised)


def _score(match: MatchView, threshold: float | None, hide_numbers: bool) -> str:
    if match.score is None:
        return t("match.score", score=t("match.no_score"))
    if hide_numbers:
        return ""
    score = f"{match.score:.2f}"
    if threshold is not None:
        score = t("match.score_threshold", score=score, threshold=f"{threshold:.2f}")
    return t("match.score", score=score)


def match_html(match: MatchView, threshold: float | None = None, hide_numbers: bool = False) -> str:
    """One match as HTML; every text in it escaped."""
    sentence = match.sentence or ""
    claim = link_html(match.url, match.claim)
    facts = [_e(match.publisher), _e(_rating(match)), _e(t("match.languages", pair=language_pair(match)))]
    score = _score(match, threshold, hide_numbers)
    if score:
        facts.append(_e(score))
    if not hide_numbers:
        facts.append(_e(t("match.cosine", cosine=f"{match.similarity:.2f}")))
    if match.debunk:
        cue = t("match.debunk_source") if match.debunk_cue == FACTCHECK_SOURCE_CUE else f"“{match.debunk_cue or ''}”"
        stance = t("match.debunk", cue=cue)
    else:
        stance = t("match.spreads")
    return (
        '<div class="waakhond-match" style="margin-bottom:0.8em">'
        '<table style="width:100%;border-collapse:collapse"><tr>'
        f'<th style="text-align:left;width:50%">{_e(t("match.sentence"))}</th>'
        f'<th style="text-align:left;width:50%">{_e(t("match.claim"))}</th></tr>'
        f'<tr><td style="vertical-align:top"><q class="waakhond-match-sentence">{_e(sentence)}</q></td>'
        f'<td style="vertical-align:top">{claim}</td></tr></table>'
        f'<small>{" · ".join(facts)}</small><br/><small><em>{_e(stance)}</em></small></div>'
    )


def matches_html(matches: Sequence[MatchView], signal_parts: object = None, hide_numbers: bool = False) -> str:
    if not matches:
        return f"<p><small>{_e(t('signal.no_factchecks'))}</small></p>"
    return "".join(match_html(m, stored_threshold(signal_parts, m.fact_check_id), hide_numbers) for m in matches)


def show_matches(detail: SignalDetail, hide_numbers: bool = False) -> None:
    """The match panel of one signal."""
    st.markdown(f"**{t('signal.factchecks')}**")
    st.html(matches_html(detail.matches, detail.signal_parts, hide_numbers))
