"""Authorisation on the server: every page action, tried by each role below the one it needs
(the user is demoted between opening the page and acting, so the action's widgets are there),
by a user disabled mid-session, and with forged session state. Each try is refused, changes
nothing, and leaves an audit entry.

Runs through the real entry script (Streamlit AppTest), with the dashboard tests' fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from dashboard.app import NAV_KEY, PAGES
from dashboard.auth import BAD_SESSION, REFUSED, SESSION_KEY, issue_token
from storage.repositories import audit
from storage.repositories.users import ROLE_RANK
from storage.schema import (
    AuditEntry,
    FactCheck,
    Label,
    ModelVersion,
    PolicyTopic,
    Source,
    User,
    utcnow,
)
from tests.dashboard.conftest import ROLES, SECRET, texts

REFUSED_TEXT = "Geen toegang"
PAGE_ROLES = {page.slug: page.role for page in PAGES}
#: Audit actions a refused try may leave; anything else in the audit log is a change.
REFUSAL_ACTIONS = {REFUSED, BAD_SESSION, "logout"}


def _button(at, label: str):
    return at.button[[b.label for b in at.button].index(label)]


def _input(widgets, label: str):
    return widgets[[w.label for w in widgets].index(label)]


@dataclass(frozen=True)
class PageAction:
    name: str
    page: str
    needed: str
    prepare: Callable  # (at, seeded) -> None: widgets into place, run
    act: Callable  # (at, seeded) -> None: the click (not yet run)


def _label_prepare(at, seeded):
    at.run()


def _factcheck_prepare(at, seeded):
    at.run()
    _input(at.text_input, "Adres van de factcheck").input("https://check.example/nieuw")
    _input(at.text_area, "Onderzochte bewering").input("Een nieuwe bewering")


def _source_prepare(at, seeded):
    at.run()
    at.selectbox(key="sources_chosen").select(seeded.sources["nos"]).run()


def _source_add_prepare(at, seeded):
    at.run()
    _input(at.text_input, "Adres (http/https)").input("https://nieuw.example/rss")


def _topic_add_prepare(at, seeded):
    at.run()
    at.text_input(key="topic_add_slug").input("zorg")
    at.text_input(key="topic_add_name").input("Zorg")


def _user_prepare(at, seeded):
    at.run()
    at.selectbox(key="admin_chosen").select("viewer").run()
    at.selectbox(key="admin_role_viewer").select("admin")


def _user_add_prepare(at, seeded):
    at.run()
    _input(at.text_input, "Gebruikersnaam").input("indringer")
    _input(at.text_input, "Wachtwoord").input("een lang wachtwoord")


def _label_of(action: PageAction) -> str:
    return {"model-rollback": "Terug naar de vorige versie"}.get(action.name, "")


ACTIONS = [
    PageAction("label", "labelen", "analyst", _label_prepare, lambda at, s: at.button(key="label_disinformation").click()),
    PageAction("label-undo", "labelen", "analyst", _label_prepare, lambda at, s: at.button(key="labelling_undo").click()),
    PageAction("factcheck-add", "factchecks", "analyst", _factcheck_prepare, lambda at, s: _button(at, "Toevoegen").click()),
    PageAction("source-save", "bronnen", "operator", _source_prepare, lambda at, s: _button(at, "Opslaan").click()),
    PageAction("source-toggle", "bronnen", "operator", _source_prepare,
               lambda at, s: at.button(key=f"source_toggle_{s.sources['nos']}").click()),
    PageAction("source-fetch-now", "bronnen", "operator", _source_prepare,
               lambda at, s: at.button(key=f"source_fetch_{s.sources['nos']}").click()),
    PageAction("source-add", "bronnen", "operator", _source_add_prepare, lambda at, s: _button(at, "Toevoegen").click()),
    PageAction("topic-add", "onderwerpen", "operator", _topic_add_prepare, lambda at, s: _button(at, "Toevoegen").click()),
    PageAction("user-set-role", "beheer", "admin", _user_prepare, lambda at, s: at.button(key="admin_set_role_viewer").click()),
    PageAction("user-toggle", "beheer", "admin", _user_prepare, lambda at, s: at.button(key="admin_toggle_viewer").click()),
    PageAction("user-add", "beheer", "admin", _user_add_prepare, lambda at, s: _button(at, "Toevoegen").click()),
    PageAction("model-rollback", "modellen", "admin", _label_prepare,
               lambda at, s: _button(at, "Terug naar de vorige versie").click()),
]
#: (action, what the user becomes mid-session): each role below the one needed, and disabled.
CASES = [
    pytest.param(action, change, id=f"{action.name}-{change}")
    for action in ACTIONS
    for change in [*(r for r in ROLES if ROLE_RANK[r] < ROLE_RANK[action.needed]), "disabled"]
]


def state(db) -> tuple:
    """Everything a page action could change, and the audit log less refusals."""
    with db.read_sessions() as session:
        return (
            session.execute(select(User.username, User.role, User.enabled).order_by(User.id)).all(),
            session.execute(select(Source.url, Source.name, Source.interval_seconds, Source.enabled, Source.next_due_at)
                            .order_by(Source.id)).all(),
            session.scalar(select(func.count(Label.id))),
            session.scalar(select(func.count(FactCheck.id))),
            session.execute(select(PolicyTopic.slug).order_by(PolicyTopic.id)).scalars().all(),
            session.execute(select(ModelVersion.name, ModelVersion.status).order_by(ModelVersion.id)).all(),
            session.execute(select(AuditEntry.action, AuditEntry.object_id)
                            .where(AuditEntry.action.not_in(REFUSAL_ACTIONS)).order_by(AuditEntry.id)).all(),
        )


def refusals(db, username: str) -> list[tuple[str, str | None]]:
    with db.read_sessions() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.object_id, AuditEntry.details)
                               .where(AuditEntry.actor == username, AuditEntry.action.in_(REFUSAL_ACTIONS))).all()
    return [(a, o) for a, o, _ in rows]


@pytest.mark.parametrize(("action", "change"), CASES)
def test_every_page_action_is_refused_below_its_role_and_when_disabled(make_app, db, seeded, action, change):
    holder = action.needed  # the seeded user with exactly the needed role
    at = make_app(holder, action.page)
    action.prepare(at, seeded)
    assert not at.exception and REFUSED_TEXT not in texts(at), (action.name, texts(at))
    if action.name == "model-rollback":  # a second version, so that there is something to roll back to
        with db.sessions.begin() as session:
            session.add(ModelVersion(name="v0", base_model="e5", path="models/v0", threshold=0.5, status="retired",
                                     promoted_at=utcnow()))
    before = state(db)
    with db.sessions.begin() as session:
        user = session.get(User, seeded.users[holder])
        if change == "disabled":
            user.enabled = False
        else:
            user.role = change
    after_change = state(db)

    action.act(at, seeded)
    at.run()

    assert not at.exception, at.exception
    assert not at.success
    assert state(db) == after_change, action.name
    if change == "disabled":
        assert "niet meer geldig" in texts(at)
        assert ("logout", holder) in refusals(db, holder)
    elif ROLE_RANK[change] < ROLE_RANK[PAGE_ROLES[action.page]]:
        assert REFUSED_TEXT in texts(at)
        assert refusals(db, holder) == [(REFUSED, f"page:{action.page}")]
    else:  # the page allows the new role but not the action: its buttons are gone, the click lands nowhere
        assert action.name not in [b.key for b in at.button]
        assert _label_of(action) not in [b.label for b in at.button]
    assert before != after_change


@pytest.mark.parametrize("forgery", ["other-key", "garbage", "not-a-string", "admin-id-viewer-signature"])
def test_forged_session_tokens_give_nothing_and_are_audited(make_app, db, seeded, forgery):
    real = issue_token(SECRET, seeded.users["viewer"], utcnow())
    tokens = {
        "other-key": issue_token("not the server's key", seeded.users["admin"], utcnow()),
        "garbage": "1.2.3.4",
        "not-a-string": {"user_id": seeded.users["admin"], "role": "admin"},
        # the admin's id in a viewer's signed token: the signature no longer matches
        "admin-id-viewer-signature": f"{seeded.users['admin']}." + real.split(".", 1)[1],
    }
    at = make_app(None, "beheer")
    at.session_state[SESSION_KEY] = tokens[forgery]
    at.session_state["role"] = "admin"  # never read
    at.session_state[NAV_KEY] = "beheer"
    at.run()
    assert not at.exception
    assert "Beheer" not in [t.value for t in at.title] and SESSION_KEY not in at.session_state
    with db.read_sessions() as session:
        assert [e.action for e in audit.entries(session, object_type="auth")] == [BAD_SESSION]


def test_forged_role_in_session_state_does_not_open_an_admin_page(make_app, db):
    at = make_app("viewer", "beheer")
    for key in ("role", "user_role", "waakhond_role"):
        at.session_state[key] = "admin"
    at.run()
    assert REFUSED_TEXT in texts(at) and [b.key for b in at.button] == ["logout"]
    assert refusals(db, "viewer") == [(REFUSED, "page:beheer")]
