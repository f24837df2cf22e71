"""Promote and roll back on the Modellen page (admins): each one transaction through
``storage.repositories.model_versions``, audited with the admin's name, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.schema import AuditEntry, ModelVersion, utcnow
from tests.dashboard.conftest import texts


def _statuses(db) -> dict[str, str]:
    with db.read_sessions() as session:
        return dict(session.execute(select(ModelVersion.name, ModelVersion.status)).all())


def _audit(db, action: str) -> list[tuple[str, str | None, dict]]:
    with db.read_sessions() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.object_id, AuditEntry.details, AuditEntry.at)
                               .where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
    assert all(at is not None for *_, at in rows)  # when
    return [(actor, object_id, details) for actor, object_id, details, _ in rows]


def test_an_admin_promotes_a_candidate_and_rolls_back(make_app, db, seeded):
    with db.sessions.begin() as session:
        candidate = ModelVersion(name="v2", base_model="e5", path="models/v2", threshold=0.6, status="candidate",
                                 created_at=utcnow() - timedelta(days=1))
        session.add(candidate)
        session.flush()
        candidate_id = candidate.id
    at = make_app("admin", "modellen")
    at.run()
    at.selectbox(key="models_chosen").select("v2").run()
    at.button(key="models_promote").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Actief: v2"]
    assert _statuses(db) == {"v1": "retired", "v2": "active"}
    assert _audit(db, "model.promote") == [
        ("admin", str(candidate_id), {"name": "v2", "task": "disinformation", "previous": "v1"})]

    at.button(key="models_rollback").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Actief: v1"]
    assert _statuses(db) == {"v1": "active", "v2": "retired"}
    assert _audit(db, "model.rollback") == [
        ("admin", str(seeded.model_id), {"name": "v1", "task": "disinformation", "from": "v2"})]


def test_a_rollback_with_nothing_before_it_says_so_and_changes_nothing(make_app, db, seeded):
    at = make_app("admin", "modellen")
    at.run()
    at.button(key="models_rollback").click().run()
    assert not at.exception, at.exception
    assert not at.success
    assert "Niet gelukt: no earlier disinformation model version to roll back to" in texts(at)
    assert _statuses(db) == {"v1": "active"}
    assert _audit(db, "model.rollback") == []


def test_an_analyst_sees_no_promote_or_rollback(make_app, db, seeded):
    at = make_app("analyst", "modellen")
    at.run()
    assert not at.exception, at.exception
    assert {"models_promote", "models_rollback"}.isdisjoint(b.key for b in at.button)
