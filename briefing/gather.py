"""Reading one week's briefing out of storage (read-only; the caller owns the session).

    topics        policy topics (one, with ``topic``), each with flagged messages per week
                  (``daily_topic_counts``: refresh it first, as the service does every tick)
    narratives    open narratives of the topic with messages in the week, those that grew
                  first; their best flagged messages with the evidence sentence and why they
                  were flagged; the fact-checks matched to any member
    labels        what analysts confirmed or rejected in the week
    guidance      handed in (``GuidanceLinks``): the topic's pages and isdatechtzo.nl
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from briefing.content import (
    BriefingContent,
    Claim,
    GuidanceLinks,
    LabelLine,
    Link,
    NarrativeEntry,
    TopicSection,
    labels_of,
    weekly_counts,
    why_line,
)
from briefing.errors import BriefingError
from briefing.settings import BriefingSettings
from briefing.texts import LANGUAGES, text
from briefing.weeks import IsoWeek
from storage import web_url
from storage.read_models import PART_NAMES, SignalFilter, first_counted_day, flagged_per_day, growth, signals
from storage.read_models import narratives as narrative_views


class UnknownTopic(BriefingError, ValueError):
    """The topic asked for is not a policy topic."""


def _topic_name(topic: signals.TopicView, language: str) -> str:
    return topic.name_en if language == "en" and topic.name_en else topic.name


def _debunk_links(debunks: list[narrative_views.DebunkView], language: str) -> tuple[Link, ...]:
    out = []
    for d in debunks:
        rating = text(f"rating.{d.rating}", language) if d.rating else ""
        said = d.rating_text if d.rating_text and d.rating_text.strip().lower() not in (d.rating, rating.lower()) else None
        note = f"{d.publisher}: {rating}" + (f" ({said})" if said else "")
        out.append(Link(d.claim, d.url, note))
    return tuple(link for link in out if web_url(link.url) is not None)


def build_briefing(
    session: Session, week: IsoWeek, *, now: datetime, settings: BriefingSettings, guidance: GuidanceLinks,
    language: str = "nl", topic: str | None = None,
) -> BriefingContent:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    topics = [t for t in signals.topic_list(session) if topic is None or t.slug == topic]
    if topic is not None and not topics:
        raise UnknownTopic(f"no policy topic {topic!r}")
    names = {t.slug: _topic_name(t, language) for t in topics}
    all_names = {t.slug: _topic_name(t, language) for t in signals.topic_list(session)}
    weeks = [*week.previous(settings.history_weeks), week]
    per_day = flagged_per_day(session, SignalFilter(weeks[0].first_day, week.last_day))
    first_counted = first_counted_day(session)
    previous_start = week.shifted(-1).start
    sections, quiet = [], []
    for t in topics:
        counts = weekly_counts([(c.day, c.flagged) for c in per_day if c.topic_id == t.id], weeks, first_counted)
        grown = growth.narrative_growth(session, week.start, week.end, previous_start, topic=t.slug,
                                                min_items=settings.min_narrative_items)
        grown = [g for g in grown if g.growth > 0][: settings.narratives_per_topic]
        ids = [g.narrative.id for g in grown]
        members = growth.flagged_members(session, ids, week.start, week.end, settings.claims_per_narrative)
        rows = growth.claim_rows(session, [i for m in members.values() for i in m])
        debunks = narrative_views.narrative_debunks(session, ids)
        entries = tuple(
            NarrativeEntry(
                g.narrative.id, g.narrative.title, g.narrative.representative_sentence, g.in_period, g.previous,
                g.narrative.item_count, g.narrative.source_count,
                tuple(Claim(r.item_id, r.title, web_url(r.url), r.source_name, r.seen_at, r.evidence_text,
                            why_line(r.parts, language, all_names))
                      for r in (rows[i] for i in members[g.narrative.id] if i in rows)),
                _debunk_links(debunks[g.narrative.id], language),
            )
            for g in grown
        )
        summary = growth.label_summary(session, week.start, week.end, topic_id=t.id,
                                               examples=settings.label_examples)
        labels = labels_of(summary.counts, [
            LabelLine(e.title, text(f"label.{e.label}", language),
                      text(f"part_name.{e.wrong_part}", language) if e.wrong_part in PART_NAMES else e.wrong_part,
                      e.username, e.created_at)
            for e in summary.examples
        ])
        section = TopicSection(t.slug, names[t.slug], t.ministry, counts, entries, guidance.for_topic(t.slug), labels)
        if section.this_week or entries or labels.total:
            sections.append(section)
        else:
            quiet.append(names[t.slug])
    sections.sort(key=lambda s: (-s.this_week, -len(s.narratives), s.name))
    return BriefingContent(week, language, now, now < week.end, topic, tuple(sections), tuple(sorted(quiet)),
                           settings.timezone)
