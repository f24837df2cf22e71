"""The signal by its parts on the dashboard: the panel's text (pure), and the Signalen and
Labelen pages showing it for rows written with the contract's shape, on SQLite and PostgreSQL."""

from __future__ import annotations

import storage
from dashboard.signal_parts import flag_summary, parts_html
from storage.read_models.signal_parts import read_signal_parts
from storage.read_models.signals import TopicView
from tests.dashboard.conftest import texts
from tests.support.signal_parts import CLAIM, NARRATIVE_NAME, classify, contract_parts

STIKSTOF = TopicView(1, "stikstof", "Stikstof", "Nitrogen", "LVVN")
HOSTILE = '<img src=x onerror="alert(1)"> Boeren'


def test_every_part_has_its_number_threshold_explanation_and_what_it_points_at():
    shown = parts_html(read_signal_parts(contract_parts()), True, [STIKSTOF])
    assert "Waarom staat dit hier?" in shown
    assert "Gesignaleerd door: desinformatiemodel, bekend onjuist verhaal (regel parts-v1)." in shown
    assert "<strong>Controleerbare bewering</strong>: 0.74 (drempel 0.40), boven de drempel<br/>" in shown
    assert "<strong>Bekende factcheck</strong>: 0.97 (drempel 0.80), boven de drempel<br/>" in shown
    assert "<strong>Bekend onjuist verhaal</strong>: 0.66 (drempel 0.60), boven de drempel, gaf de doorslag" in shown
    assert "<strong>Desinformatiemodel</strong>: 0.81 (drempel 0.55), boven de drempel, gaf de doorslag" in shown
    assert "<strong>Beleidsonderwerp</strong>: Stikstof (0.52)<br/>" in shown
    assert f"Verhaal: “{NARRATIVE_NAME}” (overeenkomst 0.83)" in shown
    assert f"Factcheck: “{CLAIM}” (onwaar)" in shown
    assert "Niet gemeten" not in shown


def test_a_part_below_its_threshold_an_unflagged_signal_and_missing_parts_are_said_so():
    view = read_signal_parts(contract_parts(
        flagged_by=(), claim_match=None, narrative=None,
        head={"score": 0.31, "threshold": 0.55}))
    shown = parts_html(view, False, [])
    assert "Niet gesignaleerd: geen onderdeel gaf de doorslag (regel parts-v1)." in shown
    assert "<strong>Desinformatiemodel</strong>: 0.31 (drempel 0.55), onder de drempel<br/>" in shown
    assert "Niet gemeten voor dit signaal: bekende factcheck, bekend onjuist verhaal." in shown
    assert "<strong>Beleidsonderwerp</strong>: stikstof (0.52)<br/>" in shown  # an unknown topic: its code
    unknown = read_signal_parts({"head": {"score": 0.9}})
    assert flag_summary(unknown, True) == (
        "Gesignaleerd; welke onderdelen de doorslag gaven, is niet opgeslagen (regel onbekend).")
    assert "Desinformatiemodel</strong>: 0.90<br/>" in parts_html(unknown, True, [])


def test_the_hybrid_heads_two_parts_are_shown_beside_its_score_unless_numbers_are_hidden():
    view = read_signal_parts(contract_parts(head={
        "score": 0.81, "threshold": 0.55, "version": "nl-disinfo-real-v3",
        "components": {"embedding": 0.9, "lexical": 0.62, "<new>": 0.3}}))
    shown = parts_html(view, True, [])
    assert ("Versie nl-disinfo-real-v3. Onderdelen van het model: taalmodel (e5) 0.90, "
            "woordmodel (TF-IDF) 0.62, &lt;new&gt; 0.30.") in shown
    hidden = parts_html(view, True, [], hide_numbers=True)
    assert "Versie nl-disinfo-real-v3." in hidden and "0.90" not in hidden and "Onderdelen" not in hidden


def test_a_flag_held_back_by_a_debunk_or_a_gate_says_so():
    held = read_signal_parts(contract_parts(flagged_by=(), held_back_by=["claim_match"],
                                            claim_match={"score": 0.7, "threshold": 0.8, "debunk": True}))
    assert held.held_back_by == ("claim_match",)
    assert flag_summary(held, False) == ("Niet gesignaleerd: het model sloeg aan, maar het bericht weerlegt een "
                                         "bewering die factcheckers onwaar noemden (regel parts-v1).")
    gated = read_signal_parts(contract_parts(flagged_by=(), held_back_by=["topic", "<x>"]))
    assert flag_summary(gated, False) == "Niet gesignaleerd: tegengehouden door geen beleidsonderwerp, <x> (regel parts-v1)."
    assert "&lt;x&gt;" in parts_html(gated, False, [])
    assert read_signal_parts(contract_parts(held_back_by="topic")).held_back_by == ()


def test_a_row_without_parts_says_it_was_scored_before_they_existed():
    shown = parts_html(None, True, [])
    assert "Waarom staat dit hier?" in shown and "voordat Waakhond de onderdelen bewaarde" in shown


def test_hidden_numbers_leave_the_explanations_but_no_score_and_no_flag():
    shown = parts_html(read_signal_parts(contract_parts()), True, [STIKSTOF], hide_numbers=True)
    assert "Controleerbare bewering" in shown and NARRATIVE_NAME in shown
    assert "<strong>Beleidsonderwerp</strong>: Stikstof<br/>" in shown
    for number in ("0.74", "0.40", "0.81", "0.83", "0.52"):
        assert number not in shown
    assert "Gesignaleerd" not in shown and "doorslag" not in shown and "drempel" not in shown


