"""What a briefing says, as plain data, and the pure steps that shape it: weekly totals from
daily counts, the one-line "why flagged" from the signal's parts, links that are web links.

Feed texts stay text here; the template escapes them (autoescape), and every URL has passed
``storage.urls.web_url`` (clean http/https, or dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from briefing.texts import number, text
from briefing.weeks import IsoWeek, week_of
from storage import web_url
from storage.read_models import SCORING_PARTS, SignalPartsView

CONFIRMING_LABELS = ("disinformation", "misleading")
REJECTING_LABELS = ("not_disinformation",)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str | None = None


@dataclass(frozen=True)
class GuidanceLinks:
    """Guidance handed in by the caller (storage's guidance file, via ``waakhond``):
    the general page (isdatechtzo.nl) and each topic's official pages."""

    general: tuple[Link, ...] = ()
    per_topic: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)

    def for_topic(self, slug: str) -> tuple[Link, ...]:
        return web_links([*self.per_topic.get(slug, ()), *self.general])


@dataclass(frozen=True)
class WeekCount:
    week: IsoWeek
    flagged: int | None  # None: before anything was collected (no data, which is not zero)


@dataclass(frozen=True)
class Claim:
    item_id: int
    title: str
    url: str | None
    source: str
    seen_at: datetime
    evidence: str | None
    why: str | None  # one line from the signal's parts; None when the row has none


@dataclass(frozen=True)
class NarrativeEntry:
    id: int
    title: str
    sentence: str | None
    in_week: int
    previous: int
    item_count: int
    source_count: int
    claims: tuple[Claim, ...] = ()
    debunks: tuple[Link, ...] = ()


@dataclass(frozen=True)
class LabelLine:
    title: str
    label: str  # in the briefing's language
    wrong_part: str | None
    username: str
    created_at: datetime


@dataclass(frozen=True)
class Labels:
    confirmed: int = 0
    rejected: int = 0
    unsure: int = 0
    examples: tuple[LabelLine, ...] = ()

    @property
    def total(self) -> int:
        return self.confirmed + self.rejected + self.unsure


@dataclass(frozen=True)
class TopicSection:
    slug: str
    name: str
    ministry: str | None
    weeks: tuple[WeekCount, ...]  # history then the briefing's week (last)
    narratives: tuple[NarrativeEntry, ...]
    guidance: tuple[Link, ...]
    labels: Labels
    chart_svg: str = ""  # filled by the renderer

    @property
    def this_week(self) -> int:
        return self.weeks[-1].flagged or 0

    @property
    def baseline(self) -> float | None:
        """Mean flagged per week over the history weeks that have data."""
        known = [w.flagged for w in self.weeks[:-1] if w.flagged is not None]
        return sum(known) / len(known) if known else None

    @property
    def history_weeks(self) -> int:
        return sum(w.flagged is not None for w in self.weeks[:-1])


@dataclass(frozen=True)
class BriefingContent:
    week: IsoWeek
    language: str
    generated_at: datetime
    in_progress: bool  # the week is not over at generated_at
    topic: str | None  # the one topic asked for, None: all
    sections: tuple[TopicSection, ...]
    quiet_topics: tuple[str, ...]  # names of topics without flagged messages this week
    timezone: str

    def summary(self) -> dict[str, object]:
        """Figures stored with the briefing and quoted in alerts (plain JSON)."""
        return {
            "week": self.week.label, "language": self.language, "topic": self.topic,
            "flagged": sum(s.this_week for s in self.sections),
            "topics": [{"slug": s.slug, "name": s.name, "flagged": s.this_week,
                        "narratives_grown": sum(n.in_week > n.previous for n in s.narratives)} for s in self.sections],
            "narratives_grown": len({n.id for s in self.sections for n in s.narratives if n.in_week > n.previous}),
            "top_narrative": next((n.title for s in self.sections for n in s.narratives), None),
            "in_progress": self.in_progress,
        }


# ----------------------------------------------------------------------------- pure steps
def web_links(links: Iterable[Link]) -> tuple[Link, ...]:
    """Only clean http(s) links, each once (by URL), in order."""
    seen, out = set(), []
    for link in links:
        clean = web_url(link.url)
        if clean is not None and clean not in seen:
            seen.add(clean)
            out.append(Link(link.title, clean, link.note))
    return tuple(out)


def weekly_counts(
    per_day: Iterable[tuple[date, int]], weeks: list[IsoWeek], first_counted: date | None
) -> tuple[WeekCount, ...]:
    """Daily flagged counts summed per ISO week; a week that ended before the first day with
    any items has no data (None), not zero."""
    totals: dict[IsoWeek, int] = {}
    for day, flagged in per_day:
        totals[week_of(day)] = totals.get(week_of(day), 0) + flagged
    return tuple(
        WeekCount(w, None if first_counted is None or w.last_day < first_counted else totals.get(w, 0)) for w in weeks
    )


def why_line(parts: SignalPartsView | None, language: str, topic_names: Mapping[str, str] | None = None) -> str | None:
    """Why one message was flagged, in one line, from the parts that raised the flag (or, when
    the row does not say which, the scoring parts at or above their own threshold)."""
    if parts is None:
        return None
    if parts.flagged_by is not None:
        raised = [p for p in parts.parts if p.raised_flag and p.name in SCORING_PARTS]
    else:
        raised = [p for p in parts.parts if p.name in SCORING_PARTS and p.above_threshold]
    reasons = []
    for part in sorted(raised, key=lambda p: SCORING_PARTS.index(p.name)):
        if part.name == "narrative":
            label = (text("part.narrative", language, name=part.narrative) if part.narrative
                     else text("part.narrative_unnamed", language))
        else:
            label = text(f"part.{part.name}", language)
        if part.score is not None:
            label += f" ({number(part.score, language, 2)})"
        reasons.append(label)
    if not reasons:
        return None
    topic = parts.part("topic")
    if topic is not None and topic.topic_slug:
        reasons.append(f"{text('part.topic', language)} {(topic_names or {}).get(topic.topic_slug, topic.topic_slug)}")
    return text("why", language, reasons="; ".join(reasons))


def labels_of(counts: Mapping[str, int], examples: Iterable[LabelLine]) -> Labels:
    return Labels(
        confirmed=sum(counts.get(k, 0) for k in CONFIRMING_LABELS),
        rejected=sum(counts.get(k, 0) for k in REJECTING_LABELS),
        unsure=counts.get("unsure", 0),
        examples=tuple(examples),
    )
