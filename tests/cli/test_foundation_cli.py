"""The CLI as operators use it: init, sources, users, config; one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import invoke, run_subprocess


@pytest.fixture
def env(db, tmp_path):
    return {"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"), "WAAKHOND_ACTOR": "tester"}


def test_init_then_sources_add_and_list(env, capsys):
    assert invoke(["init"], env, capsys).exit_code == 0
    added = invoke(["sources", "add", "https://feeds.example.nl/politiek", "--name", "Politiek", "--interval", "10m"], env, capsys)
    assert added.exit_code == 0, added.stderr
    again = invoke(["sources", "add", "https://feeds.example.nl/politiek"], env, capsys)
    assert again.exit_code == 0 and "Already present" in again.stdout
    listed = invoke(["sources", "list", "--json"], env, capsys)
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["interval_seconds"]) for r in rows] == [("Politiek", 600)]


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["sources", "add", "not-a-url"], "not an http(s) URL"),
        (["sources", "add", "https://x.example/", "--kind", "podcast"], "unknown source kind"),
        (["sources", "add", "https://x.example/", "--interval", "fortnight"], "not a duration"),
        (["sources", "show", "42"], "no source"),
        (["sources", "bogus"], "No such command"),
        (["users", "add", "eve", "--role", "emperor", "--password-stdin"], "unknown role"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(env, capsys, argv, fragment):
    invoke(["init"], env, capsys)
    result = invoke(argv, env, capsys, stdin="a long enough password\n")
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_commands_before_init_say_what_to_do(tmp_path, capsys):
    env = {"WAAKHOND_DATA_DIR": str(tmp_path / "fresh")}
    result = invoke(["sources", "list"], env, capsys)
    assert result.exit_code == 3
    assert "waakhond init" in result.stderr


def test_users_add_list_role(env, capsys):
    invoke(["init"], env, capsys)
    assert invoke(["users", "add", "anna", "--role", "analyst", "--password-stdin"], env, capsys,
                  stdin="lang genoeg wachtwoord\n").exit_code == 0
    assert invoke(["users", "set-role", "anna", "operator"], env, capsys).exit_code == 0
    rows = json.loads(invoke(["users", "list", "--json"], env, capsys).stdout)
    assert [(r["username"], r["role"]) for r in rows] == [("anna", "operator")]
    short = invoke(["users", "passwd", "anna", "--password-stdin"], env, capsys, stdin="kort\n")
    assert short.exit_code == 2 and "too short" in short.stderr


def test_import_export_roundtrip(env, capsys, tmp_path):
    invoke(["init"], env, capsys)
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Nieuws"><outline text="A" xmlUrl="https://a.example/rss"/>'
        '<outline text="B" xmlUrl="https://b.example/atom"/></outline></body></opml>'
    )
    first = invoke(["sources", "import", str(opml)], env, capsys)
    assert first.exit_code == 0 and "Imported 2 new" in first.stdout
    second = invoke(["sources", "import", str(opml)], env, capsys)
    assert "Imported 0 new" in second.stdout
    out = tmp_path / "out.toml"
    assert invoke(["sources", "export", str(out)], env, capsys).exit_code == 0
    text = out.read_text()
    assert 'url = "https://a.example/rss"' in text and 'tags = ["Nieuws"]' in text


def test_hostile_opml_is_refused(env, capsys, tmp_path):
    invoke(["init"], env, capsys)
    bomb = tmp_path / "bomb.opml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<opml><body><outline text="&lol2;" xmlUrl="https://a.example/"/></body></opml>'
    )
    result = invoke(["sources", "import", str(bomb)], env, capsys)
    assert result.exit_code == 2 and "OPML refused" in result.stderr


def test_config_show_masks_secrets(env, capsys):
    env = {**env, "WAAKHOND_SECRET_KEY": "topsecret-value", "WAAKHOND_DASHBOARD__PORT": "8600",
           "WAAKHOND_DATABASE_URL": "postgresql+psycopg://waak:hunter2@db.example/w"}
    result = invoke(["config", "show", "--json"], env, capsys)
    data = json.loads(result.stdout)
    assert data["dashboard"]["port"] == 8600
    assert data["secret_key"] == "********"
    assert "hunter2" not in result.stdout and "topsecret" not in result.stdout


def test_real_subprocess_error_has_no_traceback(env):
    result = run_subprocess(["sources", "add", "gopher://old.example/"], env)
    assert result.exit_code in (2, 3)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run_subprocess(["--version"], env).stdout.startswith("waakhond ")
