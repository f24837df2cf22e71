"""Repository functions for ``model_versions``: register, find, list, activate, roll back.

One version per task is ``active``; activating another retires it. Every change is written to
the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import MODEL_STATUSES, ModelVersion, utcnow


def register_model_version(
    session: Session,
    *,
    name: str,
    task: str,
    base_model: str,
    path: str,
    threshold: float,
    metrics: dict[str, Any],
    calibration: dict[str, Any],
    training_fingerprint: str | None,
    created_by: str | None,
    actor: str,
    status: str = "candidate",
) -> ModelVersion:
    if status not in MODEL_STATUSES:
        raise InvalidInput(f"unknown model status {status!r}")
    if session.scalar(select(ModelVersion.id).where(ModelVersion.name == name)) is not None:
        raise AlreadyExists(f"a model version named {name!r} exists already")
    row = ModelVersion(
        name=name,
        task=task,
        base_model=base_model,
        path=path,
        threshold=float(threshold),
        metrics=metrics,
        calibration=calibration,
        training_fingerprint=training_fingerprint,
        created_by=created_by,
        status=status,
        created_at=utcnow(),
        promoted_at=utcnow() if status == "active" else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "model.register", "model_version", row.id, {"name": name, "task": task, "status": status})
    return row


def get_model_version(session: Session, name: str) -> ModelVersion:
    row = session.scalar(select(ModelVersion).where(ModelVersion.name == name))
    if row is None:
        raise NotFound(f"no model version named {name!r}")
    return row


def find_model_version(session: Session, name: str) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.name == name))


def list_model_versions(session: Session, task: str | None = None) -> list[ModelVersion]:
    query = select(ModelVersion).order_by(ModelVersion.task, ModelVersion.created_at, ModelVersion.id)
    if task is not None:
        query = query.where(ModelVersion.task == task)
    return list(session.scalars(query).all())


def active_model_version(session: Session, task: str) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.task == task, ModelVersion.status == "active")
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )


def activate_model_version(session: Session, name: str, actor: str) -> tuple[ModelVersion, ModelVersion | None]:
    """Make ``name`` the active version of its task; the previous active one is retired."""
    row = get_model_version(session, name)
    previous = active_model_version(session, row.task)
    if previous is not None and previous.id == row.id:
        return row, None
    if previous is not None:
        previous.status = "retired"
    row.status = "active"
    row.promoted_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "model.promote", "model_version", row.id,
        {"name": row.name, "task": row.task, "previous": previous.name if previous else None},
    )
    return row, previous


def rollback_model_version(session: Session, task: str, actor: str) -> tuple[ModelVersion, ModelVersion]:
    """Reactivate the version that was active before the current one (by promotion time);
    the current one is retired. Repeated rollbacks walk further back."""
    current = active_model_version(session, task)
    if current is None:
        raise NotFound(f"no active {task} model version to roll back from")
    query = select(ModelVersion).where(
        ModelVersion.task == task,
        ModelVersion.status == "retired",
        ModelVersion.promoted_at.is_not(None),
        ModelVersion.id != current.id,
    )
    if current.promoted_at is not None:
        query = query.where(ModelVersion.promoted_at < current.promoted_at)
    previous = session.scalar(query.order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc()).limit(1))
    if previous is None:
        raise NotFound(f"no earlier {task} model version to roll back to")
    current.status = "retired"
    previous.status = "active"  # promoted_at is kept: it orders the history for later rollbacks
    session.flush()
    audit.record(
        session, actor, "model.rollback", "model_version", previous.id,
        {"name": previous.name, "task": task, "from": current.name},
    )
    return previous, current
