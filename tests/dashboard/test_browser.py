"""A real browser: ``waakhond dashboard`` on a free port, Debian's Chromium driven by Playwright.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium`` (``.ci/run``
installs it). Under CI a missing Chromium fails the test instead of skipping it.
"""

from __future__ import annotations

import os

import pytest

import storage
from tests.dashboard.conftest import PASSWORD, SECRET, seed
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    UI_TIMEOUT_MS,
    chromium_or_skip,
    running_dashboard_process,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def running_dashboard(sqlite_db, password_hash, tmp_path):
    with storage.transaction(sqlite_db.sessions) as session:
        seeded = seed(session, password_hash)
    env = {**os.environ, "WAAKHOND_DATABASE_URL": sqlite_db.url, "WAAKHOND_SECRET_KEY": SECRET,
           "WAAKHOND_DATA_DIR": str(tmp_path / "var")}
    with running_dashboard_process(env, tmp_path) as url:
        yield url, seeded


def test_login_overview_and_signals_in_chromium(running_dashboard):
    chromium = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright

    url, seeded = running_dashboard
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
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
