"""Run the ``waakhond`` CLI in-process (fast) or as a real subprocess (exactly as a user does)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from waakhond.cli.main import run


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def invoke(argv: list[str], env: dict[str, str], capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> CliResult:
    """In-process: the settings are read from ``env`` (applied to os.environ for the call)."""
    saved = dict(os.environ)
    os.environ.update(env)
    old_stdin = sys.stdin
    if stdin is not None:
        import io

        sys.stdin = io.StringIO(stdin)
    capsys.readouterr()
    try:
        run(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
        os.environ.clear()
        os.environ.update(saved)
    out, err = capsys.readouterr()
    return CliResult(code, out, err)


def run_subprocess(argv: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 120) -> CliResult:
    full_env = {**os.environ, **env}
    proc = subprocess.run(
        [sys.executable, "-m", "waakhond.cli.main", *argv],
        input=stdin, capture_output=True, text=True, env=full_env, timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
