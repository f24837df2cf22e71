from __future__ import annotations

from datetime import timedelta

import pytest

import storage
from storage.errors import InvalidInput, NotFound
from storage.repositories import audit, labels
from storage.repositories.users import add_user
from storage.schema import Item, Source, utcnow


def _item(session) -> int:
    source = Source(url="https://l.example/rss", name="L")
    session.add(source)
    session.flush()
    item = Item(source_id=source.id, entry_key="g1", guid="g1", title="t", content_hash="h")
    session.add(item)
    session.flush()
    return item.id


def test_labels_record_user_and_time_and_undo_keeps_history(db):
    with storage.transaction(db.sessions) as session:
        item_id = _item(session)
        anna = add_user(session, "anna", "a long password", "analyst", "admin")
        bert = add_user(session, "bert", "a long password", "analyst", "admin")
        labels.add_label(session, item_id, anna, "disinformation", "  bekende onzin  ")
        labels.add_label(session, item_id, bert, "misleading")
        labels.add_label(session, item_id, anna, "unsure")
    with storage.transaction(db.sessions) as session:
        anna = session.merge(anna)
        undone = labels.retract_last_label(session, anna)
        assert undone is not None and undone.label == "unsure"
    with db.read_sessions() as session:
        history = labels.label_history(session, item_id)
        assert [(h.username, h.label, h.retracted_at is not None) for h in history] == [
            ("anna", "disinformation", False), ("bert", "misleading", False), ("anna", "unsure", True),
        ]
        assert history[0].note == "bekende onzin"
        assert labels.count_labels_since(session, anna.id, utcnow() - timedelta(hours=1)) == 1
        assert labels.labelled_item_ids(session) == {item_id}
        assert len(labels.active_labels(session)) == 2
        assert [e.action for e in audit.entries(session, object_type="item")][:1] == ["label.retract"]


def test_bad_labels_are_refused(db):
    with storage.transaction(db.sessions) as session:
        item_id = _item(session)
        anna = add_user(session, "anna", "a long password", "analyst", "admin")
        with pytest.raises(InvalidInput):
            labels.add_label(session, item_id, anna, "fake")
        with pytest.raises(NotFound):
            labels.add_label(session, 999, anna, "disinformation")
        assert labels.retract_last_label(session, anna) is None


def test_a_label_names_the_wrong_part_and_the_audit_entry_says_so(db):
    with storage.transaction(db.sessions) as session:
        item_id = _item(session)
        anna = add_user(session, "anna", "a long password", "analyst", "admin")
        labels.add_label(session, item_id, anna, "not_disinformation", wrong_part="narrative")
        labels.add_label(session, item_id, anna, "disinformation")
        with pytest.raises(InvalidInput):
            labels.add_label(session, item_id, anna, "misleading", wrong_part="tone")
    with db.read_sessions() as session:
        history = labels.label_history(session, item_id)
        assert [(h.label, h.wrong_part) for h in history] == [("not_disinformation", "narrative"),
                                                             ("disinformation", None)]
        added = [e for e in audit.entries(session, object_type="item") if e.action == "label.add"]
        assert sorted((e.details.get("label"), e.details.get("wrong_part")) for e in added) == [
            ("disinformation", None), ("not_disinformation", "narrative")]
