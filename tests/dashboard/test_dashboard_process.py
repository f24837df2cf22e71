"""``waakhond dashboard`` under a supervisor: SIGTERM stops the server itself and frees its port.

Before, the command ran Streamlit as a child (``subprocess.run``): a SIGTERM to ``waakhond
dashboard`` (systemd, a container stop) ended the parent and left Streamlit on the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.browser import _wait_healthy, free_port

pytestmark = pytest.mark.slow
PORT_FREE_WITHIN_SECONDS = 10


def _port_is_free(port: int) -> bool:
    """Free for a new server: no listener. SO_REUSEADDR, as servers set it, so the health
    check's own connection lingering in TIME_WAIT does not count as taken."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_frees_the_dashboard_port(sqlite_db, tmp_path: Path, stop_signal: signal.Signals):
    port = free_port()
    env = {**os.environ, "WAAKHOND_DATABASE_URL": sqlite_db.url}
    env.pop("WAAKHOND_CONFIG", None)
    with open(tmp_path / "dashboard.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "waakhond.cli.main", "dashboard", "--port", str(port), "--host", "127.0.0.1"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", process)
            assert not _port_is_free(port)

            process.send_signal(stop_signal)
            deadline = time.monotonic() + PORT_FREE_WITHIN_SECONDS
            while time.monotonic() < deadline and not (process.poll() is not None and _port_is_free(port)):
                time.sleep(0.2)
            assert process.poll() is not None, "waakhond dashboard did not exit"
            assert _port_is_free(port), f"port {port} still taken {PORT_FREE_WITHIN_SECONDS}s after {stop_signal.name}"
            assert _processes_mentioning(f"--server.port {port}") == []
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            for pid in _processes_mentioning(f"--server.port {port}"):
                os.kill(pid, signal.SIGKILL)
