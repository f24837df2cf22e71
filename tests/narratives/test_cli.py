"""``waakhond narratives ...`` and ``waakhond alerts ...`` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import storage
from storage.repositories import audit
from tests.alerts.receivers import WebhookReceiver
from tests.narratives import rows
from tests.support.cli import invoke

T0 = datetime.now(UTC) - timedelta(hours=12)
CLAIM, OTHER = rows.orthogonal_pair(21)


@pytest.fixture
def env(db, tmp_path):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        feeds = [rows.source(s, n) for n in ("omroep", "krant", "forum")]
        rows.background_items(s, feeds[0], version, 60, T0 - timedelta(days=1))
        for i in range(6):
            rows.item(s, feeds[i % 3], version, T0 + timedelta(hours=i), rows.near(CLAIM, i),
                      evidence="Contant geld wordt afgeschaft.", topics=("digitale-overheid-geld",))
        for i in range(2):
            rows.item(s, feeds[0], version, T0 + timedelta(hours=i), rows.near(OTHER, 40 + i), evidence="Iets anders.")
    return {"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"), "WAAKHOND_ACTOR": "tester"}


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def cli(env, capsys, *argv):
    return invoke(list(argv), env, capsys)


def test_narratives_run_list_show_rename_split_merge_close(env, capsys, db):
    result = cli(env, capsys, "narratives", "run", "--merge")
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[-1])["placed"] == 8
    listed = json.loads(cli(env, capsys, "narratives", "list", "--json").stdout)
    assert sorted(n["item_count"] for n in listed) == [2, 6]
    big = next(n for n in listed if n["item_count"] == 6)
    shown = json.loads(cli(env, capsys, "narratives", "show", str(big["id"]), "--json").stdout)
    assert shown["representative_sentence"] == "Contant geld wordt afgeschaft." and len(shown["items"]) == 6
    assert cli(env, capsys, "narratives", "rename", str(big["id"]), "Cash weg").exit_code == 0
    items = [i["item_id"] for i in shown["items"]][:2]
    split = cli(env, capsys, "narratives", "split", str(big["id"]), *map(str, items))
    assert split.exit_code == 0, split.stderr
    new_id = int(split.stdout.split("narrative ")[-1].rstrip(".\n"))
    assert cli(env, capsys, "narratives", "merge", str(new_id), str(big["id"])).exit_code == 0
    assert cli(env, capsys, "narratives", "close", str(big["id"])).exit_code == 0
    closed = json.loads(cli(env, capsys, "narratives", "list", "--status", "closed", "--json").stdout)
    assert [(n["id"], n["title"], n["item_count"]) for n in closed] == [(big["id"], "Cash weg", 6)]
    with db.read_sessions() as s:
        actions = {e.action for e in audit.entries(s, object_type="narrative") if e.actor == "tester"}
    assert actions == {"narrative.rename", "narrative.split", "narrative.merge", "narrative.close"}


def test_narrative_mistakes_are_one_line_with_exit_2(env, capsys):
    for argv in (("narratives", "show", "999"), ("narratives", "rebuild"), ("narratives", "list", "--status", "x"),
                 ("narratives", "merge", "1", "1")):
        result = cli(env, capsys, *argv)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, argv


def test_alert_channels_rules_evaluate_and_history(env, capsys, webhook):
    assert cli(env, capsys, "narratives", "run").exit_code == 0
    added = cli(env, capsys, "alerts", "channels", "add", "team", "webhook", "--url", webhook.url("/ok/secret-token"))
    assert added.exit_code == 0, added.stderr
    listed = cli(env, capsys, "alerts", "channels", "list")
    assert "secret-token" not in listed.stdout and "team" in listed.stdout
    assert cli(env, capsys, "alerts", "channels", "test", "team").exit_code == 0
    assert webhook.bodies()[-1]["subject"] == "Waakhond: testbericht"
    rule = cli(env, capsys, "alerts", "rules", "add", "verhaal", "new_narrative", "--channel", "team",
               "--param", "min_sources=3", "--cooldown", "2h")
    assert rule.exit_code == 0, rule.stderr
    assert json.loads(cli(env, capsys, "alerts", "rules", "list", "--json").stdout)[0]["cooldown_seconds"] == 7200
    first = cli(env, capsys, "alerts", "evaluate")
    assert first.exit_code == 0 and json.loads(first.stdout)["sent"] == 1
    assert json.loads(cli(env, capsys, "alerts", "evaluate").stdout)["sent"] == 0
    history = json.loads(cli(env, capsys, "alerts", "history", "--json").stdout)
    assert [h["status"] for h in history] == ["sent"] and "nieuw verhaal" in history[0]["subject"]
    assert "/?page=verhalen&verhaal=" in webhook.bodies("/ok/secret-token")[-1]["link"]


def test_alert_failures_and_mistakes(env, capsys, webhook):
    assert cli(env, capsys, "alerts", "channels", "add", "stuk", "webhook", "--url", webhook.url("/fail/x")).exit_code == 0
    failed = cli(env, capsys, "alerts", "channels", "test", "stuk")
    assert failed.exit_code == 1 and "HTTP 500" in failed.stderr
    for argv in (("alerts", "channels", "add", "x", "webhook", "--url", "ftp://x"),
                 ("alerts", "channels", "add", "y", "pager"),
                 ("alerts", "rules", "add", "r", "new_narrative", "--channel", "stuk", "--param", "min_sources=nul"),
                 ("alerts", "rules", "add", "r", "new_narrative", "--channel", "stuk", "--param", "kapot"),
                 ("alerts", "rules", "add", "r", "source_down", "--channel", "bestaat-niet"),
                 ("alerts", "channels", "remove", "bestaat-niet")):
        result = cli(env, capsys, *argv)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, (argv, result.stderr)
