"""The signal by its parts: "Waarom staat dit hier? / Why is this here?"

One line for the combined flag (which parts raised it, by which rule), then one line per part:
its calibrated number against its own threshold, whether it raised the flag, and what it
measures, with what it points at (the sentence, the narrative's name, the fact-check's claim).
Rows scored before the parts existed, and parts a row does not have, are said so plainly.

Everything a part carries from a feed or a model is escaped (``html.escape``) before it goes
into the HTML built here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from dashboard.i18n import current_language, t
from dashboard.messages import MESSAGES
from storage.read_models import PartReading, SignalDetail, SignalPartsView, TopicView, read_signal_parts

#: Fact-check ratings the dashboard has words for (``rating.*`` texts).
KNOWN_RATINGS = ("false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "unknown")


def part_names(names: Sequence[str]) -> str:
    return ", ".join(t(f"part.{n}").lower() for n in names)


def _topic_label(slug: str, topics: Sequence[TopicView]) -> str:
    for topic in topics:
        if topic.slug == slug:
            return topic.name_en if current_language() == "en" and topic.name_en else topic.name
    return slug


def _number(value: float | None) -> str:
    return t("parts.no_number") if value is None else f"{value:.2f}"


def flag_summary(view: SignalPartsView, flagged: bool) -> str:
    """The combined flag in one sentence (plain text, not yet escaped)."""
    rule = view.rule or t("parts.rule_unknown")
    if view.flagged_by:
        return t("parts.flagged_by", parts=part_names(view.flagged_by), rule=rule)
    if view.flagged_by is None and flagged:
        return t("parts.flagged_unknown", rule=rule)
    if "claim_match" in view.held_back_by:
        return t("parts.held_back_debunk", rule=rule)
    if view.held_back_by:
        return t("parts.held_back", gates=", ".join(t(f"parts.gate.{g}") if f"parts.gate.{g}" in MESSAGES else g
                                                    for g in view.held_back_by), rule=rule)
    return t("parts.not_flagged", rule=rule)


def _measure(part: PartReading, topics: Sequence[TopicView]) -> str:
    """The number against its threshold, and what that means (plain text); for the topic, its
    name and number."""
    if part.name == "topic":
        name = _topic_label(part.topic_slug, topics) if part.topic_slug else t("topic.none")
        return name if part.score is None else f"{name} ({_number(part.score)})"
    if part.threshold is None:
        words = [_number(part.score)]
    else:
        words = [t("parts.score_threshold", score=_number(part.score), threshold=_number(part.threshold))]
    if part.above_threshold is not None:
        words.append(t("parts.above") if part.above_threshold else t("parts.below"))
    if part.raised_flag:
        words.append(t("parts.raised"))
    return ", ".join(words)


def _points_at(part: PartReading, hide_numbers: bool) -> str | None:
    """What the part points at (plain text), or None."""
    if part.name == "checkworthy" and part.sentence:
        return t("parts.detail.checkworthy", sentence=part.sentence)
    if part.name == "claim_match" and part.claim:
        text = t("parts.detail.claim_match", claim=part.claim)
        if part.rating_normalised in KNOWN_RATINGS:
            text += f" ({t(f'rating.{part.rating_normalised}')})"
        elif part.rating:
            text += f" ({part.rating})"
        return text
    if part.name == "narrative" and part.narrative:
        text = t("parts.detail.narrative", name=part.narrative)
        if part.similarity is not None and not hide_numbers:
            text += f" ({t('signal.similarity')} {part.similarity:.2f})"
        return text
    if part.name == "head" and (part.version or part.components):
        text = t("parts.detail.head", version=part.version) if part.version else ""
        if part.components and not hide_numbers:
            shown = ", ".join(f"{component_label(name)} {value:.2f}" for name, value in part.components)
            text = f"{text} {t('parts.detail.head_components', parts=shown)}".strip()
        return text or None
    return None


def component_label(name: str) -> str:
    """A head component's name for people; a name the dashboard has no words for, as stored."""
    key = f"parts.component.{name}"
    return t(key) if key in MESSAGES else name


def part_line_html(part: PartReading, topics: Sequence[TopicView], hide_numbers: bool = False) -> str:
    """One part as an escaped list item: name, number against threshold, one-line explanation."""
    head = f"<strong>{html.escape(t(f'part.{part.name}'))}</strong>"
    if part.name == "topic" and hide_numbers:
        head += f": {html.escape(_measure(PartReading('topic', None, topic_slug=part.topic_slug), topics))}"
    elif not hide_numbers:
        head += f": {html.escape(_measure(part, topics))}"
    explanation = t(f"parts.explain.{part.name}")
    target = _points_at(part, hide_numbers)
    if target:
        explanation += f" {target}"
    return f"<li>{head}<br/><small>{html.escape(explanation)}</small></li>"


def parts_html(view: SignalPartsView | None, flagged: bool, topics: Sequence[TopicView],
               hide_numbers: bool = False) -> str:
    """The whole panel as escaped HTML. ``hide_numbers`` leaves out every number and the flag
    (the labelling page's switch that keeps the model from anchoring the judgement)."""
    title = f"<p><strong>{html.escape(t('parts.why'))}</strong></p>"
    if view is None:
        return f'<div class="waakhond-parts">{title}<p><small>{html.escape(t("parts.none"))}</small></p></div>'
    summary = "" if hide_numbers else f"<p>{html.escape(flag_summary(view, flagged))}</p>"
    lines = "".join(part_line_html(p, topics, hide_numbers) for p in view.parts)
    listing = f"<ul>{lines}</ul>" if lines else ""
    missing = (f"<p><small>{html.escape(t('parts.missing', parts=part_names(view.missing)))}</small></p>"
               if view.missing else "")
    return f'<div class="waakhond-parts">{title}{summary}{listing}{missing}</div>'


def show_signal_parts(detail: SignalDetail, hide_numbers: bool = False) -> None:
    st.html(parts_html(read_signal_parts(detail.signal_parts), detail.flagged, detail.topics, hide_numbers))
