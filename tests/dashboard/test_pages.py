"""Every page for every role, through the real entry script (``streamlit.testing.v1.AppTest``).

Roles are checked on the server: a page outside the role's menu, reached through the URL or
forged session state, is refused and offers nothing to act on.
"""

from __future__ import annotations

import pytest

from dashboard.app import NAV_KEY, PAGES
from storage.repositories import audit
from storage.repositories.users import role_at_least
from storage.schema import Source, User
from tests.dashboard.conftest import ROLES, texts

PAGE_TITLES = {"overzicht": "Overzicht", "signalen": "Signalen", "verhalen": "Verhalen", "labelen": "Labelen", "factchecks": "Factchecks",
               "modellen": "Modellen", "bronnen": "Bronnen", "onderwerpen": "Onderwerpen", "beheer": "Beheer"}
REFUSED = "Geen toegang"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(make_app, role):
    for page in PAGES:
        at = make_app(role, page.slug)
        at.run()
        assert not at.exception, (role, page.slug, at.exception)
        shown = texts(at)
        if role_at_least(role, page.role):
            assert REFUSED not in shown, (role, page.slug)
            assert PAGE_TITLES[page.slug] in [t.value for t in at.title], (role, page.slug)
        else:
            assert REFUSED in shown, (role, page.slug)
            assert [t.value for t in at.title] == [], (role, page.slug)
            # nothing to act with: the only button is "log out"
            assert [b.key for b in at.button] == ["logout"], (role, page.slug)
        menu = at.sidebar.radio(key=NAV_KEY).options
        assert menu == [PAGE_TITLES[p.slug] for p in PAGES if role_at_least(role, p.role)]


def test_viewer_forging_session_state_is_refused(make_app):
    for slug in ("labelen", "bronnen", "onderwerpen", "beheer"):
        at = make_app("viewer")
        at.session_state[NAV_KEY] = slug
        at.session_state["role"] = "admin"  # session state is never read for the role
        at.run()
        assert REFUSED in texts(at) and [b.key for b in at.button] == ["logout"]


def test_a_role_taken_away_is_refused_at_the_next_run(make_app, db, seeded):
    at = make_app("operator", "bronnen")
    at.run()
    assert "Bronnen" in [t.value for t in at.title]
    with db.sessions.begin() as session:
        session.get(User, seeded.users["operator"]).role = "viewer"
    at.run()
    assert REFUSED in texts(at)


def test_acting_user_reads_the_role_from_the_database(db, seeded):
    from dashboard.auth import NotAllowed, SessionUser, acting_user

    forged = SessionUser(seeded.users["viewer"], "viewer", None, "admin")
    with db.sessions.begin() as session, pytest.raises(NotAllowed):
        acting_user(session, forged, "operator")


def test_analyst_label_is_stored_with_the_analyst_and_can_be_undone(make_app, db, seeded):
    at = make_app("analyst", "labelen")
    at.run()
    shown = texts(at)
    assert "Vandaag beoordeeld=0" in shown and "Inschatting" in shown
    at.toggle(key="labelling_hide_score").set_value(True).run()
    assert "Inschatting" not in texts(at)
    note = next(a for a in at.text_area if a.key.startswith("labelling_note_"))
    item_id = int(note.key.rsplit("_", 1)[1])
    note.input("bekende onzin")
    at.button(key="label_disinformation").click().run()
    assert not at.exception
    with db.read_sessions() as session:
        from storage.repositories.labels import label_history

        history = label_history(session, item_id)
        assert [(h.username, h.label, h.note) for h in history] == [("analyst", "disinformation", "bekende onzin")]
        assert history[0].user_id == seeded.users["analyst"]
    assert "Vandaag beoordeeld=1" in texts(at)
    assert next(a for a in at.text_area if a.key.startswith("labelling_note_")).key != note.key  # next item
    at.button(key="labelling_undo").click().run()
    assert "Vandaag beoordeeld=0" in texts(at)
    with db.read_sessions() as session:
        assert label_history(session, item_id)[0].retracted_at is not None


