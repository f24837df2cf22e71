"""Evaluating the alert rules once: gather facts, decide, send, record.

    rules    <- enabled rules with enabled channels                         (storage.repositories.alerts)
    facts    <- only what those rules look at: narratives with debunks, spikes per narrative
                and per topic (classifier.narratives.spikes), debunked claims seen again, sources down
    intents  =  rules.evaluate_rule(...) per rule    (a broken rule is reported, others go on)
    to send  =  rules.decide(intents, last alerts, now)       (de-duplication and cooldown)
    each: channels.deliver(...) -> one ``alerts`` row, sent or failed (its own transaction);
          a failing channel never stops the others, nor the service
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from alerts.briefing_facts import BriefingMaker, due_briefings
from alerts.channels import AlertDeliveryError, deliver
from alerts.messages import AlertMessage, Link, debunk_links, signal_part_lines
from alerts.rules import (
    AlertFacts,
    AlertIntent,
    NarrativeFact,
    RuleSpec,
    SpikeFact,
    decide,
    evaluate_rule,
)
from alerts.settings import AlertSettings
from classifier.narratives import NarrativeSettings, series_hours, spikes_now
from storage import Guidance, GuidanceError, load_guidance, transaction
from storage.read_models import latest_signal_parts
from storage.read_models import narratives as narrative_views
from storage.repositories import alerts as repo
from storage.schema import utcnow

log = logging.getLogger(__name__)
#: Narratives looked at by the narrative rules: open, with at least two items (one item is
#: no narrative yet), at most this many, most recently active first.
MAX_NARRATIVES = 1000
MIN_NARRATIVE_ITEMS = 2

Sender = Callable[[str, dict, AlertMessage, AlertSettings], None]


@dataclass
class EvaluationReport:
    rules: int = 0
    intents: int = 0
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    rule_errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rules": self.rules, "intents": self.intents, "sent": self.sent, "failed": self.failed,
                "suppressed": self.suppressed, "rule_errors": dict(self.rule_errors)}


def _links(guidance: Guidance | None, slugs: list[str]) -> tuple[Link, ...]:
    if guidance is None:
        return ()
    return tuple(Link(g.title, g.url) for g in guidance.links_for(slugs))


def gather_facts(session: Session, kinds: set[str], narratives: NarrativeSettings, now: datetime,
                 guidance: Guidance | None, sighting_hours: int = 24) -> AlertFacts:
    """The facts the given rule kinds look at; ``sighting_hours``: how far back to look for
    debunked claims seen again (the longest lookback of the rules)."""
    spike_settings = narratives.spikes
    topics = repo.topic_names(session)
    topic_words = {slug: name for slug, (_, name) in topics.items()}
    history_start = repo.first_item_time(session)
    narrative_facts: dict[int, NarrativeFact] = {}
    if kinds & {"new_narrative", "narrative_spike"}:
        views = narrative_views.list_narratives(session, min_items=MIN_NARRATIVE_ITEMS, limit=MAX_NARRATIVES)
        debunks = narrative_views.narrative_debunks(session, [v.id for v in views])
        parts = latest_signal_parts(session, [v.representative_item_id for v in views if v.representative_item_id])
        for v in views:
            narrative_facts[v.id] = NarrativeFact(
                v.id, v.title, v.representative_sentence, tuple(topics.get(s, (None, s))[1] for s in v.topics),
                v.item_count, v.source_count, v.first_seen, v.last_seen,
                debunk_links([(d.claim, d.url, d.publisher, d.rating) for d in debunks[v.id]]),
                _links(guidance, v.topics),
                signal_part_lines(parts.get(v.representative_item_id), topic_words,
                                  "Waarom het voorbeeldbericht gesignaleerd is"),
            )
    since = now - timedelta(hours=series_hours(spike_settings))
    narrative_spikes: list[SpikeFact] = []
    if "narrative_spike" in kinds:
        recent = [nid for nid, n in narrative_facts.items()
                  if n.last_seen and n.last_seen >= now - timedelta(hours=spike_settings.window_hours)]
        times = narrative_views.member_times(session, recent, since)
        for key, test in spikes_now({str(k): v for k, v in times.items()}, now, spike_settings, history_start).items():
            n = narrative_facts[int(key)]
            narrative_spikes.append(SpikeFact(key, n.title, test, narrative=n, guidance=n.guidance))
    topic_spikes: list[SpikeFact] = []
    if "topic_spike" in kinds:
        times = repo.flagged_times_by_topic(session, since)
        for slug, test in spikes_now(times, now, spike_settings, history_start).items():
            topic_id, name = topics.get(slug, (None, slug))
            topic_spikes.append(SpikeFact(slug, name, test, topic_id=topic_id, guidance=_links(guidance, [slug])))
    sightings = []
    if "debunk_seen_again" in kinds:
        sightings = repo.debunk_sightings(session, now - timedelta(hours=sighting_hours))
    sighting_parts = latest_signal_parts(session, sorted({s.item_id for s in sightings}))
    outages = repo.source_outages(session) if "source_down" in kinds else []
    general = _links(guidance, [])
    return AlertFacts(
        now=now, window_hours=spike_settings.window_hours, narratives=tuple(narrative_facts.values()),
        narrative_spikes=tuple(narrative_spikes), topic_spikes=tuple(topic_spikes), sightings=tuple(sightings),
        outages=tuple(outages), guidance_general=general,
        sighting_part_lines={i: signal_part_lines(v, topic_words) for i, v in sighting_parts.items()},
    )


def evaluate_and_send(
    sessions: sessionmaker[Session], settings: AlertSettings, narratives: NarrativeSettings, dashboard_url: str,
    now: datetime | None = None, sender: Sender = deliver, briefing_maker: BriefingMaker | None = None,
) -> EvaluationReport:
    """Evaluate every enabled rule once and deliver what may be sent; ``briefing_maker`` makes
    a weekly briefing that a ``briefing`` rule is due to send (without it, only stored ones go)."""
    now = now or utcnow()
    report = EvaluationReport()
    try:
        guidance = load_guidance()
    except GuidanceError as exc:  # alerts still go out, without the guidance links
        log.warning("guidance links unavailable: %s", exc)
        guidance = None
    with transaction(sessions) as session:
        rules = [RuleSpec(r.id, r.name, r.kind, dict(r.params or {}), r.channel_id, r.cooldown_seconds)
                 for r in repo.list_rules(session, enabled_only=True)]
        channels = {c.id: (c.kind, dict(c.config or {}), c.name) for c in repo.list_channels(session)}
        if not rules:
            return report
        lookback = max((int(r.params.get("lookback_hours", 24)) for r in rules if r.kind == "debunk_seen_again"), default=24)
        facts = gather_facts(session, {r.kind for r in rules}, narratives, now, guidance, lookback)
        last = repo.last_alerts(session, [r.id for r in rules])
    report.rules = len(rules)
    if any(r.kind == "briefing" for r in rules):
        briefings, briefing_errors = due_briefings(sessions, rules, last, now, briefing_maker)
        facts = replace(facts, briefings=briefings)
        report.rule_errors.update(briefing_errors)
    intents: list[AlertIntent] = []
    for rule in rules:
        try:
            intents.extend(evaluate_rule(rule, facts, dashboard_url))
        except Exception as exc:  # one broken rule (bad parameters) must not silence the others
            report.rule_errors[rule.name] = f"{type(exc).__name__}: {exc}"
            log.warning("alert rule %s failed: %s", rule.name, exc)
    report.intents = len(intents)
    cooldowns = {r.id: r.cooldown_seconds for r in rules}
    chosen = decide(intents, last, cooldowns, now, settings.retry_minutes * 60)
    report.suppressed = len(intents) - len(chosen)
    for intent in chosen:
        kind, config, channel_name = channels[intent.channel_id]
        error = None
        try:
            sender(kind, config, intent.message, settings)
        except AlertDeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in a channel is still only that channel's failure
            error = f"{type(exc).__name__}: {exc}"
        with transaction(sessions) as session:
            repo.record_alert(
                session, rule_id=intent.rule_id, channel_id=intent.channel_id, dedup_key=intent.dedup_key,
                status="failed" if error else "sent", subject=intent.message.subject,
                payload=intent.message.payload(), evidence_at=intent.evidence_at, error=error, at=now,
            )
        if error:
            report.failed += 1
            log.warning("alert to channel %s failed: %s", channel_name, error)
        else:
            report.sent += 1
    return report
