"""``waakhond models|train|classify|topics`` as an operator uses them (tiny encoder)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import storage
from storage.repositories import labels as label_store
from storage.repositories.users import add_user
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    TOPICS_TOML,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)
from tests.support.cli import invoke


@pytest.fixture
def env(db, tmp_path: Path, tiny_folder, tiny_settings, tiny_encoder):
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    return {
        "WAAKHOND_DATABASE_URL": db.url,
        "WAAKHOND_DATA_DIR": str(tmp_path / "data"),
        "WAAKHOND_MODEL_DIR": str(tmp_path / "models"),
        "WAAKHOND_ACTOR": "tester",
        "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(tiny_folder),
        "WAAKHOND_CLASSIFIER__MAX_TOKENS": str(tiny_settings.max_tokens),
        "WAAKHOND_CLASSIFIER__WINDOW_STRIDE_TOKENS": str(tiny_settings.window_stride_tokens),
        "WAAKHOND_CLASSIFIER__THREADS": "1",
    }


def _labelled_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["tekst", "oordeel"])
        writer.writerows(rows)
    return path


def test_install_classify_list_and_evaluate(env, db, capsys, tmp_path: Path) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    topics_file = tmp_path / "topics.toml"
    topics_file.write_text(TOPICS_TOML)
    assert len(json.loads(invoke(["topics", "list", "--json"], env, capsys).stdout)) == 12  # seeded by init
    imported = invoke(["topics", "import", str(topics_file)], env, capsys)
    assert imported.exit_code == 0 and "2 created" in imported.stdout, imported.stderr  # "wonen" is shipped
    with storage.transaction(db.sessions) as session:
        add_items(session, [(t, "", None) for t in POSITIVE[:3] + NEGATIVE[:3]])
    result = invoke(["classify", "--json"], env, capsys)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["version"], report["scored"], report["mode"]) == ("tiny-v1", 6, "pending")
    assert json.loads(invoke(["classify", "--json"], env, capsys).stdout)["scored"] == 0

    versions = json.loads(invoke(["models", "list", "--json"], env, capsys).stdout)
    assert [(v["name"], v["status"]) for v in versions] == [("tiny-v1", "active")]
    table = invoke(["models", "list"], env, capsys).stdout
    assert "tiny-v1" in table and "active" in table

    data = _labelled_csv(tmp_path / "eval.csv", [(t, "nep") for t in POSITIVE] + [(t, "echt") for t in NEGATIVE])
    evaluated = invoke(["models", "evaluate", "--data", str(data), "--text-column", "tekst", "--label-column",
                        "oordeel", "--positive", "nep", "--json"], env, capsys)
    assert evaluated.exit_code == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)
    assert set(metrics) >= {"precision", "recall", "f1", "roc_auc", "pr_auc", "ece", "n"}
    assert metrics["n"] == 16 and metrics["positives"] == 8 and metrics["roc_auc"] > 0.5


def test_train_on_fifty_analyst_labels_shows_candidate_next_to_active(env, db, capsys) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    assert invoke(["models", "install-default"], env, capsys).exit_code == 0
    texts = [(f"{t} Bericht {i}.", label) for i in range(5) for t, label in
             [(p, "disinformation") for p in POSITIVE[:6]] + [(n, "not_disinformation") for n in NEGATIVE[:6]]]
    texts = texts[:50]
    with storage.transaction(db.sessions) as session:
        ids = add_items(session, [(t, "", None) for t, _ in texts])
        anna = add_user(session, "anna", "a long password", "analyst", "admin")
        bert = add_user(session, "bert", "a long password", "analyst", "admin")
        carla = add_user(session, "carla", "a long password", "analyst", "admin")
        flip = {"disinformation": "not_disinformation", "not_disinformation": "misleading"}
        for index, (item_id, (_, label)) in enumerate(zip(ids, texts, strict=True)):
            label_store.add_label(session, item_id, anna, label)
            if index % 2 == 0:  # bert labels half of them, disagreeing now and then; carla breaks those ties
                label_store.add_label(session, item_id, bert, "unsure" if index % 10 == 0 else
                                      flip[label] if index % 6 == 0 else label)
            if index % 6 == 0:
                label_store.add_label(session, item_id, carla, label)
    result = invoke(["train", "--name", "tiny-v2", "--no-seed", "--json"], env, capsys)
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["counts"]["origins"] == {"analyst": 50}
    assert outcome["counts"]["validation"]["n"] == 10
    assert outcome["active"]["name"] == "tiny-v1"
    assert set(outcome["active"]["validation"]) >= {"precision", "recall", "f1", "roc_auc"}
    assert set(outcome["metrics"]["validation"]) >= {"precision", "recall", "f1", "roc_auc", "ece", "confusion"}
    agreement = outcome["agreement"]
    assert agreement["items_with_several_analysts"] > 10 and -1 <= agreement["krippendorff_alpha"] <= 1
    assert agreement["items_used"] == 50 and agreement["ties_left_out"] == 0
    assert agreement["krippendorff_alpha"] < 1.0  # the disagreements count
    assert agreement["cohen_kappa"]["user_ids"] and agreement["cohen_kappa"]["items"] >= 10
    shown = invoke(["train", "--name", "tiny-v3", "--no-seed"], env, capsys)
    assert "tiny-v3 (candidate)" in shown.stdout and "tiny-v1 (active)" in shown.stdout
    listed = {v["name"]: v["status"] for v in json.loads(invoke(["models", "list", "--json"], env, capsys).stdout)}
    assert listed == {"tiny-v1": "active", "tiny-v2": "candidate", "tiny-v3": "candidate"}

    promoted = invoke(["models", "promote", "tiny-v2"], env, capsys)
    assert promoted.exit_code == 0 and "was tiny-v1" in promoted.stdout
    shown = json.loads(invoke(["models", "show", "tiny-v2"], env, capsys).stdout)
    assert shown["status"] == "active" and shown["training"]["counts"]["train"]["n"] == 40
    assert "tiny-v1" in invoke(["models", "rollback"], env, capsys).stdout


def test_train_a_checkworthy_head_from_a_file(env, capsys, tmp_path: Path) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    data = _labelled_csv(tmp_path / "cw.csv", [(t, "1") for t in NEGATIVE] + [(t, "0") for t in POSITIVE])
    result = invoke(["train", "--task", "checkworthy", "--name", "cw-tiny", "--data", str(data), "--text-column",
                     "tekst", "--label-column", "oordeel", "--json"], env, capsys)
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["task"] == "checkworthy" and outcome["counts"]["origins"] == {"file": 16}
    assert outcome["threshold_rule"]["rule"] == "max_f1"


@pytest.mark.parametrize(
    ("argv", "fragment", "code"),
    [
        (["train", "--name", "x", "--mode", "fancy"], "use head, hybrid, full", 2),
        (["models", "evaluate", "--data", "missing.csv"], "file not found", 2),
        (["models", "promote", "nope"], "no model version named 'nope'", 2),
        (["models", "promote", "nope", "--real-data", "no-such-folder"], "--real-data: no-such-folder is not a folder", 2),
        (["models", "promote", "nope", "--real-data", "."], "no model version named 'nope'", 2),
        (["classify", "--all", "--since", "2025-01-01"], "choose one of", 2),
        (["classify", "--since", "gisteren"], "not a date", 2),
        (["topics", "set", "wonen"], "nothing to change", 2),
    ],
)
def test_mistakes_are_one_line(env, capsys, argv, fragment, code) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    result = invoke(argv, env, capsys)
    assert result.exit_code == code
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_topics_are_editable_by_operators(env, capsys, tmp_path: Path) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    topics_file = tmp_path / "topics.toml"
    topics_file.write_text(TOPICS_TOML)
    invoke(["topics", "import", str(topics_file)], env, capsys)
    changed = invoke(["topics", "set", "wonen", "--priority", "5", "--keywords", "huur, woning, hypotheek"], env, capsys)
    assert changed.exit_code == 0, changed.stderr
    again = invoke(["topics", "import", str(topics_file)], env, capsys)
    assert "0 created" in again.stdout and "3 unchanged" in again.stdout
    rows = {t["slug"]: t for t in json.loads(invoke(["topics", "list", "--json"], env, capsys).stdout)}
    assert rows["wonen"]["priority"] == 5 and rows["wonen"]["keywords"] == ["huur", "woning", "hypotheek"]
    reset = invoke(["topics", "import", str(topics_file), "--overwrite"], env, capsys)
    assert "1 updated" in reset.stdout
    bad = invoke(["topics", "set", "wonen", "--priority", "9"], env, capsys)
    assert bad.exit_code == 2 and "1..5" in bad.stderr


def test_train_mode_full_writes_a_version_with_its_own_encoder(env, capsys, tmp_path: Path) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    rows = [(f"{t} {v}", "1") for t in POSITIVE for v in ("Echt.", "Zeker.", "Nu.")]
    rows += [(f"{t} {v}", "0") for t in NEGATIVE for v in ("Echt.", "Zeker.", "Nu.")]
    data = _labelled_csv(tmp_path / "full.csv", rows)
    result = invoke(["train", "--mode", "full", "--name", "tiny-ft", "--no-seed", "--no-labels", "--data", str(data),
                     "--text-column", "tekst", "--label-column", "oordeel", "--json"], env, capsys)
    assert result.exit_code == 0, result.stderr
    folder = Path(json.loads(result.stdout)["folder"])
    assert (folder / "encoder" / "config.json").is_file()
    assert Path(env["WAAKHOND_DATA_DIR"]) in folder.parents
    shown = json.loads(invoke(["models", "show", "tiny-ft"], env, capsys).stdout)
    assert shown["training"]["mode"] == "full" and shown["status"] == "candidate"


def test_train_mode_hybrid_writes_a_hybrid_version(env, capsys, tmp_path: Path) -> None:
    assert invoke(["init"], env, capsys).exit_code == 0
    variants = ("Echt.", "Zeker.", "Nu.", "Lees dit.", "Vandaag.")
    rows = [(f"{t} {v}", "1") for t in POSITIVE for v in variants] + [(f"{t} {v}", "0") for t in NEGATIVE for v in variants]
    data = _labelled_csv(tmp_path / "hybrid.csv", rows)
    result = invoke(["train", "--mode", "hybrid", "--name", "tiny-hy", "--no-seed", "--no-labels", "--data", str(data),
                     "--text-column", "tekst", "--label-column", "oordeel", "--json"], env, capsys)
    assert result.exit_code == 0, result.stderr
    assert (Path(json.loads(result.stdout)["folder"]) / "lexical.safetensors").is_file()
    shown = json.loads(invoke(["models", "show", "tiny-hy"], env, capsys).stdout)
    assert shown["training"]["mode"] == "hybrid" and shown["status"] == "candidate"


@pytest.mark.real_encoder
def test_prepare_base_command_reuses_a_complete_folder(tmp_path: Path, real_encoder_folder: Path) -> None:
    from tests.support.cli import run_subprocess

    base = tmp_path / "var" / "models" / "base"
    base.mkdir(parents=True)
    (base / "multilingual-e5-small").symlink_to(real_encoder_folder, target_is_directory=True)
    env = {"WAAKHOND_DATA_DIR": str(tmp_path / "var"), "HF_HUB_OFFLINE": "1"}
    result = run_subprocess(["models", "prepare-base"], env)
    assert result.exit_code == 0, result.stderr
    assert "Base encoder ready at" in result.stdout
    configured = run_subprocess(["models", "prepare-base"], {**env, "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(tmp_path)})
    assert configured.exit_code == 0 and "nothing to prepare" in configured.stdout
