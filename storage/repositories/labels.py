"""Repository functions for analysts' ``labels``.

Every label records who and when. Undo never deletes: it sets ``retracted_at`` on the
user's latest label, so the history stays complete and auditable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.errors import InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import LABELS, PART_NAMES, Item, Label, User, utcnow

#: How analyst labels map onto the binary disinformation task; ``None`` = not used in training.
BINARY_TARGET: dict[str, int | None] = {
    "disinformation": 1,
    "misleading": 1,
    "not_disinformation": 0,
    "unsure": None,
}
#: The parts of a signal an analyst can say were wrong (``labels.wrong_part``): the part names
#: of ``classifications.signal_parts``.
SIGNAL_PARTS = PART_NAMES


@dataclass(frozen=True)
class LabelRecord:
    id: int
    item_id: int
    user_id: int
    username: str
    label: str
    note: str | None
    created_at: datetime
    retracted_at: datetime | None
    wrong_part: str | None = None


def add_label(
    session: Session, item_id: int, user: User, label: str, note: str | None = None, wrong_part: str | None = None
) -> Label:
    """Store one label; ``wrong_part`` (optional) names the part of the signal the analyst says
    was wrong. Audited with both."""
    if label not in LABELS:
        raise InvalidInput(f"unknown label {label!r}: use one of {', '.join(LABELS)}")
    if wrong_part is not None and wrong_part not in SIGNAL_PARTS:
        raise InvalidInput(f"unknown signal part {wrong_part!r}: use one of {', '.join(SIGNAL_PARTS)}")
    if session.get(Item, item_id) is None:
        raise NotFound(f"no item {item_id}")
    row = Label(item_id=item_id, user_id=user.id, label=label, note=(note or "").strip() or None,
                wrong_part=wrong_part, created_at=utcnow())
    session.add(row)
    session.flush()
    details = {"label": label, "label_id": row.id}
    if wrong_part is not None:
        details["wrong_part"] = wrong_part
    audit.record(session, user.username, "label.add", "item", item_id, details, user.id)
    return row


def retract_last_label(session: Session, user: User) -> Label | None:
    """Undo: retract this user's most recent label that is still in force."""
    row = session.scalar(
        select(Label)
        .where(Label.user_id == user.id, Label.retracted_at.is_(None))
        .order_by(Label.created_at.desc(), Label.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    row.retracted_at = utcnow()
    audit.record(session, user.username, "label.retract", "item", row.item_id, {"label_id": row.id}, user.id)
    return row


def label_history(session: Session, item_id: int) -> list[LabelRecord]:
    rows = session.execute(
        select(Label, User.username)
        .join(User, User.id == Label.user_id)
        .where(Label.item_id == item_id)
        .order_by(Label.created_at, Label.id)
    ).all()
    return [
        LabelRecord(r.Label.id, r.Label.item_id, r.Label.user_id, r.username, r.Label.label, r.Label.note,
                    r.Label.created_at, r.Label.retracted_at, r.Label.wrong_part)
        for r in rows
    ]


def count_labels_since(session: Session, user_id: int, since: datetime) -> int:
    return session.scalar(
        select(func.count(Label.id)).where(
            Label.user_id == user_id, Label.created_at >= since, Label.retracted_at.is_(None)
        )
    ) or 0


def labelled_item_ids(session: Session, user_id: int | None = None) -> set[int]:
    """Items that already carry a label in force (of this user, or of anyone)."""
    query = select(Label.item_id).where(Label.retracted_at.is_(None))
    if user_id is not None:
        query = query.where(Label.user_id == user_id)
    return set(session.scalars(query).all())


def active_labels(session: Session, since: datetime | None = None) -> Sequence[Label]:
    """All labels in force (not retracted), oldest first: the input of training."""
    query = select(Label).where(Label.retracted_at.is_(None)).order_by(Label.item_id, Label.created_at)
    if since is not None:
        query = query.where(Label.created_at >= since)
    return session.scalars(query).all()
