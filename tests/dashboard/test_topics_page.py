"""Onderwerpen: operators edit and add policy topics through the real entry script; viewers and
analysts are refused on the server and cannot change anything through the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.app import NAV_KEY
from dashboard.pages.onderwerpen import plain, split_keywords
from storage.repositories import audit
from storage.schema import PolicyTopic, User
from tests.dashboard.conftest import texts

REFUSED = "Geen toegang"
EDITABLE = ("name", "name_en", "description", "ministry", "keywords", "priority", "enabled")


def _topic(db, slug: str) -> PolicyTopic | None:
    with db.read_sessions() as session:
        row = session.scalar(select(PolicyTopic).where(PolicyTopic.slug == slug))
        if row is not None:
            session.expunge(row)
        return row


def _snapshot(db, slug: str) -> dict:
    row = _topic(db, slug)
    return {f: getattr(row, f) for f in (*EDITABLE, "updated_at")}


def _topic_audit(db) -> list[tuple[str, str]]:
    with db.read_sessions() as session:
        return [(e.actor, e.action) for e in audit.entries(session, object_type="policy_topic")]


def _by_label(widgets, label: str):
    """The first widget with this label: the edit form comes before the add form."""
    return next(w for w in widgets if w.label == label)


def _open_edit(make_app, slug: str = "stikstof", role: str = "operator", **params: str):
    at = make_app(role, "onderwerpen", **params)
    at.run()
    at.selectbox(key="topics_chosen").select(slug).run()
    assert not at.exception
    return at


def _save(at) -> None:
    at.button[[b.label for b in at.button].index("Opslaan")].click().run()
    assert not at.exception


def test_the_table_lists_every_topic(make_app):
    at = make_app("operator", "onderwerpen")
    at.run()
    assert not at.exception and "Onderwerpen" in [t.value for t in at.title]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Code", "Naam", "Engelse naam", "Ministerie", "Prioriteit", "Aan",
                                   "Trefwoorden", "Gewijzigd"]
    assert list(table["Code"]) == ["stikstof", "woningmarkt"]
    assert list(table["Engelse naam"]) == ["Stikstof (en)", "Woningmarkt (en)"]
    assert list(table["Ministerie"]) == ["LVVN", "VRO"]


def test_operator_edits_a_topic_and_the_audit_log_names_them(make_app, db, seeded):
    at = _open_edit(make_app)
    _by_label(at.text_input, "Naam").input("Stikstof en natuur")
    _by_label(at.text_input, "Engelse naam").input("Nitrogen and nature")
    _by_label(at.text_area, "Omschrijving").input("Stikstofuitstoot, natuurvergunningen")
    _by_label(at.text_input, "Ministerie").input("LVVN ")
    _by_label(at.text_area, "Trefwoorden (gescheiden door komma's)").input("stikstof, boeren ,, Natura 2000")
    _by_label(at.number_input, "Prioriteit (1 tot en met 5)").set_value(4)
    _by_label(at.checkbox, "Aan").uncheck()
    _save(at)
    assert "Onderwerp stikstof opgeslagen." in texts(at)
    row = _topic(db, "stikstof")
    assert (row.name, row.name_en, row.description, row.ministry, row.keywords, row.priority, row.enabled) == (
        "Stikstof en natuur", "Nitrogen and nature", "Stikstofuitstoot, natuurvergunningen", "LVVN",
        ["stikstof", "boeren", "Natura 2000"], 4, False)
    with db.read_sessions() as session:
        entries = audit.entries(session, object_type="policy_topic", object_id=seeded.topics["stikstof"])
        assert [(e.actor, e.action) for e in entries] == [("operator", "topic.update")]
        assert entries[0].details["after"]["priority"] == 4 and entries[0].details["before"]["priority"] == 1
    assert at.dataframe[0].value["Trefwoorden"].tolist() == [3, 0]  # the table shows the change


def test_admin_may_edit_topics_too(make_app, db):
    at = _open_edit(make_app, "woningmarkt", role="admin")
    _by_label(at.text_input, "Naam").input("Wonen")
    _save(at)
    assert _topic(db, "woningmarkt").name == "Wonen"
    assert _topic_audit(db) == [("admin", "topic.update")]


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_viewer_and_analyst_are_refused(make_app, db, role):
    before = _snapshot(db, "stikstof")
    at = make_app(role, "onderwerpen")
    at.run()
    assert not at.exception
    assert REFUSED in texts(at) and [t.value for t in at.title] == []
    assert [b.key for b in at.button] == ["logout"] and not at.text_input and not at.get("dataframe")
    assert "Onderwerpen" not in at.sidebar.radio(key=NAV_KEY).options
    forged = make_app(role)
    forged.session_state[NAV_KEY] = "onderwerpen"
    forged.session_state["topics_chosen"] = "stikstof"
    forged.run()
    assert REFUSED in texts(forged) and [b.key for b in forged.button] == ["logout"]
    assert _snapshot(db, "stikstof") == before and _topic_audit(db) == []


@pytest.mark.parametrize(("new_role", "button"), [("viewer", "Opslaan"), ("analyst", "Toevoegen")])
def test_an_operator_demoted_mid_edit_cannot_save_or_add(make_app, db, seeded, new_role, button):
    before = _snapshot(db, "stikstof")
    at = _open_edit(make_app)
    _by_label(at.text_input, "Naam").input("Gewijzigd")
    at.text_input(key="topic_add_slug").input("zorg")
    at.text_input(key="topic_add_name").input("Zorg")
    with db.sessions.begin() as session:
        session.get(User, seeded.users["operator"]).role = new_role
    at.button[[b.label for b in at.button].index(button)].click().run()
    assert not at.exception
    assert REFUSED in texts(at) and not at.success and [b.key for b in at.button] == ["logout"]
    assert _snapshot(db, "stikstof") == before and _topic(db, "zorg") is None and _topic_audit(db) == []
    at.run()  # the next click lands on a page of the new role, not back on Onderwerpen
    assert "Onderwerpen" not in [t.value for t in at.title]
    assert "Onderwerpen" not in at.sidebar.radio(key=NAV_KEY).options


@pytest.mark.parametrize(("label", "widget", "value", "error"), [
    ("Prioriteit (1 tot en met 5)", "number_input", 9, "topic priority must be 1\\.\\.5, got 9"),
    ("Prioriteit (1 tot en met 5)", "number_input", 0, "topic priority must be 1\\.\\.5, got 0"),
    ("Naam", "text_input", "   ", "a topic needs a name"),
])
def test_an_invalid_edit_shows_the_error_and_changes_nothing(make_app, db, label, widget, value, error):
    before = _snapshot(db, "stikstof")
    at = _open_edit(make_app)
    _by_label(at.text_input, "Ministerie").input("Iets anders")  # must not be saved either
    field = _by_label(getattr(at, widget), label)
    field.set_value(value) if widget == "number_input" else field.input(value)
    _save(at)
    assert [e.value for e in at.error] == [f"Niet gelukt: {error}"]
    assert not at.success
    assert _snapshot(db, "stikstof") == before and _topic_audit(db) == []


def _fill_add(at, slug: str, name: str, priority: int = 2) -> None:
    at.text_input(key="topic_add_slug").input(slug)
    at.text_input(key="topic_add_name").input(name)
    at.text_input(key="topic_add_name_en").input("Healthcare")
    at.text_area(key="topic_add_description").input("Zorgverzekering en wachtlijsten")
    at.text_input(key="topic_add_ministry").input("VWS")
    at.text_area(key="topic_add_keywords").input("zorg, eigen risico, wachtlijst")
    at.number_input(key="topic_add_priority").set_value(priority)
    at.checkbox(key="topic_add_enabled").uncheck()
    at.button[[b.label for b in at.button].index("Toevoegen")].click().run()
    assert not at.exception


def test_operator_adds_a_topic(make_app, db):
    at = make_app("operator", "onderwerpen")
    at.run()
    _fill_add(at, " zorg ", "Zorg")
    assert "Onderwerp zorg toegevoegd." in texts(at)
    row = _topic(db, "zorg")
    assert (row.name, row.name_en, row.description, row.ministry, row.keywords, row.priority, row.enabled) == (
        "Zorg", "Healthcare", "Zorgverzekering en wachtlijsten", "VWS", ["zorg", "eigen risico", "wachtlijst"], 2,
        False)
    assert _topic_audit(db) == [("operator", "topic.add")]
    with db.sessions() as session:
        (entry,) = audit.entries(session, object_type="policy_topic", object_id=row.id)
    assert entry.details["slug"] == "zorg" and entry.details["ministry"] == "VWS"
    assert "zorg" in at.dataframe[0].value["Code"].tolist()


def test_adding_an_existing_slug_says_so_and_changes_nothing(make_app, db):
    before = _snapshot(db, "stikstof")
    at = make_app("operator", "onderwerpen")
    at.run()
    _fill_add(at, "stikstof", "Iets anders")
    assert [e.value for e in at.error] == [
        "Er bestaat al een onderwerp met de code stikstof; er is niets gewijzigd. Kies het hierboven om het te "
        "bewerken."]
    assert not at.success
    assert _snapshot(db, "stikstof") == before and _topic_audit(db) == []


@pytest.mark.parametrize(("slug", "name", "priority", "error"), [
    ("zorg", "", 2, "a topic needs a name"),
    ("zorg", "Zorg", 6, "topic priority must be 1\\.\\.5, got 6"),
    ("[klik](https://evil.example)", "Zorg", 2, "bad topic slug '\\[klik\\]\\(https://evil\\.example\\)'"),
])
def test_an_invalid_new_topic_shows_the_error_and_adds_nothing(make_app, db, slug, name, priority, error):
    at = make_app("operator", "onderwerpen")
    at.run()
    _fill_add(at, slug, name, priority)
    assert [e.value for e in at.error] == [f"Niet gelukt: {error}"]  # typed text stays literal
    with db.read_sessions() as session:
        assert session.scalar(select(PolicyTopic.slug).where(PolicyTopic.slug.not_in(["stikstof", "woningmarkt"]))) \
            is None
    assert _topic_audit(db) == []


def test_the_page_speaks_english(make_app):
    at = make_app("operator", "onderwerpen", lang="en")
    at.run()
    assert "Topics" in [t.value for t in at.title]
    assert "English name" in at.dataframe[0].value.columns and "Keywords" in at.dataframe[0].value.columns


def test_keywords_and_messages_are_plain():
    assert split_keywords(" a, b ,,c d, ") == ("a", "b", "c d")
    assert split_keywords("") == ()
    assert plain("**x** <b>_y_</b> [z](javascript:1)") == (
        "\\*\\*x\\*\\* \\<b\\>\\_y\\_\\</b\\> \\[z\\]\\(javascript:1\\)")
