from __future__ import annotations

import pytest
from pydantic import ValidationError

from waakhond.cli.params import format_duration, parse_duration
from waakhond.settings import Settings


def test_env_sections_use_double_underscore(monkeypatch):
    monkeypatch.setenv("WAAKHOND_COLLECTOR__ALLOW_NETWORKS", '["127.0.0.0/8"]')
    monkeypatch.setenv("WAAKHOND_DASHBOARD__PORT", "9100")
    monkeypatch.setenv("WAAKHOND_DATA_DIR", "/srv/waakhond")
    settings = Settings()
    assert settings.collector.allow_networks == ["127.0.0.0/8"]
    assert settings.dashboard.port == 9100
    assert settings.database_url == "sqlite:////srv/waakhond/waakhond.db"


def test_toml_file_is_read_and_env_wins(monkeypatch, tmp_path):
    config = tmp_path / "waakhond.toml"
    config.write_text('log_level = "DEBUG"\n[dashboard]\nport = 8700\n[collector]\nper_host_concurrency = 4\n')
    monkeypatch.setenv("WAAKHOND_CONFIG", str(config))
    monkeypatch.setenv("WAAKHOND_DASHBOARD__PORT", "8800")
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert settings.collector.per_host_concurrency == 4
    assert settings.dashboard.port == 8800


def test_invalid_values_are_refused(monkeypatch):
    monkeypatch.setenv("WAAKHOND_COLLECTOR__ALLOW_NETWORKS", '["not-a-network"]')
    with pytest.raises(ValidationError, match="not a CIDR"):
        Settings()


def test_unknown_top_level_keys_are_refused(monkeypatch, tmp_path):
    config = tmp_path / "w.toml"
    config.write_text("databse_url = 'typo'\n")
    monkeypatch.setenv("WAAKHOND_CONFIG", str(config))
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize("text, seconds", [("900", 900), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


def test_bad_duration():
    with pytest.raises(ValueError):
        parse_duration("soon")
