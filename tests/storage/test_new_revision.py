"""``storage.migrate.new_revision``: autogenerate a migration from models vs database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

import storage
from storage.migrate import new_revision


def test_a_database_at_head_gives_an_empty_revision(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    storage.upgrade(engine)
    versions = tmp_path / "versions"
    versions.mkdir()
    path = new_revision(engine, "nothing changed", versions_dir=versions)
    text = path.read_text()
    assert path.parent == versions and "nothing changed" in text
    assert "op.add_column" not in text and "op.create_table" not in text  # models == migrations
    engine.dispose()


def test_a_database_behind_head_is_refused(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(RuntimeError, match="waakhond db upgrade"):
        new_revision(engine, "x", versions_dir=tmp_path)
    engine.dispose()
