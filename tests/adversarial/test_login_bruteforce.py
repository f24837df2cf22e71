"""Login brute force: a lockout per user name and per client address (both from the audit log),
the same answer for an unknown name and a wrong password, and the same argon2 work for both
(counted, not timed: no timing thresholds in tests)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import storage.repositories.users
from dashboard.auth import attempt_login
from storage.schema import AuditEntry, User
from tests.dashboard.conftest import PASSWORD, texts

ATTACKER = "203.0.113.9"
OTHER_CLIENT = "198.51.100.20"


@pytest.fixture
def ctx(app_env, seeded):
    from waakhond.context import AppContext
    from waakhond.settings import Settings

    return AppContext(Settings())


@pytest.fixture
def verify_calls(monkeypatch) -> list[str]:
    """Every argon2 verification, by the hash it was checked against ('dummy' or 'user')."""
    calls: list[str] = []
    hasher = storage.repositories.users._HASHER
    real_verify = hasher.verify

    class CountingHasher:
        def __getattr__(self, name):
            return getattr(hasher, name)

        def verify(self, hashed, password):
            calls.append("dummy" if hashed == storage.repositories.users._DUMMY_HASH else "user")
            return real_verify(hashed, password)

    monkeypatch.setattr(storage.repositories.users, "_HASHER", CountingHasher())
    return calls


def test_unknown_names_wrong_passwords_and_disabled_users_cost_one_argon2_check_each(ctx, db, seeded, verify_calls):
    with db.sessions.begin() as session:
        session.get(User, seeded.users["operator"]).enabled = False
    outcomes = [
        attempt_login(ctx, "nobody-by-this-name", "whatever it is").reason,
        attempt_login(ctx, "analyst", "wrong password!").reason,
        attempt_login(ctx, "operator", PASSWORD).reason,  # disabled: right password, same answer
    ]
    assert outcomes == ["invalid", "invalid", "invalid"]
    assert verify_calls == ["dummy", "user", "user"]


def test_unknown_name_and_wrong_password_read_the_same(make_app):
    shown = []
    for name, password in (("nobody-by-this-name", "whatever it is"), ("analyst", "wrong password!")):
        at = make_app()
        at.run()
        at.text_input(key="login_username").input(name)
        at.text_input(key="login_password").input(password)
        at.button[0].click().run()
        shown.append([e.value for e in at.error])
    assert shown[0] == shown[1] == ["Onjuiste gebruikersnaam of wachtwoord."]


def test_one_user_name_is_locked_after_its_failures_whoever_tries(ctx, verify_calls):
    for client in (ATTACKER, OTHER_CLIENT, None, ATTACKER, OTHER_CLIENT):  # login_max_failures = 5
        assert attempt_login(ctx, "admin", "wrong password!", client=client).reason == "invalid"
    checked = len(verify_calls)
    assert attempt_login(ctx, "admin", PASSWORD, client="192.0.2.1").reason == "blocked"
    assert len(verify_calls) == checked  # a blocked attempt does not even check the password
    assert attempt_login(ctx, "analyst", PASSWORD, client=ATTACKER).reason == "ok"


def test_one_client_trying_many_names_is_locked_for_every_name(ctx, db, monkeypatch):
    monkeypatch.setenv("WAAKHOND_DASHBOARD__LOGIN_MAX_FAILURES_PER_CLIENT", "8")
    from waakhond.context import AppContext
    from waakhond.settings import Settings

    ctx = AppContext(Settings())
    for n in range(8):  # spraying: each name fails only once, far below the per-name limit
        assert attempt_login(ctx, f"guess{n}", "Welkom2024!", client=ATTACKER).reason == "invalid"
    assert attempt_login(ctx, "viewer", PASSWORD, client=ATTACKER).reason == "blocked"
    assert attempt_login(ctx, "viewer", PASSWORD, client=OTHER_CLIENT).reason == "ok"
    with db.read_sessions() as session:
        blocked = session.scalars(select(AuditEntry).where(AuditEntry.action == "login.blocked")).all()
    assert [(e.object_id, e.details) for e in blocked] == [("viewer", {"scope": "client", "client": ATTACKER})]


def test_the_lockout_message_is_the_same_for_known_and_unknown_names(make_app, ctx):
    for name in ("viewer", "nobody-by-this-name"):
        for _ in range(5):
            attempt_login(ctx, name, "wrong password!")
    shown = []
    for name in ("viewer", "nobody-by-this-name"):
        at = make_app()
        at.run()
        at.text_input(key="login_username").input(name)
        at.text_input(key="login_password").input(PASSWORD)
        at.button[0].click().run()
        shown.append([e.value for e in at.error])
        assert "Overzicht" not in texts(at)
    assert shown[0] == shown[1] and len(shown[0]) == 1
