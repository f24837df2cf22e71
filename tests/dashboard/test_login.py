"""Login against argon2 hashes, audit entries, the failed-login rate limit, session expiry."""

from __future__ import annotations

from datetime import timedelta

from dashboard.auth import SESSION_KEY, issue_token
from storage.repositories import audit
from storage.schema import User, utcnow
from tests.dashboard.conftest import PASSWORD, SECRET, texts


def _login(at, username: str, password: str) -> None:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()


def test_login_succeeds_and_is_audited(make_app, db, seeded):
    at = make_app()
    at.run()
    assert [t.value for t in at.title] == ["Waakhond"] and "Overzicht" not in texts(at)
    _login(at, "analyst", PASSWORD)
    assert not at.exception and "Overzicht" in [t.value for t in at.title]
    with db.read_sessions() as session:
        entry = audit.entries(session, object_type="login")[0]
        assert (entry.action, entry.actor, entry.user_id) == ("login.success", "analyst", seeded.users["analyst"])
        assert session.get(User, seeded.users["analyst"]).last_login_at is not None


def test_failed_logins_are_audited_and_rate_limited(make_app, db):
    at = make_app()
    at.run()
    for _ in range(5):  # login_max_failures
        _login(at, "operator", "wrong password!")
        assert "Onjuiste gebruikersnaam of wachtwoord." in texts(at)
    _login(at, "operator", PASSWORD)  # the right password, but blocked
    assert "Te veel mislukte pogingen" in texts(at) and "Overzicht" not in [t.value for t in at.title]
    _login(at, "ghost", "whatever it is")  # other names are not blocked, and unknown names are audited too
    with db.read_sessions() as session:
        actions = [(e.action, e.object_id) for e in audit.entries(session, object_type="login")]
    assert actions[0] == ("login.failure", "ghost")
    assert actions[1] == ("login.blocked", "operator")
    assert actions[2:7] == [("login.failure", "operator")] * 5


def test_failures_outside_the_window_do_not_count(make_app, db, monkeypatch):
    monkeypatch.setenv("WAAKHOND_DASHBOARD__LOGIN_WINDOW_MINUTES", "15")
    with db.sessions.begin() as session:
        for _ in range(5):
            audit.record(session, "admin", "login.failure", "login", "admin", {}, at=utcnow() - timedelta(minutes=16))
    at = make_app()
    at.run()
    _login(at, "admin", PASSWORD)
    assert "Overzicht" in [t.value for t in at.title]


def test_expired_session_asks_for_login_again(make_app, seeded, monkeypatch):
    monkeypatch.setenv("WAAKHOND_DASHBOARD__SESSION_TTL_MINUTES", "30")
    at = make_app()
    at.session_state[SESSION_KEY] = issue_token(SECRET, seeded.users["admin"], utcnow() - timedelta(minutes=31))
    at.run()
    assert "Je sessie is verlopen" in texts(at) and "Overzicht" not in [t.value for t in at.title]
    fresh = make_app()
    fresh.session_state[SESSION_KEY] = issue_token(SECRET, seeded.users["admin"], utcnow() - timedelta(minutes=29))
    fresh.run()
    assert "Overzicht" in [t.value for t in fresh.title]


def test_token_signed_with_another_key_or_for_a_disabled_user_is_refused(make_app, db, seeded):
    at = make_app()
    at.session_state[SESSION_KEY] = issue_token("not the server's key", seeded.users["admin"], utcnow())
    at.run()
    assert "Overzicht" not in [t.value for t in at.title]
    with db.sessions.begin() as session:
        session.get(User, seeded.users["viewer"]).enabled = False
    at = make_app("viewer")
    at.run()
    assert "niet meer geldig" in texts(at)


def test_logout_ends_the_session(make_app, db):
    at = make_app("viewer")
    at.run()
    at.button(key="logout").click().run()
    assert SESSION_KEY not in at.session_state and "Overzicht" not in [t.value for t in at.title]
    with db.read_sessions() as session:
        assert audit.entries(session, object_type="login")[0].action == "logout"


def test_single_sign_on_maps_onto_users_and_roles(app_env, db, seeded):
    from dashboard.auth import attempt_oidc_login, oidc_username
    from waakhond.context import AppContext
    from waakhond.settings import Settings

    assert oidc_username({"email": " operator ", "sub": "x"}, "email") == "operator"
    assert oidc_username({"sub": "x"}, "email") is None
    ctx = AppContext(Settings())
    outcome = attempt_oidc_login(ctx, "operator")
    assert outcome.reason == "ok" and outcome.user.role == "operator"
    assert attempt_oidc_login(ctx, "someone@elsewhere.example").reason == "invalid"
    with db.read_sessions() as session:
        entries = [(e.action, e.object_id, e.details) for e in audit.entries(session, object_type="login")][:2]
    assert entries == [("login.failure", "someone@elsewhere.example", {"reason": "oidc_unknown_user"}),
                       ("login.success", "operator", {"mode": "oidc"})]
