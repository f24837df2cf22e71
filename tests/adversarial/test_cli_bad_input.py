"""CLI and config bad input: hostile or broken OPML/TOML source lists, config files and
database URLs. Each is one line on stderr (``waakhond: error: ...``), exit code 2 (3 for an
environment problem), no traceback, and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.schema import Source
from tests.support.cli import invoke

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<opml version="2.0"><body><outline text="&d;" xmlUrl="https://a.example/rss"/></body></opml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/rss"/></body></opml>"""
GOOD_THEN_BAD = '[[source]]\nurl = "https://goed.example/rss"\n\n[[source]]\nurl = "javascript:alert(1)"\n'
HUNDRED_MB = 100 * 1024 * 1024


def _sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of ``size`` bytes that starts like a real list (sparse: written in no time)."""
    with path.open("wb") as f:
        f.write(head)
        f.truncate(size)
    return path


SOURCE_LISTS = {
    "xxe.opml": (XXE.encode(), "OPML refused"),
    "laughs.opml": (BILLION_LAUGHS.encode(), "OPML refused"),
    "utf8.opml": (b'<?xml version="1.0" encoding="utf-8"?><opml><body><outline text="\xff\xfe"/></body></opml>',
                  "invalid OPML"),
    "utf8.toml": (b'[[source]]\nurl = "https://a.example/rss"\nname = "\xff\xfe"\n', "not UTF-8"),
    "broken.toml": (b"[[source]\nurl = ", "invalid TOML"),
    "typo.toml": (b'[[sources]]\nurl = "https://a.example/rss"\n', "unknown table"),
    "scalar.toml": (b"source = [1, 2]\n", "expected a [[source]] table"),
    "script.toml": (b'[[source]]\nurl = "javascript:alert(1)"\n', "not an http(s) URL"),
    "credentials.toml": (b'[[source]]\nurl = "https://admin:geheim@a.example/rss"\n', "not a clean http(s) URL"),
    "negative.toml": (b'[[source]]\nurl = "https://a.example/rss"\ninterval_seconds = -5\n', "out of range"),
    "half.toml": (GOOD_THEN_BAD.encode(), "source #2"),
}


@pytest.fixture
def env(db, tmp_path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WAAKHOND_CONFIG", raising=False)
    return {"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var")}


def _one_line_error(result, code: int, words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("waakhond: error: "), result.stderr
    assert words in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def _sources(db) -> int:
    with db.read_sessions() as session:
        return int(session.scalar(select(func.count(Source.id))))


@pytest.mark.parametrize("name", list(SOURCE_LISTS))
def test_hostile_and_broken_source_lists(env, db, tmp_path, capsys, name):
    content, words = SOURCE_LISTS[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(["sources", "import", str(path)], env, capsys)
    _one_line_error(result, 2, words)
    assert _sources(db) == 0  # nothing half-written: the good source before the bad one is not kept either


def test_a_hundred_megabyte_source_list_is_refused_before_it_is_read(env, db, tmp_path, capsys):
    head = b'<?xml version="1.0"?><opml version="2.0"><body>' + b'<outline xmlUrl="https://a.example/rss"/>' * 10
    path = _sparse(tmp_path / "huge.opml", head, HUNDRED_MB)
    _one_line_error(invoke(["sources", "import", str(path)], env, capsys), 2, "at most 10 MB")
    assert _sources(db) == 0


CONFIGS = {
    "broken": (b'log_level = "INFO"\n[collector\n', "invalid TOML"),
    "utf8": (b'log_level = "\xff"\n', "not UTF-8"),
    "negative-tick": (b"[collector]\ntick_seconds = -5\n", "collector.tick_seconds"),
    "negative-interval": (b"[collector]\ndefault_interval_seconds = -900\n", "collector.default_interval_seconds"),
    "unknown": (b"bogus_key = 1\n", "bogus_key"),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_broken_config_files(env, tmp_path, capsys, name):
    content, words = CONFIGS[name]
    path = tmp_path / f"{name}.toml"
    path.write_bytes(content)
    _one_line_error(invoke(["--config", str(path), "sources", "list"], env, capsys), 2, words)
    # the same file through WAAKHOND_CONFIG, and as ./waakhond.toml
    _one_line_error(invoke(["sources", "list"], {**env, "WAAKHOND_CONFIG": str(path)}, capsys), 2, words)
    (tmp_path / "waakhond.toml").write_bytes(content)
    _one_line_error(invoke(["sources", "list"], env, capsys), 2, words)


def test_config_file_problems_named_by_the_environment(env, tmp_path, capsys):
    _one_line_error(invoke(["sources", "list"], {**env, "WAAKHOND_CONFIG": ""}, capsys), 2, "empty")
    _one_line_error(invoke(["sources", "list"], {**env, "WAAKHOND_CONFIG": str(tmp_path / "no.toml")}, capsys), 2,
                    "not found")
    huge = _sparse(tmp_path / "huge.toml", b'log_level = "INFO"\n', HUNDRED_MB)
    _one_line_error(invoke(["--config", str(huge), "sources", "list"], env, capsys), 2, "larger than")


@pytest.mark.parametrize(("url", "words"), [
    ("garbage", "not a database URL"),
    ("mysql://x/y", "unsupported database"),
    ("postgresql+psycopg://nobody@127.0.0.1:1/x", "cannot open the database"),
])
def test_garbage_database_urls_are_an_environment_problem(env, capsys, url, words):
    _one_line_error(invoke(["sources", "list"], {**env, "WAAKHOND_DATABASE_URL": url}, capsys), 3, words)


def test_negative_intervals_on_the_command_line(env, db, capsys):
    invoke(["init"], env, capsys)
    _one_line_error(invoke(["sources", "add", "https://a.example/rss", "--interval", "-5"], env, capsys), 2,
                    "not a duration")
    _one_line_error(invoke(["sources", "list"], {**env, "WAAKHOND_COLLECTOR__TICK_SECONDS": "-1"}, capsys), 2,
                    "collector.tick_seconds")
    assert _sources(db) == 0


FACT_CHECK_FILES = {
    "script.csv": (b"url,claim\njavascript:alert(1),De minister liegt\n", "http(s) URL"),
    "entity.csv": (b"url,claim\njava&#x09;script:alert(1),De minister liegt\n", "http(s) URL"),
    "script.jsonld": (b'{"@type": "ClaimReview", "url": "javascript:alert(1)", "claimReviewed": "x"}', "http(s) URL"),
    "utf8.csv": (b"url,claim\nhttps://c.example/1,\xff\xfe\n", "cannot read"),
}


@pytest.mark.parametrize("name", list(FACT_CHECK_FILES))
def test_hostile_fact_check_files(env, db, tmp_path, capsys, name):
    from storage.schema import FactCheck

    content, words = FACT_CHECK_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    _one_line_error(invoke(["factchecks", "import", str(path)], env, capsys), 2, words)
    with db.read_sessions() as session:
        assert session.scalar(select(func.count(FactCheck.id))) == 0


def test_fact_check_appearances_keep_only_web_urls_and_a_huge_file_is_refused(env, db, tmp_path, capsys):
    from tests.adversarial.test_hostile_collect import scan_links

    path = tmp_path / "ok.csv"
    path.write_text("url,claim,appearances\nhttps://c.example/1,De minister liegt,data:text/html,x | "
                    "javascript:alert(1) | https://bron.example/1\n", encoding="utf-8")
    assert invoke(["factchecks", "import", str(path)], env, capsys).exit_code == 0
    assert scan_links(db) == []
    huge = _sparse(tmp_path / "huge.csv", b"url,claim\n", HUNDRED_MB)
    _one_line_error(invoke(["factchecks", "import", str(huge)], env, capsys), 2, "larger than")
