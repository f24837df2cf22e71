"""The API as users run it: ``waakhond api --port P`` as a real subprocess on a free port,
tokens made and revoked with the real CLI, every endpoint read over HTTP (httpx), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import feedparser
import httpx
import pytest

from tests.api.conftest import EVIDENCE
from tests.support.cli import invoke, run_subprocess

#: How long the server may take to start on a busy machine (a wait, not an assertion on speed).
START_TIMEOUT_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cli_env(db, seeded, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "WAAKHOND_CONFIG"}
    env.update({"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"),
                "WAAKHOND_API__LAST_USED_INTERVAL_SECONDS": "0", "WAAKHOND_ACTOR": "cli:test-admin"})
    return env


@pytest.fixture
def server(cli_env, tmp_path) -> Iterator[str]:
    port = _free_port()
    log = open(tmp_path / "api.log", "w+")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "api", "--port", str(port)],
                            env=cli_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"waakhond api exited with {proc.returncode}: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("waakhond api did not answer within the start timeout")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _token(env, name: str, role: str) -> str:
    result = run_subprocess(["tokens", "add", name, "--role", role], env)
    assert result.exit_code == 0, result.stderr
    assert "shown only now" in result.stderr
    return result.stdout.strip()


def test_every_endpoint_over_http_with_cli_tokens(server, cli_env, seeded):
    viewer, analyst = _token(cli_env, "team-viewer", "viewer"), _token(cli_env, "team-analyst", "analyst")
    with httpx.Client(base_url=server, timeout=30) as http:
        as_viewer = {"Authorization": f"Bearer {viewer}"}
        as_analyst = {"Authorization": f"Bearer {analyst}"}
        signals = http.get("/api/v1/signals", params={"limit": 5}, headers=as_viewer).json()
        assert len(signals["signals"]) == 5 and signals["next_cursor"]
        assert signals["signals"][0]["evidence_text"] == EVIDENCE
        page2 = http.get("/api/v1/signals", params={"limit": 5, "cursor": signals["next_cursor"]}, headers=as_viewer)
        assert not {r["item_id"] for r in page2.json()["signals"]} & {r["item_id"] for r in signals["signals"]}
        detail = http.get(f"/api/v1/signals/{seeded.newest}", headers=as_viewer).json()
        assert detail["matches"][0]["debunk"] and detail["signal_parts"]["rule"] == "parts-v1"
        assert any("isdatechtzo.nl" in g["url"] for g in detail["guidance"])  # the real guidance file
        assert detail["labels"] is None
        assert http.get(f"/api/v1/signals/{seeded.newest}", headers=as_analyst).json()["labels"]
        for path in ("/api/v1/topics", "/api/v1/narratives", f"/api/v1/narratives/{seeded.narrative_id}",
                     "/api/v1/trends", "/api/v1/fact-checks", "/api/v1/me",
                     "/api/v1/openapi.json", "/api/v1/docs"):
            response = http.get(path, headers=as_viewer)
            assert response.status_code == 200, (path, response.text)
        feed = http.get("/api/v1/feeds/signals.atom", params={"topic": "stikstof", "token": viewer})
        parsed = feedparser.parse(feed.content)
        assert not parsed.bozo and EVIDENCE in parsed.entries[0].summary
        # analysts' data: the viewer token is refused, the analyst token reads it
        for path in ("/api/v1/labels", f"/api/v1/signals/{seeded.newest}/labels"):
            assert http.get(path, headers=as_viewer).status_code == 403
            labels = http.get(path, headers=as_analyst)
            assert labels.status_code == 200 and labels.json()[0]["username"] == "ana"
        assert http.get("/api/v1/sources", headers=as_viewer).status_code == 403
        health = {s["name"]: s["healthy"] for s in http.get("/api/v1/sources", headers=as_analyst).json()}
        assert health == {"BLOG": False, "KRANT": True, "NOS": True}
        # bad tokens and bad parameters: clear 4xx
        assert http.get("/api/v1/signals").status_code == 401
        assert http.get("/api/v1/signals", headers={"Authorization": "Bearer wkh_forged"}).status_code == 401
        bad = http.get("/api/v1/signals", params={"cursor": "forged"}, headers=as_viewer)
        assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
        assert http.get("/api/v1/signals", params={"min_score": "high"}, headers=as_viewer).status_code == 422

        revoked = run_subprocess(["tokens", "revoke", "team-viewer"], cli_env)
        assert revoked.exit_code == 0, revoked.stderr
        refused = http.get("/api/v1/topics", headers=as_viewer)
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
        assert http.get("/api/v1/feeds/signals.atom", params={"token": viewer}).status_code == 401
        assert http.get("/api/v1/topics", headers=as_analyst).status_code == 200

    listed = {r["name"]: r for r in json.loads(run_subprocess(["tokens", "list", "--json"], cli_env).stdout)}
    assert listed["team-viewer"]["state"] == "revoked" and listed["team-analyst"]["state"] == "active"
    assert listed["team-analyst"]["last_used_at"] is not None
    assert viewer not in json.dumps(listed) and analyst not in json.dumps(listed)


def test_cli_mistakes_are_one_line_and_exit_2(sqlite_db, tmp_path, capsys):
    """In process (fast): the same ``run`` entry point as the installed command."""
    env = {"WAAKHOND_DATABASE_URL": sqlite_db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var")}
    assert invoke(["tokens", "add", "team-a", "--role", "viewer"], env, capsys).exit_code == 0
    for argv, reason in ((["tokens", "add", "x", "--role", "admin"], "unknown token role"),
                         (["tokens", "add", "two words", "--role", "viewer"], "invalid token name"),
                         (["tokens", "add", "x", "--role", "viewer", "--expires", "-3"], "--expires"),
                         (["tokens", "add", "team-a", "--role", "viewer"], "active token named 'team-a' exists"),
                         (["tokens", "add", "y"], "--role"),
                         (["tokens", "revoke", "nobody"], "no unrevoked token"),
                         (["api", "--port", "0"], "--port")):
        result = invoke(argv, env, capsys)
        assert result.exit_code == 2, (argv, result.stderr)
        assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    listed = invoke(["tokens", "list"], env, capsys)
    assert listed.exit_code == 0 and "team-a" in listed.stdout and "active" in listed.stdout
