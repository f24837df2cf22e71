"""A real browser: ``waakhond dashboard`` on a free port, Debian's Chromium driven by Playwright.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium`` (``.ci/run``
installs it). Under CI a missing Chromium fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import storage
from tests.conftest import IN_CI, REPO_ROOT
from tests.dashboard.conftest import PASSWORD, SECRET, seed

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
START_TIMEOUT_SECONDS = 90
UI_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"dashboard did not answer at {url}")


@pytest.fixture
def running_dashboard(sqlite_db, password_hash, tmp_path):
    with storage.transaction(sqlite_db.sessions) as session:
        seeded = seed(session, password_hash)
    port = _free_port()
    env = {**os.environ, "WAAKHOND_DATABASE_URL": sqlite_db.url, "WAAKHOND_SECRET_KEY": SECRET,
           "WAAKHOND_DATA_DIR": str(tmp_path / "var")}
    env.pop("WAAKHOND_CONFIG", None)
    log = open(tmp_path / "dashboard.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "waakhond.cli.main", "dashboard", "--port", str(port), "--host", "127.0.0.1"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, seeded
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_login_overview_and_signals_in_chromium(running_dashboard):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    url, seeded = running_dashboard
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(url)
        page.get_by_label("Gebruikersnaam").fill("viewer")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()

        expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
        chart = page.locator('[data-testid="stVegaLiteChart"]')
        expect(chart).to_be_visible()
        expect(chart.locator("canvas, svg").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "dashboard-overzicht.png"), full_page=True)

        page.get_by_test_id("stSidebar").get_by_text("Signalen", exact=True).click()
        expect(page.get_by_role("heading", name="Signalen")).to_be_visible()
        expect(page.get_by_text("gesignaleerde berichten").first).to_be_visible()
        page.get_by_test_id("stSelectbox").filter(has_text="Signaal bekijken").click()
        page.get_by_role("option", name="Boeren worden onteigend").first.click()
        debunk = page.locator(f'a[href="{seeded.fact_check_url}"]')
        expect(debunk).to_be_visible()
        expect(debunk).to_have_text("Het kabinet onteigent alle boeren")
        expect(page.locator("mark", has_text="Het kabinet gaat alle boeren onteigenen.")).to_be_visible()
        debunk.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "dashboard-signalen.png"), full_page=True)
        browser.close()
