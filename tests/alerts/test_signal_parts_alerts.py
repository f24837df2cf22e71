"""An alert shows the signal by its parts, one line each: in words (pure), inside the rules'
messages (pure), and end to end from stored rows to a real webhook (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import storage
from alerts import evaluate_and_send
from alerts.messages import signal_part_lines
from alerts.rules import NarrativeFact, evaluate_rule
from storage.read_models.signal_parts import read_signal_parts
from storage.repositories.alerts import DebunkSighting
from storage.repositories.classifications import classification_for_item
from tests.alerts.test_evaluate import ALERTS, BASE, NARRATIVES, NOW, webhook, world  # noqa: F401 (fixtures)
from tests.alerts.test_rules import NARRATIVE, facts, rule
from tests.support.signal_parts import CLAIM, NARRATIVE_NAME, classify, contract_parts

WHY = "Waarom gesignaleerd: desinformatiemodel, bekend onjuist verhaal (regel parts-v1)."


def test_the_parts_in_one_line_each():
    lines = signal_part_lines(read_signal_parts(contract_parts()), {"stikstof": "Stikstof"})
    assert lines == (
        WHY,
        "- Controleerbare bewering: 0.74 (drempel 0.40), boven de drempel: “Het kabinet gaat alle boeren onteigenen.”",
        f"- Bekende factcheck: 0.97 (drempel 0.80), boven de drempel: “{CLAIM}” (onwaar)",
        f"- Bekend onjuist verhaal: 0.66 (drempel 0.60), boven de drempel, gaf de doorslag: “{NARRATIVE_NAME}”",
        "- Desinformatiemodel: 0.81 (drempel 0.55), boven de drempel, gaf de doorslag.",
        "- Beleidsonderwerp: Stikstof (0.52).",
    )


def test_old_rows_and_missing_parts():
    assert signal_part_lines(None) == ()
    lines = signal_part_lines(read_signal_parts({"rule": "parts-v1", "flagged_by": [],
                                                 "head": {"score": 0.2, "threshold": 0.5},
                                                 "topic": {"slug": "wonen"}}))
    assert lines == ("Waarom gesignaleerd: geen onderdeel gaf de doorslag (regel parts-v1).",
                     "- Desinformatiemodel: 0.20 (drempel 0.50), onder de drempel.",
                     "- Beleidsonderwerp: wonen.",
                     "Niet gemeten: controleerbare bewering, bekende factcheck, bekend onjuist verhaal.")
    unknown = signal_part_lines(read_signal_parts({"claim_match": {"score": 0.9, "claim": " x " * 200}}))
    assert unknown[0] == "Waarom gesignaleerd: niet bewaard welke onderdelen de doorslag gaven (regel onbekend)."
    assert unknown[1].startswith("- Bekende factcheck: 0.90: “x x") and len(unknown[1]) < 320  # quoted, cut


def test_rules_put_the_part_lines_into_the_narrative_and_debunk_alerts():
    lines = signal_part_lines(read_signal_parts(contract_parts()), about="Waarom het voorbeeldbericht gesignaleerd is")
    narrative = NarrativeFact(*[getattr(NARRATIVE, f) for f in (
        "id", "title", "sentence", "topics", "item_count", "source_count", "first_seen", "last_seen", "debunks",
        "guidance")], part_lines=lines)
    (intent,) = evaluate_rule(rule("new_narrative"), facts(narratives=(narrative,)), BASE)
    text = intent.message.plain_text()
    assert "Waarom het voorbeeldbericht gesignaleerd is: desinformatiemodel, bekend onjuist verhaal" in text
    assert "- Desinformatiemodel: 0.81 (drempel 0.55)" in text
    sighting = DebunkSighting(3, "Contant geld verdwijnt", "https://factcheck.example.org/3", "Nieuwscheckers",
                              "false", 41, "Cash weg", None, "forum", NOW - timedelta(hours=1), 2)
    (debunk,) = evaluate_rule(rule("debunk_seen_again"), facts(
        sightings=(sighting,), sighting_part_lines={41: signal_part_lines(read_signal_parts(contract_parts()))}), BASE)
    assert WHY in debunk.message.lines
    (plain,) = evaluate_rule(rule("debunk_seen_again"), facts(sightings=(sighting,)), BASE)
    assert not any(line.startswith("Waarom") for line in plain.message.lines)  # no parts stored: as before


def test_sent_alerts_carry_the_parts_of_the_stored_signals(world, webhook):  # noqa: F811
    db, ids = world
    with storage.transaction(db.sessions) as s:
        version_id = classification_for_item(s, ids["items"][7]).model_version_id
        for item_id in ids["items"]:
            classify(s, item_id, version_id, score=0.9, flagged=True, parts=contract_parts())
    report = evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW)
    assert report.rule_errors == {}
    bodies = {b["kind"]: b for b in webhook.bodies("/ok/team")}
    debunk = bodies["debunk_seen_again"]["text"]
    assert WHY in debunk and f"- Bekende factcheck: 0.97 (drempel 0.80), boven de drempel: “{CLAIM}” (onwaar)" in debunk
    narrative = bodies["new_narrative"]["text"]
    assert "Waarom het voorbeeldbericht gesignaleerd is: desinformatiemodel, bekend onjuist verhaal" in narrative
    assert "- Desinformatiemodel: 0.81 (drempel 0.55), boven de drempel, gaf de doorslag." in narrative
