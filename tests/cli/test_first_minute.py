"""A new user's first minute: ``waakhond init`` then ``waakhond models list`` shows the shipped
default versions as active, with their metrics (before, the table stayed empty until the first
``classify`` or ``models install-default``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.support.cli import run_subprocess


def _shipped_defaults() -> dict[str, str]:
    defaults = {}
    for version_file in sorted((REPO_ROOT / "models").glob("*/version.json")):
        info = json.loads(version_file.read_text(encoding="utf-8"))
        if info.get("default"):
            defaults[info["name"]] = info["task"]
    return defaults


def test_init_then_models_list_shows_the_defaults_active_with_metrics(tmp_path: Path) -> None:
    defaults = _shipped_defaults()
    assert set(defaults.values()) == {"disinformation", "checkworthy"}
    env = {"WAAKHOND_DATA_DIR": str(tmp_path / "var"), "WAAKHOND_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}

    assert run_subprocess(["init"], env).exit_code == 0
    listed = run_subprocess(["models", "list", "--json"], env)
    assert listed.exit_code == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    for name, task in defaults.items():
        assert rows[name]["task"] == task
        assert rows[name]["status"] == "active", rows[name]
        validation = rows[name]["validation"]
        assert all(validation[key] is not None for key in ("n", "precision", "recall", "f1")), validation

    table = run_subprocess(["models", "list"], env)
    assert table.exit_code == 0 and all(name in table.stdout for name in defaults)

    # quietly idempotent: a second init changes nothing and activates nothing twice
    again = run_subprocess(["init"], env)
    assert again.exit_code == 0 and "already initialised" in again.stdout
    assert json.loads(run_subprocess(["models", "list", "--json"], env).stdout) == json.loads(listed.stdout)
