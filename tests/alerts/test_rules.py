"""Which rules fire, and what de-duplication and cooldown let through (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.messages import Link
from alerts.rules import (
    AlertFacts,
    NarrativeFact,
    RuleError,
    RuleSpec,
    SpikeFact,
    decide,
    evaluate_rule,
    validate_params,
)
from classifier.narratives import SpikeTest
from storage.repositories.alerts import DebunkSighting, LastAlerts, SourceOutage

NOW = datetime(2025, 9, 1, 12, tzinfo=UTC)
BASE = "https://waakhond.example.nl"
NARRATIVE = NarrativeFact(
    7, "Cash verdwijnt op 1 januari", "Contant geld wordt op 1 januari afgeschaft.", ("Digitale overheid en geld",),
    item_count=12, source_count=4, first_seen=NOW - timedelta(hours=8), last_seen=NOW - timedelta(hours=1),
    debunks=(Link("Contant geld blijft", "https://factcheck.example.org/1", "Nieuwscheckers: onwaar"),),
    guidance=(Link("Is dat echt zo?", "https://www.isdatechtzo.nl/"),),
)
SMALL = NarrativeFact(8, "Klein", "Klein verhaal.", (), 2, 1, NOW, NOW)
SPIKE = SpikeTest(9, 0.8, 1.0, "poisson", 1e-6, 28, True, NOW)
QUIET = SpikeTest(1, 0.8, 1.0, "poisson", 0.5, 28, False, NOW)


def rule(kind: str, rule_id: int = 1, cooldown: int = 3600, **params) -> RuleSpec:
    return RuleSpec(rule_id, f"regel-{rule_id}", kind, params, channel_id=5, cooldown_seconds=cooldown)


def facts(**values) -> AlertFacts:
    return AlertFacts(now=NOW, window_hours=6, **values)


def test_params_are_validated_with_defaults():
    assert validate_params("new_narrative", {}) == {"min_sources": 3, "min_items": 3}
    assert validate_params("source_down", {"hours": "2"}) == {"hours": 2.0}
    assert validate_params("topic_spike", {}) == {}
    for kind, params in (("new_narrative", {"min_sources": 0}), ("source_down", {"uren": 3}),
                         ("new_narrative", {"min_sources": "veel"}), ("nonsense", {})):
        with pytest.raises(RuleError):
            validate_params(kind, params)


def test_new_narrative_fires_for_enough_sources_once_with_dutch_text_link_and_debunks():
    intents = evaluate_rule(rule("new_narrative", min_sources=3), facts(narratives=(NARRATIVE, SMALL)), BASE)
    assert len(intents) == 1
    (intent,) = intents
    assert intent.once and intent.dedup_key == "narrative:7"
    message = intent.message
    assert "nieuw verhaal in 4 bronnen" in message.subject
    assert message.link == f"{BASE}/?page=verhalen&verhaal=7"
    text = message.plain_text()
    assert "Een nieuw verhaal verspreidt zich" in text and "12 berichten uit 4 bronnen" in text
    assert "https://factcheck.example.org/1" in text and "Nieuwscheckers: onwaar" in text
    assert "https://www.isdatechtzo.nl/" in text and "geen oordeel" in text
    assert evaluate_rule(rule("new_narrative", min_sources=5), facts(narratives=(NARRATIVE,)), BASE) == []


def test_spike_rules_fire_only_on_spikes():
    narrative_spikes = (SpikeFact("7", NARRATIVE.title, SPIKE, narrative=NARRATIVE), SpikeFact("8", "Klein", QUIET, narrative=SMALL))
    (intent,) = evaluate_rule(rule("narrative_spike"), facts(narrative_spikes=narrative_spikes), BASE)
    assert intent.dedup_key == "narrative-spike:7" and "groeit snel" in intent.message.subject
    assert "9 berichten in de laatste 6 uur" in intent.message.plain_text()
    topic_spikes = (SpikeFact("wonen", "Wonen", SPIKE, topic_id=3), SpikeFact("onderwijs", "Onderwijs", QUIET, topic_id=4))
    (topic,) = evaluate_rule(rule("topic_spike"), facts(topic_spikes=topic_spikes), BASE)
    assert topic.dedup_key == "topic-spike:wonen" and "piek in signalen over Wonen" in topic.message.subject
    assert topic.message.link == f"{BASE}/?page=overzicht&topic=3&days=7"
    assert evaluate_rule(rule("topic_spike", topic="onderwijs"), facts(topic_spikes=topic_spikes), BASE) == []


def sighting(fact_check_id: int, hours_ago: float, item_id: int) -> DebunkSighting:
    return DebunkSighting(fact_check_id, "Stemmen met potlood worden uitgegumd", f"https://fc.example.org/{fact_check_id}",
                          "Pointer", "false", item_id, "Neem een pen mee!", None, "Forum", NOW - timedelta(hours=hours_ago), 3)


def test_debunked_claim_seen_again_one_intent_per_fact_check_with_the_newest_item():
    sightings = (sighting(1, 2, 100), sighting(1, 1, 101), sighting(2, 30, 102))
    intents = evaluate_rule(rule("debunk_seen_again", lookback_hours=24), facts(sightings=sightings), BASE)
    assert [(i.dedup_key, i.message.facts["item_id"]) for i in intents] == [("debunk:1", 101)]
    message = intents[0].message
    assert "weerlegde bewering duikt weer op" in message.subject
    assert message.debunks[0].url == "https://fc.example.org/1" and message.debunks[0].note == "Pointer: onwaar"
    assert message.link == f"{BASE}/?page=signalen&item=101"


def test_source_down_only_after_t_hours():
    outages = (SourceOutage(3, "Regio Nieuws", "https://regio.example.nl/rss", NOW - timedelta(hours=7), 9, "HTTP 503"),
               SourceOutage(4, "Blog", "https://blog.example.nl/feed", NOW - timedelta(hours=1), 2, "timeout"))
    (intent,) = evaluate_rule(rule("source_down", hours=6), facts(outages=outages), BASE)
    assert intent.dedup_key == "source-down:3" and intent.evidence_at == NOW - timedelta(hours=7)
    assert "Regio Nieuws is al 7 uur niet bereikbaar" in intent.message.subject
    assert "HTTP 503" in intent.message.plain_text()


# ----------------------------------------------------------------------------- decide
def one(kind="narrative_spike", once=False, evidence=NOW):
    intent = evaluate_rule(rule(kind), facts(narrative_spikes=(SpikeFact("7", "x", SPIKE, narrative=NARRATIVE),)), BASE)[0]
    return type(intent)(intent.rule_id, intent.channel_id, intent.dedup_key, evidence, once, intent.message)


def test_decide_new_key_is_sent_and_duplicates_within_a_batch_collapse():
    intent = one()
    assert decide([intent, intent], {}, {1: 3600}, NOW, 900) == [intent]


def test_decide_once_never_repeats():
    intent = one(once=True)
    last = {(1, intent.dedup_key): LastAlerts(sent_at=NOW - timedelta(days=30), sent_evidence_at=NOW - timedelta(days=31))}
    assert decide([intent], last, {1: 0}, NOW, 900) == []


def test_decide_cooldown_and_new_evidence():
    intent = one(evidence=NOW)
    recent = {(1, intent.dedup_key): LastAlerts(sent_at=NOW - timedelta(minutes=30), sent_evidence_at=NOW - timedelta(hours=1))}
    assert decide([intent], recent, {1: 3600}, NOW, 900) == []  # within the cooldown
    old = {(1, intent.dedup_key): LastAlerts(sent_at=NOW - timedelta(hours=2), sent_evidence_at=NOW - timedelta(hours=3))}
    assert decide([intent], old, {1: 3600}, NOW, 900) == [intent]  # after it, with newer evidence
    same = {(1, intent.dedup_key): LastAlerts(sent_at=NOW - timedelta(hours=2), sent_evidence_at=NOW)}
    assert decide([intent], same, {1: 3600}, NOW, 900) == []  # nothing new happened


def test_decide_retries_a_failure_only_after_the_retry_time():
    intent = one()
    failed = {(1, intent.dedup_key): LastAlerts(failed_at=NOW - timedelta(minutes=5))}
    assert decide([intent], failed, {1: 3600}, NOW, 900) == []
    failed_long_ago = {(1, intent.dedup_key): LastAlerts(failed_at=NOW - timedelta(minutes=20))}
    assert decide([intent], failed_long_ago, {1: 3600}, NOW, 900) == [intent]
