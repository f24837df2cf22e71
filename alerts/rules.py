"""Alert rules: which rules fire on the facts, and which of those may be sent now (pure).

    facts    = narratives, spikes, debunked claims seen again, sources down   (gathered by
               ``alerts.evaluate`` through storage)
    intents  = evaluate_rule(rule, facts, dashboard_url)  for every enabled rule
    to send  = decide(intents, last alerts per (rule, key), now)

De-duplication and cooldown. Every intent has a key (the narrative, the topic, the
fact-check, the source) and the time of the newest event behind it (``evidence_at``):
- a "new narrative" alert is sent once per narrative, ever;
- otherwise an intent is dropped while the last alert with the same key was sent less than the
  rule's cooldown ago, or when nothing newer has happened since (its evidence is not newer);
- after a failed delivery the same key is tried again only after ``retry_seconds``.
So one narrative pages the team once, a spike once per cooldown, an outage once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alerts.briefing_schedule import (
    BRIEFING_PARAMS,
    BriefingFact,
    briefing_key,
    briefing_message,
    due_week,
    schedule_from_params,
)
from alerts.errors import AlertsError
from alerts.messages import (
    AlertMessage,
    Link,
    dashboard_link,
    debunk_links,
    plural,
    quote,
    when,
)
from classifier.narratives import SpikeTest
from storage.repositories import RULE_KINDS, DebunkSighting, LastAlerts, SourceOutage

#: Parameters of each rule kind, with their defaults and the type they must have.
RULE_PARAMS: dict[str, dict[str, tuple[type, Any]]] = {
    "new_narrative": {"min_sources": (int, 3), "min_items": (int, 3)},
    "narrative_spike": {"min_sources": (int, 1)},
    "topic_spike": {"topic": (str, None)},
    "debunk_seen_again": {"lookback_hours": (int, 24)},
    "source_down": {"hours": (float, 6.0)},
    "briefing": BRIEFING_PARAMS,  # the weekly briefing on a schedule (briefing_schedule)
}


class RuleError(AlertsError, ValueError):
    """A rule's parameters are wrong."""


