from __future__ import annotations

import pytest

import storage
from storage.errors import AlreadyExists, InvalidInput
from storage.repositories import audit
from storage.repositories import users as repo


def test_password_is_stored_as_argon2_and_verified(db):
    with storage.transaction(db.sessions) as session:
        repo.add_user(session, "anna", "correct horse battery", "analyst", "admin")
    with db.read_sessions() as session:
        user = repo.get_user(session, "anna")
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
    with storage.transaction(db.sessions) as session:
        assert repo.verify_password(session, "anna", "correct horse battery").username == "anna"
        assert repo.verify_password(session, "anna", "wrong password!") is None
        assert repo.verify_password(session, "nobody", "correct horse battery") is None


def test_disabled_user_cannot_log_in(db):
    with storage.transaction(db.sessions) as session:
        repo.add_user(session, "bert", "a long password", "viewer", "admin")
        repo.set_enabled(session, "bert", False, "admin")
    with storage.transaction(db.sessions) as session:
        assert repo.verify_password(session, "bert", "a long password") is None


def test_validation(db):
    with storage.transaction(db.sessions) as session:
        with pytest.raises(InvalidInput, match="unknown role"):
            repo.add_user(session, "c", "a long password", "superuser", "admin")
        with pytest.raises(InvalidInput, match="too short"):
            repo.add_user(session, "c", "short", "viewer", "admin")
        with pytest.raises(InvalidInput, match="invalid user name"):
            repo.add_user(session, "has space", "a long password", "viewer", "admin")
        repo.add_user(session, "c", "a long password", "viewer", "admin")
        with pytest.raises(AlreadyExists):
            repo.add_user(session, "c", "a long password", "viewer", "admin")


def test_role_changes_are_audited_and_ranked(db):
    with storage.transaction(db.sessions) as session:
        repo.add_user(session, "dora", "a long password", "viewer", "admin")
        repo.set_role(session, "dora", "operator", "root")
    with db.read_sessions() as session:
        assert repo.get_user(session, "dora").role == "operator"
        entry = audit.entries(session, action="user.set_role")[0]
        assert (entry.actor, entry.details) == ("root", {"from": "viewer", "to": "operator"})
    assert repo.role_at_least("operator", "analyst")
    assert not repo.role_at_least("viewer", "analyst")
    assert not repo.role_at_least("nonsense", "viewer")
