"""storage.repositories.api_tokens on SQLite and PostgreSQL: shown once, stored hashed, audited, revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import storage
from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import api_tokens, audit
from storage.schema import ApiToken, utcnow


def test_a_token_is_stored_only_as_its_hash_and_audited(db):
    with storage.transaction(db.sessions) as session:
        new = api_tokens.create_token(session, "team-stikstof", "viewer", "cli:admin", expires_days=30)
    assert new.token.startswith("wkh_") and len(new.token) >= 40
    with db.read_sessions() as session:
        row = session.scalar(select(ApiToken))
        assert row.token_hash == api_tokens.hash_token(new.token) != new.token
        assert new.token not in {str(v) for v in (row.name, row.prefix, row.token_hash, row.created_by)}
        assert row.prefix == new.token[:api_tokens.SHOWN_PREFIX_LENGTH]
        assert row.expires_at - row.created_at == timedelta(days=30)
        found = api_tokens.find_token(session, new.token)
        assert found is not None and found.name == "team-stikstof" and found.state(utcnow()) == "active"
        assert api_tokens.find_token(session, new.token + "x") is None
        assert api_tokens.find_token(session, "not-a-token") is None
        (entry,) = audit.entries(session, object_type="api_token")
        assert (entry.action, entry.actor, entry.details["role"]) == ("api_token.create", "cli:admin", "viewer")
        assert new.token not in str(entry.details)


def test_revoking_refuses_the_token_and_is_audited(db):
    with storage.transaction(db.sessions) as session:
        new = api_tokens.create_token(session, "team-a", "analyst", "cli:admin")
    with storage.transaction(db.sessions) as session:
        api_tokens.revoke_token(session, "team-a", "cli:other")
    with db.read_sessions() as session:
        view = api_tokens.find_token(session, new.token)
        assert view.state(utcnow()) == "revoked" and view.revoked_by == "cli:other"
        actions = [e.action for e in audit.entries(session, object_type="api_token")]
        assert actions == ["api_token.revoke", "api_token.create"]
    with storage.transaction(db.sessions) as session, pytest.raises(NotFound):
        api_tokens.revoke_token(session, "team-a", "cli:other")
    # the name can carry a new token once the old one is revoked
    with storage.transaction(db.sessions) as session:
        again = api_tokens.create_token(session, "team-a", "viewer", "cli:admin")
    assert again.token != new.token


def test_a_name_in_use_bad_names_and_roles_are_refused(db):
    with storage.transaction(db.sessions) as session:
        api_tokens.create_token(session, "team-a", "viewer", "cli:admin")
    with storage.transaction(db.sessions) as session:
        with pytest.raises(AlreadyExists):
            api_tokens.create_token(session, "team-a", "viewer", "cli:admin")
        for name in ("", "two words", "x" * 121, "tab\there"):
            with pytest.raises(InvalidInput):
                api_tokens.create_token(session, name, "viewer", "cli:admin")
        for role in ("admin", "operator", "Viewer"):
            with pytest.raises(InvalidInput):
                api_tokens.create_token(session, "team-b", role, "cli:admin")
        with pytest.raises(InvalidInput):
            api_tokens.create_token(session, "team-b", "viewer", "cli:admin", expires_days=-1)


def test_an_expired_token_frees_its_name_and_last_use_is_recorded(db):
    past = utcnow() - timedelta(days=10)
    with storage.transaction(db.sessions) as session:
        old = api_tokens.create_token(session, "team-a", "viewer", "cli:admin", expires_days=1, now=past)
        api_tokens.create_token(session, "team-a", "viewer", "cli:admin")
    with storage.transaction(db.sessions) as session:
        assert api_tokens.mark_used(session, [old.view.id], utcnow()) == 1
    with db.read_sessions() as session:
        views = api_tokens.list_tokens(session)
        assert [v.state(utcnow()) for v in views] == ["expired", "active"]
        assert views[0].last_used_at is not None and views[1].last_used_at is None
