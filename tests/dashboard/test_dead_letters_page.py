"""The Bronnen page lists the dead letters of scale-out workers: newest first, the failing
source by name, the error's last line as plain data (never HTML), Dutch first and English."""

from __future__ import annotations

import storage
from storage.repositories import audit, dead_letters
from storage.repositories.dead_letters import DeadLetterRecord, record_dead_letter
from tests.dashboard.conftest import texts

HOSTILE_ERROR = 'Traceback (most recent call last):\n  File "x.py"\nRuntimeError: <script>alert("dl")</script> away'


def _dead_letter(db, source_id: int | None, task: str = "waakhond.fetch_source") -> None:
    with storage.transaction(db.sessions) as session:
        record_dead_letter(session, DeadLetterRecord(task, "task-1", {"source_id": source_id}, HOSTILE_ERROR, 6,
                                                     source_id))


def _table(at, column: str):
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def test_bronnen_lists_dead_letters_as_inert_text(make_app, db, seeded):
    _dead_letter(db, seeded.sources["blog"])
    _dead_letter(db, None, task="waakhond.classify_batch")
    at = make_app("operator", "bronnen")
    at.run()
    assert not at.exception
    assert "Mislukte taken" in [s.value for s in at.subheader]
    table = _table(at, "Pogingen")
    assert list(table["Taak"]) == ["waakhond.classify_batch", "waakhond.fetch_source"]  # newest first
    assert list(table["Bron"]) == ["", "BLOG"]
    assert list(table["Pogingen"]) == [6, 6]
    assert table["Fout"][1] == 'RuntimeError: <script>alert("dl")</script> away'  # data, not markup
    shown = texts(at).lower()
    assert "<script" not in shown and "2 van 2" in shown


def test_bronnen_says_when_there_are_none_and_speaks_english(make_app, db, seeded):
    at = make_app("operator", "bronnen")
    at.run()
    assert "Geen taken die na alle pogingen bleven mislukken." in texts(at)
    _dead_letter(db, seeded.sources["nos"])
    at = make_app("operator", "bronnen", lang="en")
    at.run()
    assert "Dead letters" in [s.value for s in at.subheader]
    assert list(_table(at, "Attempts")["Source"]) == ["NOS"]


def test_an_operator_marks_a_dead_letter_handled_and_the_audit_log_names_them(make_app, db, seeded):
    _dead_letter(db, seeded.sources["blog"])
    _dead_letter(db, None, task="waakhond.classify_batch")
    at = make_app("operator", "bronnen")
    at.run()
    newest, oldest = list(_table(at, "Pogingen")["#"])
    at.multiselect(key="dead_letters_chosen").select(oldest)  # a form: sent with its button
    at.button[[b.label for b in at.button].index("Als afgehandeld markeren")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Gemarkeerd als afgehandeld." in texts(at)
    assert list(_table(at, "Pogingen")["#"]) == [newest]  # the handled one left the list
    with db.sessions() as session:
        entries = audit.entries(session, object_type="dead_letter")
        assert [(e.actor, e.action, str(e.object_id)) for e in entries] == [
            ("operator", "dead_letter.resolve", str(oldest))]
        assert dead_letters.resolve_dead_letters(session, [oldest], "operator") == 0  # already handled
