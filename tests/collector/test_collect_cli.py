"""``waakhond collect --once`` and ``sources import --default`` as operators run them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

import collector
import storage
from storage.schema import Item, Source
from tests.support.cli import invoke, run_subprocess
from tests.support.feed_server import Route, rss_feed


@pytest.fixture
def env(db, tmp_path):
    return {
        "WAAKHOND_DATABASE_URL": db.url,
        "WAAKHOND_DATA_DIR": str(tmp_path / "var"),
        "WAAKHOND_ACTOR": "tester",
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__RETRIES": "0",
    }


def feed(prefix: str, n: int) -> bytes:
    return rss_feed([
        {"guid": f"{prefix}{i}", "title": f"Bericht {prefix}{i}: het kabinet en de Kamer",
         "description": "Het kabinet wil de regels voor huurtoeslag aanpassen, meldt de minister aan de Kamer."}
        for i in range(n)
    ])


def add(env, capsys, url: str) -> int:
    result = invoke(["sources", "add", url], env, capsys)
    assert result.exit_code == 0, result.stderr
    return int(result.stdout.split("source ")[1].split()[0])


def make_all_due(db) -> None:
    with storage.transaction(db.sessions) as session:
        session.execute(update(Source).values(next_due_at=None))


def item_keys(db) -> list[tuple[int, str]]:
    with db.read_sessions() as session:
        return list(session.execute(select(Item.source_id, Item.entry_key).order_by(Item.id)))


def test_collect_once_stores_every_item_once_then_sends_conditional_requests(db, env, server, capsys):
    for name, n in (("a", 3), ("b", 4), ("c", 5)):
        add(env, capsys, server.route(f"/{name}", Route(body=feed(name, n), etag=f'"{name}1"',
                                                        last_modified="Mon, 02 Nov 2026 08:00:00 GMT")))
    first = invoke(["collect", "--once"], env, capsys)
    assert first.exit_code == 0, first.stderr
    assert "Collected 3 source(s): ok 3; 12 new item(s)." in first.stdout
    keys = item_keys(db)
    assert len(keys) == 12 == len(set(keys))

    make_all_due(db)
    second = invoke(["collect", "--once"], env, capsys)
    assert second.exit_code == 0
    assert "not modified 3; 0 new item(s)" in second.stdout
    for name in ("a", "b", "c"):
        last = server.requests_to(f"/{name}")[-1].headers
        assert last["if-none-match"] == f'"{name}1"' and last["if-modified-since"].startswith("Mon, 02 Nov 2026")
    assert item_keys(db) == keys


def test_a_failed_fetch_makes_exit_code_1_and_names_the_reason(db, env, server, capsys):
    add(env, capsys, server.route("/ok", Route(body=feed("o", 1))))
    bad = add(env, capsys, server.route("/broken", Route(status=502)))
    result = invoke(["collect", "--once"], env, capsys)
    assert result.exit_code == 1
    assert f"failed: source {bad} " in result.stdout and "http_error: HTTP 502" in result.stdout
    assert len(item_keys(db)) == 1


def test_collect_one_source_due_or_not(db, env, server, capsys):
    first = add(env, capsys, server.route("/one", Route(body=feed("x", 2))))
    add(env, capsys, server.route("/two", Route(body=feed("y", 2))))
    assert invoke(["collect", "--once", "--source", str(first)], env, capsys).exit_code == 0
    assert {sid for sid, _key in item_keys(db)} == {first}
    again = invoke(["collect", "--once", "--source", str(first)], env, capsys)  # not due, still fetched
    assert again.exit_code == 0 and "Collected 1 source(s)" in again.stdout


def test_collect_mistakes_are_one_line(db, env, server, capsys):
    sid = add(env, capsys, server.route("/feed", Route(body=feed("z", 1))))
    assert invoke(["sources", "disable", str(sid), "--reason", "te druk"], env, capsys).exit_code == 0
    for argv, fragment in ((["collect", "--once", "--source", str(sid)], "is disabled (te druk)"),
                           (["collect"], "--once"), (["collect", "--once", "--source", "999"], "no source")):
        result = invoke(argv, env, capsys)
        assert result.exit_code == 2 and fragment in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_nothing_due_says_so(db, env, capsys):
    result = invoke(["collect", "--once"], env, capsys)
    assert result.exit_code == 0 and "Nothing to collect" in result.stdout


def test_default_sources_are_imported_disabled_when_offline(db, env, capsys, monkeypatch):
    monkeypatch.setattr(collector, "network_available", lambda *a, **k: False)
    result = invoke(["sources", "import", "--default"], env, capsys)
    assert result.exit_code == 0, result.stderr
    assert "looks offline" in result.stdout and "feeds.nos.nl" in result.stdout
    rows = json.loads(invoke(["sources", "list", "--json"], env, capsys).stdout)
    assert len(rows) >= 10 and not any(r["enabled"] for r in rows)
    assert all(r["disabled_reason"].startswith(("disabled at import: no connection", "unverified")) for r in rows)
    assert all(r["disabled_reason"].startswith("disabled at import") for r in rows if r["kind"] == "feed")
    names = {r["name"] for r in rows}
    assert {"NOS Nieuws - Politiek", "NU.nl - Algemeen", "AD - Politiek", "Rijksoverheid - Nieuws"} <= names


def test_default_sources_enabled_when_online_or_forced(db, env, capsys, monkeypatch):
    monkeypatch.setattr(collector, "network_available", lambda *a, **k: True)
    out = invoke(["sources", "import", "--default"], env, capsys).stdout
    assert "offline" not in out and "factcheckers.toml" in out
    rows = json.loads(invoke(["sources", "list", "--json"], env, capsys).stdout)
    assert all(r["enabled"] for r in rows if r["kind"] == "feed")
    fact_checkers = [r for r in rows if r["kind"] == "factcheck"]
    assert fact_checkers and any(r["enabled"] for r in fact_checkers)
    # a fact-checker whose feed URL was not confirmed stays off, with the reason
    assert all(r["disabled_reason"].startswith("unverified") for r in fact_checkers if not r["enabled"])


def test_enable_flag_overrides_the_offline_check(db, env, capsys, monkeypatch):
    monkeypatch.setattr(collector, "network_available", lambda *a, **k: pytest.fail("no probe with --enable"))
    result = invoke(["sources", "import", "--default", "--enable"], env, capsys)
    assert result.exit_code == 0 and "offline" not in result.stdout


def test_collect_once_as_a_real_subprocess(db, env, server):
    server.route("/feed", Route(body=feed("p", 3), etag='"p"'))
    assert run_subprocess(["sources", "add", server.url("/feed")], env).exit_code == 0
    first = run_subprocess(["collect", "--once"], env)
    assert first.exit_code == 0 and "3 new item(s)" in first.stdout, first.stderr
    make_all_due(db)
    second = run_subprocess(["collect", "--once"], env)
    assert second.exit_code == 0 and "not modified 1" in second.stdout
