"""Stored XSS and injection through feeds, in a real browser, logged in as each role.

One dashboard start for all roles (slow on 2 cores): hostile feeds collected by the real
collector, every news item flagged as a classifier would, and rows a careless writer might
have stored (raw HTML titles, ``javascript:`` URLs). Each role logs in through the form in its
own browser context and opens the pages its role adds, and a signal in detail.

Asserted on every page: no dialog, no console message from injected code, no request to the
beacon (the local server that the hostile image/iframe/CSS URLs point to), no link or source
attribute whose scheme is not http(s), no inline event handler; and the hostile text itself is
shown (as text), so the test cannot pass on an empty page.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

import storage
from storage.schema import Item
from tests.adversarial.hostile import MARK, add_raw_hostile_rows, collect_hostile, flag_everything
from tests.dashboard.conftest import PASSWORD, SECRET, seed
from tests.support.browser import CHROMIUM_ARGS, UI_TIMEOUT_MS, chromium_or_skip, running_dashboard_process
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.browser

#: The pages each role adds to those of the role below it (the menu of dashboard.app).
PAGES_BY_ROLE = {
    "viewer": ["overzicht", "signalen", "verhalen"],
    "analyst": ["labelen", "factchecks", "modellen"],
    "operator": ["bronnen", "onderwerpen"],
    "admin": ["beheer"],
}
TITLES = {"overzicht": "Overzicht", "signalen": "Signalen", "verhalen": "Verhalen", "labelen": "Labelen",
          "factchecks": "Factchecks", "modellen": "Modellen", "bronnen": "Bronnen", "onderwerpen": "Onderwerpen",
          "beheer": "Beheer"}
#: Every element's links and sources, resolved by the browser, and inline event handlers.
INSPECT = """() => {
  const out = {links: [], handlers: []};
  for (const el of document.querySelectorAll('*')) {
    for (const name of ['href', 'src', 'action', 'formaction', 'data', 'poster', 'xlink:href']) {
      const v = el.getAttribute(name);
      if (v !== null) out.links.push([el.tagName, name, v, el[name] || v]);
    }
    for (const a of el.attributes) { if (a.name.startsWith('on')) out.handlers.push([el.tagName, a.name, a.value]); }
  }
  return out;
}"""


@pytest.fixture
def hostile_dashboard(sqlite_db, password_hash, tmp_path):
    with FeedServer() as feeds, FeedServer() as beacon_server:
        beacon = beacon_server.url("").rstrip("/")
        with storage.transaction(sqlite_db.sessions) as session:
            seeded = seed(session, password_hash)
        collect_hostile(sqlite_db, feeds, beacon)
        raw_ids = add_raw_hostile_rows(sqlite_db, beacon)
        flag_everything(sqlite_db)
        with sqlite_db.read_sessions() as session:
            collected_ids = session.scalars(select(Item.id).where(Item.title.contains(MARK), Item.id.not_in(raw_ids))
                                            .order_by(Item.id)).all()
        beacon_server.clear_log()
        env = {**os.environ, "WAAKHOND_DATABASE_URL": sqlite_db.url, "WAAKHOND_SECRET_KEY": SECRET,
               "WAAKHOND_DATA_DIR": str(tmp_path / "var")}
        with running_dashboard_process(env, tmp_path) as url:
            yield url, beacon, beacon_server, seeded, raw_ids, collected_ids


def _check_page(page, frames_seen: list, problems: list, where: str, beacon: str) -> None:
    for frame in page.frames:
        found = frame.evaluate(INSPECT)
        frames_seen.append(where)
        for tag, name, raw, resolved in found["links"]:
            value = str(resolved or raw).strip().lower()
            if name in ("href", "src", "action", "formaction", "data", "poster", "xlink:href") and value and not (
                value.startswith(("http://", "https://", "blob:", "about:blank", "#", "/", "?"))
                or (tag == "IMG" and value.startswith("data:image/"))  # Streamlit's own inline icons
            ):
                problems.append((where, "scheme", tag, name, raw))
            if beacon.split("//", 1)[1] in value:  # the beacon's host:port, whatever the scheme
                problems.append((where, "beacon link", tag, name, raw))
            if value.startswith(("http://", "https://")) and "@" in value.split("/")[2]:
                problems.append((where, "credentials in link", tag, name, raw))
        problems += [(where, "handler", *h) for h in found["handlers"]]


def test_hostile_content_is_inert_for_every_role(hostile_dashboard):
    chromium = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright

    url, beacon, beacon_server, seeded, raw_ids, collected_ids = hostile_dashboard
    dialogs, console, requests, problems, frames_seen = [], [], [], [], []
    # raw rows: <script> title, Markdown link/image, <iframe>/<svg>, a link with credentials to the beacon
    details = [raw_ids[0], raw_ids[2], raw_ids[4], raw_ids[6], collected_ids[0], collected_ids[-1]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        for number, (role, pages) in enumerate(PAGES_BY_ROLE.items()):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.on("dialog", lambda d, role=role: (dialogs.append((role, d.message)), d.dismiss()))
            page.on("console", lambda m, role=role: console.append((role, m.type, m.text)))
            page.on("request", lambda r: requests.append(r.url) if r.url.startswith(beacon) else None)
            page.goto(url)
            page.get_by_label("Gebruikersnaam").fill(role)
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
            opened = [details[number % len(details)]] + (details[1:] if role == "viewer" else [])
            for slug in [*pages, "signalen"]:
                # navigate inside the session (a reload would start a new, logged-out session)
                page.get_by_test_id("stSidebar").get_by_text(TITLES[slug], exact=True).click()
                expect(page.get_by_role("heading", name=TITLES[slug]).first).to_be_visible()
                page.wait_for_timeout(500)  # let late renders (images, frames) happen
                _check_page(page, frames_seen, problems, f"{role} {slug}", beacon)
            for item_id in opened:
                box = page.get_by_test_id("stSelectbox").filter(has_text="Signaal bekijken")
                box.click()
                page.keyboard.type(f"#{item_id} ")
                page.keyboard.press("Enter")
                try:
                    expect(page.locator("h3", has_text=MARK).first).to_be_visible()  # shown, as text
                except AssertionError:
                    problems.append((f"{role} signal {item_id}", "hostile title not shown as text"))
                page.wait_for_timeout(500)
                _check_page(page, frames_seen, problems, f"{role} signal {item_id}", beacon)
            context.close()
        browser.close()

    assert dialogs == []
    assert [c for c in console if MARK in c[2] or "alert" in c[2].lower()] == []
    assert requests == [] and beacon_server.requests == []
    assert problems == []
    assert len(frames_seen) >= sum(len(v) + 2 for v in PAGES_BY_ROLE.values())