def test_feed_text_inside_the_parts_is_escaped():
    view = read_signal_parts(contract_parts(
        narrative={"score": 0.7, "threshold": 0.6, "name": HOSTILE},
        claim_match={"score": 0.9, "threshold": 0.8, "claim": "<script>x()</script>", "rating": "<b>nep</b>"},
        checkworthy={"score": 0.5, "threshold": 0.4, "sentence": "a & b <i>"},
        head={"score": 0.8, "threshold": 0.5, "version": "<v>"}))
    shown = parts_html(view, True, [])
    assert "<img" not in shown and "<script" not in shown and "<b>" not in shown and "<i>" not in shown
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Boeren" in shown
    assert "&lt;script&gt;x()&lt;/script&gt;" in shown and "(&lt;b&gt;nep&lt;/b&gt;)" in shown
    assert "a &amp; b &lt;i&gt;" in shown and "Versie &lt;v&gt;." in shown


def _rescore(db, seeded, item_id: int, parts: dict | None, score: float = 0.93, flagged: bool = True) -> None:
    with storage.transaction(db.sessions) as session:
        classify(session, item_id, seeded.model_id, score=score, flagged=flagged, parts=parts,
                 topic_scores=[(seeded.topics["stikstof"], 0.9)])


def test_signal_detail_shows_its_parts_in_dutch_and_english(make_app, db, seeded):
    _rescore(db, seeded, seeded.flagged_item, contract_parts(
        narrative={"score": 0.66, "threshold": 0.6, "name": HOSTILE, "similarity": 0.83}))
    at = make_app("viewer", "signalen", item=str(seeded.flagged_item))
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Waarom staat dit hier?" in shown
    assert "Gesignaleerd door: desinformatiemodel, bekend onjuist verhaal (regel parts-v1)." in shown
    assert "<strong>Desinformatiemodel</strong>: 0.81 (drempel 0.55), boven de drempel, gaf de doorslag" in shown
    assert "<strong>Beleidsonderwerp</strong>: Stikstof (0.52)<br/>" in shown
    html = "\n".join(h.value for h in at.get("html"))
    assert "<img" not in html and "&lt;img src=x" in html
    english = make_app("viewer", "signalen", item=str(seeded.flagged_item), lang="en")
    english.run()
    shown = texts(english)
    assert "Why is this here?" in shown and "Flagged by: disinformation model, known false narrative (rule parts-v1)." in shown
    assert "<strong>Known debunk</strong>: 0.97 (threshold 0.80), above the threshold<br/>" in shown
    assert "<strong>Policy topic</strong>: Stikstof (en) (0.52)<br/>" in shown


def test_an_old_row_and_a_row_with_parts_missing_show_what_is_known(make_app, db, seeded):
    at = make_app("viewer", "signalen", item=str(seeded.hostile_item))  # seeded without parts
    at.run()
    assert "voordat Waakhond de onderdelen bewaarde" in texts(at)
    _rescore(db, seeded, seeded.hostile_item, {"rule": "parts-v1", "flagged_by": ["head"],
                                               "head": {"score": 0.88, "threshold": 0.5}})
    at = make_app("viewer", "signalen", item=str(seeded.hostile_item))
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Gesignaleerd door: desinformatiemodel (regel parts-v1)." in shown
    assert "Niet gemeten voor dit signaal: controleerbare bewering, bekende factcheck, bekend onjuist verhaal." in shown


def test_analyst_says_which_part_was_wrong_and_it_is_stored_and_audited(make_app, db, seeded):
    from storage.repositories import audit
    from storage.repositories.labels import label_history

    at = make_app("analyst", "labelen")
    at.run()
    note = next(a for a in at.text_area if a.key.startswith("labelling_note_"))
    item_id = int(note.key.rsplit("_", 1)[1])
    with db.read_sessions() as session:
        from storage.repositories.classifications import classification_for_item

        queued = classification_for_item(session, item_id)
        score, flagged = queued.score, queued.flagged
    _rescore(db, seeded, item_id, contract_parts(), score=score, flagged=flagged)  # the same place in the queue
    at.run()
    assert next(a for a in at.text_area if a.key.startswith("labelling_note_")).key == note.key
    shown = texts(at)
    assert "Waarom staat dit hier?" in shown and "0.81 (drempel 0.55)" in shown
    at.toggle(key="labelling_hide_score").set_value(True).run()
    shown = texts(at)
    assert "Bekend onjuist verhaal" in shown and "0.81" not in shown and "Gesignaleerd door" not in shown
    choice = at.selectbox(key=f"labelling_wrong_part_{item_id}")
    assert choice.options == ["Geen / zeg ik niet", "Controleerbare bewering", "Bekende factcheck",
                              "Bekend onjuist verhaal", "Desinformatiemodel", "Beleidsonderwerp"]
    choice.select("narrative")
    at.button(key="label_not_disinformation").click().run()
    assert not at.exception
    with db.read_sessions() as session:
        history = label_history(session, item_id)
        assert [(h.username, h.label, h.wrong_part) for h in history] == [("analyst", "not_disinformation", "narrative")]
        entry = audit.entries(session, action="label.add")[0]
        assert (entry.actor, entry.object_id, entry.details["wrong_part"]) == ("analyst", str(item_id), "narrative")
    # the next item starts with no part chosen; a label without one stores None
    nxt = next(a for a in at.text_area if a.key.startswith("labelling_note_"))
    other = int(nxt.key.rsplit("_", 1)[1])
    assert other != item_id and at.selectbox(key=f"labelling_wrong_part_{other}").value is None
    at.button(key="label_disinformation").click().run()
    with db.read_sessions() as session:
        assert [h.wrong_part for h in label_history(session, other)] == [None]
