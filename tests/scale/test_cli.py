"""``waakhond worker`` and ``waakhond scheduler`` mistakes: one line on stderr, exit code 2."""

from __future__ import annotations

import pytest

from tests.support.cli import invoke


@pytest.fixture
def env(sqlite_db, tmp_path):
    return {"WAAKHOND_DATABASE_URL": sqlite_db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"),
            "WAAKHOND_BROKER_URL": ""}


@pytest.mark.parametrize(
    ("argv", "broker", "fragment"),
    [
        (["worker", "--queues", "fetch"], "", "no broker configured"),
        (["scheduler"], "", "no broker configured"),
        (["worker", "--queues", "fetch,bogus"], "redis://127.0.0.1:1/0", "unknown queue 'bogus'"),
        (["worker", "--queues", ","], "redis://127.0.0.1:1/0", "unknown queue"),
    ],
)
def test_scale_out_mistakes_are_one_line_and_exit_2(env, capsys, argv, broker, fragment) -> None:
    result = invoke(argv, {**env, "WAAKHOND_BROKER_URL": broker}, capsys)
    assert result.exit_code == 2
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1