def test_operator_interval_change_reaches_sources_and_audit_log(make_app, db, seeded):
    source_id = seeded.sources["nos"]
    at = make_app("operator", "bronnen")
    at.run()
    at.selectbox(key="sources_chosen").select(source_id).run()
    form_inputs = [n for n in at.number_input if n.label.startswith("Interval")]
    form_inputs[0].set_value(45)
    at.button[[b.label for b in at.button].index("Opslaan")].click().run()
    assert not at.exception and "Wijziging opgeslagen." in texts(at)
    at.button(key=f"source_fetch_{source_id}").click().run()
    with db.read_sessions() as session:
        source = session.get(Source, source_id)
        assert source.interval_seconds == 45 * 60
        entries = audit.entries(session, object_type="source", object_id=source_id)
        assert [(e.actor, e.action) for e in entries][:2] == [("operator", "source.fetch_now"),
                                                               ("operator", "source.update")]
        assert entries[1].details["changes"]["interval_seconds"] == [900, 2700]


def test_operator_disables_a_source(make_app, db, seeded):
    source_id = seeded.sources["blog"]
    at = make_app("operator", "bronnen")
    at.run()
    at.selectbox(key="sources_chosen").select(source_id).run()
    at.button(key=f"source_toggle_{source_id}").click().run()
    with db.read_sessions() as session:
        assert session.get(Source, source_id).enabled is False
        assert audit.entries(session, object_type="source", object_id=source_id)[0].actor == "operator"


def test_admin_changes_a_role_and_cannot_demote_themselves(make_app, db, seeded):
    at = make_app("admin", "beheer")
    at.run()
    at.selectbox(key="admin_chosen").select("viewer").run()
    at.selectbox(key="admin_role_viewer").select("analyst")
    at.button(key="admin_set_role_viewer").click().run()
    with db.read_sessions() as session:
        assert session.get(User, seeded.users["viewer"]).role == "analyst"
        assert audit.entries(session, action="user.set_role")[0].actor == "admin"
    at.selectbox(key="admin_chosen").select("admin").run()
    assert "admin_set_role_admin" not in [b.key for b in at.button]


def test_analyst_adds_a_debunk_by_hand(make_app, db):
    at = make_app("analyst", "factchecks")
    at.run()
    at.text_input[[t.label for t in at.text_input].index("Adres van de factcheck")].input(
        "https://checkers.example/stikstof")
    at.text_area[0].input("Boeren moeten hun land afstaan")
    at.text_input[[t.label for t in at.text_input].index("Uitgever")].input("Checkers")
    at.button[[b.label for b in at.button].index("Toevoegen")].click().run()
    assert "Factcheck toegevoegd." in texts(at)
    with db.read_sessions() as session:
        assert audit.entries(session, action="factcheck.add")[0].actor == "analyst"


def test_hostile_item_renders_inert(make_app, seeded):
    at = make_app("viewer", "signalen", item=str(seeded.hostile_item))
    at.run()
    html = "\n".join(h.value for h in at.get("html"))
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert 'href="javascript' not in "\n".join(m.value for m in at.markdown)
    assert "Naar het originele bericht" in html  # shown as text, not as a link


def test_signal_detail_shows_evidence_debunk_guidance_and_carriers(make_app, seeded):
    at = make_app("viewer", "signalen", item=str(seeded.flagged_item))
    at.run()
    shown = texts(at)
    assert "zeer hoge kans (0.93)" in shown
    assert "<mark>Het kabinet gaat alle boeren onteigenen.</mark>" in shown
    assert f'href="{seeded.fact_check_url}"' in shown and "Nieuwscheckers" in shown and "onwaar" in shown
    assert "isdatechtzo.nl" in shown
    assert "Dit verhaal stond bij 2 bron(nen)." in shown
    assert "Stikstof — LVVN" in shown


def test_signals_sort_page_and_csv_export(make_app):
    at = make_app("viewer", "signalen", sort="score", order="desc", min_score="0.85")
    at.run()
    table = at.dataframe[0].value
    assert list(table.iloc[:, 3]) == ["zeer hoge kans (0.93)", "hoge kans (0.88)"]
    at.button(key="signals_export").click().run()
    assert at.get("download_button")
    assert at.query_params["sort"] == "score" and at.query_params["min_score"] == "0.85"


def test_english_is_available(make_app):
    at = make_app("viewer", "overzicht", lang="en")
    at.run()
    assert "Overview" in [t.value for t in at.title] and "Flagged=2" in texts(at)


def test_overview_shows_figures_and_the_chart(make_app):
    at = make_app("viewer", "overzicht")
    at.run()
    shown = texts(at)
    assert "Verzameld=" in shown and "Bronnen met fouten=1" in shown and "Bronnen gezond=2" in shown
    assert len(at.get("vega_lite_chart")) == 1