def validate_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Known parameters only, of the right type, positive numbers; defaults filled in."""
    if kind not in RULE_KINDS:
        raise RuleError(f"unknown rule kind {kind!r}: use one of {', '.join(RULE_KINDS)}")
    spec = RULE_PARAMS[kind]
    unknown = set(params) - set(spec)
    if unknown:
        raise RuleError(f"unknown parameter(s) for {kind}: {', '.join(sorted(unknown))} (known: {', '.join(spec) or 'none'})")
    out: dict[str, Any] = {}
    for name, (kind_type, default) in spec.items():
        value = params.get(name, default)
        if value is None:
            continue
        try:
            value = kind_type(value)
        except (TypeError, ValueError) as exc:
            raise RuleError(f"{name} must be a {kind_type.__name__}") from exc
        if isinstance(value, int | float) and value <= 0:
            raise RuleError(f"{name} must be positive")
        out[name] = value
    if kind == "briefing":
        try:
            schedule_from_params(out)
        except ValueError as exc:
            raise RuleError(str(exc)) from exc
    return out


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    kind: str
    params: dict[str, Any]
    channel_id: int
    cooldown_seconds: int


@dataclass(frozen=True)
class NarrativeFact:
    id: int
    title: str
    sentence: str | None
    topics: tuple[str, ...]  # display names
    item_count: int
    source_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    debunks: tuple[Link, ...] = ()
    guidance: tuple[Link, ...] = ()
    part_lines: tuple[str, ...] = ()  # the representative item's signal by its parts (signal_part_lines)


@dataclass(frozen=True)
class SpikeFact:
    key: str  # topic slug, or narrative id as text
    name: str
    test: SpikeTest
    topic_id: int | None = None
    narrative: NarrativeFact | None = None
    guidance: tuple[Link, ...] = ()


@dataclass(frozen=True)
class AlertFacts:
    now: datetime
    window_hours: int
    narratives: tuple[NarrativeFact, ...] = ()
    narrative_spikes: tuple[SpikeFact, ...] = ()
    topic_spikes: tuple[SpikeFact, ...] = ()
    sightings: tuple[DebunkSighting, ...] = ()
    outages: tuple[SourceOutage, ...] = ()
    guidance_general: tuple[Link, ...] = ()
    sighting_guidance: dict[int, tuple[Link, ...]] = field(default_factory=dict)
    briefings: dict[str, BriefingFact] = field(default_factory=dict)  # dedup key -> briefing due now
    sighting_part_lines: dict[int, tuple[str, ...]] = field(default_factory=dict)  # item id -> its parts in words


@dataclass(frozen=True)
class AlertIntent:
    rule_id: int
    channel_id: int
    dedup_key: str
    evidence_at: datetime | None
    once: bool
    message: AlertMessage


# ----------------------------------------------------------------------------- rule kinds
def _narrative_lines(n: NarrativeFact) -> list[str]:
    lines = [f"Bewering: “{quote(n.sentence or n.title)}”",
             f"{plural(n.item_count, 'bericht', 'berichten')} uit {plural(n.source_count, 'bron', 'bronnen')}, "
             f"voor het eerst gezien {when(n.first_seen)}, laatst {when(n.last_seen)}."]
    if n.topics:
        lines.append(f"Onderwerp: {', '.join(n.topics)}.")
    if n.debunks:
        lines.append(f"Er {'is' if len(n.debunks) == 1 else 'zijn'} {plural(len(n.debunks), 'factcheck', 'factchecks')} over deze bewering.")
    lines.extend(n.part_lines)
    return lines


def _new_narrative(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    intents = []
    for n in facts.narratives:
        if n.source_count < rule.params["min_sources"] or n.item_count < rule.params["min_items"]:
            continue
        message = AlertMessage(
            kind=rule.kind,
            subject=f"Waakhond: nieuw verhaal in {plural(n.source_count, 'bron', 'bronnen')}: {quote(n.title)}",
            lines=("Een nieuw verhaal verspreidt zich in meerdere bronnen.", *_narrative_lines(n)),
            link=dashboard_link(base, "verhalen", verhaal=n.id),
            debunks=n.debunks, guidance=n.guidance,
            facts={"narrative_id": n.id, "items": n.item_count, "sources": n.source_count, "rule": rule.name},
        )
        intents.append(AlertIntent(rule.id, rule.channel_id, f"narrative:{n.id}", n.last_seen, True, message))
    return intents


def _spike_lines(s: SpikeFact, window_hours: int, what: str) -> list[str]:
    return [f"{what}: {plural(s.test.count, 'bericht', 'berichten')} in de laatste {window_hours} uur, "
            f"terwijl er op dit uur gewoonlijk ongeveer {s.test.expected:.1f} zijn "
            f"(kans hierop bij een normale dag: {s.test.p_value:.1e})."]


def _narrative_spike(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    intents = []
    for s in facts.narrative_spikes:
        n = s.narrative
        if n is None or not s.test.is_spike or n.source_count < rule.params["min_sources"]:
            continue
        message = AlertMessage(
            kind=rule.kind,
            subject=f"Waakhond: verhaal groeit snel: {quote(n.title)}",
            lines=("Een verhaal groeit sneller dan gewoonlijk.", *_spike_lines(s, facts.window_hours, "Nieuwe berichten"),
                   *_narrative_lines(n)),
            link=dashboard_link(base, "verhalen", verhaal=n.id),
            debunks=n.debunks, guidance=n.guidance,
            facts={"narrative_id": n.id, "count": s.test.count, "expected": round(s.test.expected, 3),
                   "p_value": s.test.p_value, "model": s.test.model, "rule": rule.name},
        )
        intents.append(AlertIntent(rule.id, rule.channel_id, f"narrative-spike:{n.id}", n.last_seen, False, message))
    return intents


def _topic_spike(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    wanted = rule.params.get("topic")
    intents = []
    for s in facts.topic_spikes:
        if not s.test.is_spike or (wanted and s.key != wanted):
            continue
        message = AlertMessage(
            kind=rule.kind,
            subject=f"Waakhond: piek in signalen over {s.name}",
            lines=(f"Het aantal gemarkeerde berichten over {s.name} ligt ver boven het gewone niveau.",
                   *_spike_lines(s, facts.window_hours, "Gemarkeerde berichten")),
            link=dashboard_link(base, "overzicht", topic=s.topic_id, days=7),
            guidance=s.guidance or facts.guidance_general,
            facts={"topic": s.key, "count": s.test.count, "expected": round(s.test.expected, 3),
                   "p_value": s.test.p_value, "model": s.test.model, "rule": rule.name},
        )
        evidence = s.test.window_end or facts.now
        intents.append(AlertIntent(rule.id, rule.channel_id, f"topic-spike:{s.key}", evidence, False, message))
    return intents


def _debunk_seen_again(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    since = facts.now - timedelta(hours=rule.params["lookback_hours"])
    latest: dict[int, DebunkSighting] = {}
    for s in facts.sightings:
        if s.matched_at >= since and (s.fact_check_id not in latest or s.matched_at >= latest[s.fact_check_id].matched_at):
            latest[s.fact_check_id] = s
    intents = []
    for s in latest.values():
        message = AlertMessage(
            kind=rule.kind,
            subject=f"Waakhond: weerlegde bewering duikt weer op: {quote(s.claim)}",
            lines=("Een bewering die al eerder is weerlegd, is opnieuw gezien.",
                   f"Bewering: “{quote(s.claim)}”",
                   f"Nieuw bericht: “{quote(s.item_title)}” ({s.source_name}, {when(s.matched_at)}).",
                   f"Deze factcheck was al bij {plural(s.earlier_matches, 'ander bericht', 'andere berichten')} gevonden.",
                   *facts.sighting_part_lines.get(s.item_id, ())),
            link=dashboard_link(base, "signalen", item=s.item_id),
            debunks=debunk_links([(s.claim, s.url, s.publisher, s.rating)]),
            guidance=facts.sighting_guidance.get(s.fact_check_id, facts.guidance_general),
            facts={"fact_check_id": s.fact_check_id, "item_id": s.item_id, "rule": rule.name},
        )
        intents.append(AlertIntent(rule.id, rule.channel_id, f"debunk:{s.fact_check_id}", s.matched_at, False, message))
    return intents


def _source_down(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    limit = timedelta(hours=rule.params["hours"])
    intents = []
    for o in facts.outages:
        down_for = facts.now - o.down_since
        if down_for < limit:
            continue
        hours = int(down_for.total_seconds() // 3600)
        message = AlertMessage(
            kind=rule.kind,
            subject=f"Waakhond: bron {o.name} is al {plural(hours, 'uur', 'uur')} niet bereikbaar",
            lines=(f"De bron {o.name} ({o.url}) faalt sinds {when(o.down_since)}: "
                   f"{plural(o.failures, 'mislukte poging', 'mislukte pogingen')} op rij.",
                   f"Laatste fout: {quote(o.last_error) or 'onbekend'}.",
                   "Zolang de bron niet bereikbaar is, ziet Waakhond haar berichten niet."),
            link=dashboard_link(base, "bronnen", source=o.source_id),
            facts={"source_id": o.source_id, "down_since": o.down_since.isoformat(), "rule": rule.name},
        )
        # The outage's start is its identity: one alert per outage, whatever the cooldown.
        intents.append(AlertIntent(rule.id, rule.channel_id, f"source-down:{o.source_id}", o.down_since, False, message))
    return intents


def _briefing(rule: RuleSpec, facts: AlertFacts, base: str) -> list[AlertIntent]:
    schedule = schedule_from_params(rule.params)
    key = briefing_key(due_week(facts.now, schedule).label, schedule.topic, schedule.language)
    fact = facts.briefings.get(key)
    if fact is None:  # not due, or it could not be made (reported as the rule's error)
        return []
    return [AlertIntent(rule.id, rule.channel_id, key, fact.created_at, True, briefing_message(fact, base))]


_EVALUATORS = {
    "new_narrative": _new_narrative,
    "narrative_spike": _narrative_spike,
    "topic_spike": _topic_spike,
    "debunk_seen_again": _debunk_seen_again,
    "source_down": _source_down,
    "briefing": _briefing,
}


def evaluate_rule(rule: RuleSpec, facts: AlertFacts, dashboard_url: str) -> list[AlertIntent]:
    """The alerts this rule wants to raise on these facts (before de-duplication)."""
    params = validate_params(rule.kind, rule.params)
    effective = RuleSpec(rule.id, rule.name, rule.kind, params, rule.channel_id, rule.cooldown_seconds)
    return _EVALUATORS[rule.kind](effective, facts, dashboard_url)


def decide(
    intents: Sequence[AlertIntent], last: Mapping[tuple[int, str], LastAlerts], cooldowns: Mapping[int, int],
    now: datetime, retry_seconds: int,
) -> list[AlertIntent]:
    """The intents that may be sent now; see the module's docstring for the rules."""
    chosen: dict[tuple[int, str], AlertIntent] = {}
    for intent in intents:
        key = (intent.rule_id, intent.dedup_key)
        if key in chosen:
            continue
        previous = last.get(key, LastAlerts())
        if previous.sent_at is not None:
            if intent.once:
                continue
            if now - previous.sent_at < timedelta(seconds=cooldowns.get(intent.rule_id, 0)):
                continue
            if intent.evidence_at is not None and previous.sent_evidence_at is not None \
                    and intent.evidence_at <= previous.sent_evidence_at:
                continue
        if previous.failed_at is not None and (previous.sent_at is None or previous.failed_at > previous.sent_at) \
                and now - previous.failed_at < timedelta(seconds=retry_seconds):
            continue
        chosen[key] = intent
    return list(chosen.values())
