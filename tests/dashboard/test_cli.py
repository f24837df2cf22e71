"""``waakhond dashboard`` runs Streamlit headless, without telemetry, on the configured port."""

from __future__ import annotations

from waakhond.cli import dashboard_cmd
from waakhond.cli.main import run


def test_streamlit_command_is_headless_without_usage_statistics():
    command = dashboard_cmd.streamlit_command("0.0.0.0", 9123)
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:5] == ["-m", "streamlit", "run", str(dashboard_cmd.ENTRY_SCRIPT)]
    assert dashboard_cmd.ENTRY_SCRIPT.is_file()
    assert flags["--server.port"] == "9123" and flags["--server.address"] == "0.0.0.0"
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"


def test_dashboard_uses_the_port_from_settings(sqlite_db, monkeypatch, tmp_path, capsys):
    started = {}
    monkeypatch.setenv("WAAKHOND_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("WAAKHOND_DASHBOARD__PORT", "8765")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dashboard_cmd.os, "execv", lambda path, command: started.setdefault("command", command))
    try:
        run(["dashboard"])
    except SystemExit as exc:
        assert exc.code == 0
    assert started["command"][started["command"].index("--server.port") + 1] == "8765"
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out


def test_aggregates_refresh_command(sqlite_db, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WAAKHOND_DATABASE_URL", sqlite_db.url)
    monkeypatch.chdir(tmp_path)
    try:
        run(["aggregates", "refresh", "--rebuild"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "Recomputed 0 day(s)" in capsys.readouterr().out
