"""``waakhond demo --no-browser --exit-after-first-cycle``, exactly as operators script it: a
real subprocess, the real collector over the local demo server, the real encoder and the
shipped model, then assertions on what ended up in the demo's SQLite database.

The demo runs twice: the second run must reuse everything (no duplicate item, no new users,
no second alert). Afterwards Chromium opens the dashboard on the demo database and takes the
screenshot that the README shows (``test-artifacts/demo-*.png``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.briefing.demo_check import check_demo_briefing
from tests.classifier.conftest import real_encoder_folder  # noqa: F401  (a fixture)
from tests.conftest import REPO_ROOT
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    UI_TIMEOUT_MS,
    chromium_or_skip,
    free_port,
    running_dashboard_process,
)
from waakhond.demo import expected_items, load_corpus, spike_item_guids
from waakhond.demo.entries import all_entries

DEMO_FLAGS = ["--no-browser", "--exit-after-first-cycle"]
RUN_TIMEOUT_SECONDS = 900
#: The shipped flag (rule parts-v1 over nl-disinfo-real-v3, check-worthiness and the known
#: narratives) flags this share of each spike's posts at least (measured with real-v3, the hybrid
#: head: A 21/28, B 22/28; with real-v2: 19/28 each; with real-v1: A 24/28, B 21/28). real-v3
#: flags less legitimate criticism than either (3.2 % against 5.7 % and 14.6 %); the spike posts
#: it misses are mostly worried questions and letters whose feed entry holds no claim in its own
#: words.
MIN_SPIKE_SHARE_FLAGGED = 0.7
MIN_ITEMS_WITH_DEBUNK = 10

pytestmark = pytest.mark.slow


@dataclass
class DemoRun:
    data_dir: Path
    database: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    env: dict[str, str]

    def query(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, args).fetchall()


def _run_demo(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waakhond.cli.main", "demo", *DEMO_FLAGS],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, real_encoder_folder: Path) -> DemoRun:  # noqa: F811
    home = tmp_path_factory.mktemp("demo")
    data_dir = home / "var"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WAAKHOND_")}
    env.update({
        "WAAKHOND_DATA_DIR": str(data_dir),
        "WAAKHOND_MODEL_DIR": str(REPO_ROOT / "models"),
        # the encoder converted once per test session (the demo converts it itself when missing)
        "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(real_encoder_folder),
        "WAAKHOND_DASHBOARD__PORT": str(free_port()),
    })
    first = _run_demo(env, home)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = _run_demo(env, home)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    return DemoRun(data_dir, data_dir / "demo" / "waakhond.db", first, second, env)


def _summary(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stored_items(run: DemoRun) -> Counter[tuple[str, str]]:
    """(demo source slug, guid) of every stored item, counted."""
    slug_of_path = {source.feed_path: source.slug for source in load_corpus().sources}
    rows = run.query("SELECT s.url, i.guid FROM items i JOIN sources s ON s.id = i.source_id")
    return Counter((slug_of_path[urlsplit(url).path], guid) for url, guid in rows)


def _flags_by_guid(run: DemoRun) -> dict[str, bool]:
    rows = run.query(
        "SELECT i.guid, MAX(c.flagged) FROM items i JOIN classifications c ON c.item_id = i.id GROUP BY i.guid"
    )
    return {guid: bool(flagged) for guid, flagged in rows}


def test_the_demo_prints_users_url_and_a_summary(demo_run: DemoRun):
    out = demo_run.first.stdout
    for role in ("admin", "operator", "analyst", "viewer"):
        assert re.search(rf"^\s+{role}\s+\S{{12}}$", out, re.MULTILINE), role
    port = demo_run.env["WAAKHOND_DASHBOARD__PORT"]
    assert f"Dashboard: http://127.0.0.1:{port}/" in out
    summary = _summary(demo_run.first)
    assert summary["counts"]["flagged"] > 0 and summary["seconds_to_first_flag"] > 0
    last = _summary(demo_run.second)
    assert json.loads((demo_run.data_dir / "demo" / "first-cycle.json").read_text()) == {
        k: v for k, v in last.items() if k != "dashboard_url"
    }
    assert last["seconds_to_first_flag"] is None  # the second run found nothing new to flag


def test_every_demo_item_was_collected_exactly_once(demo_run: DemoRun):
    expected = Counter(expected_items())
    stored = _stored_items(demo_run)
    assert stored == expected, {
        "missing": sorted(set(expected) - set(stored))[:5],
        "unexpected": sorted(set(stored) - set(expected))[:5],
        "duplicated": [key for key, n in stored.items() if n > 1][:5],
    }


def test_the_spike_items_were_flagged(demo_run: DemoRun):
    flagged = _flags_by_guid(demo_run)
    for spike in ("A", "B"):
        guids = spike_item_guids(spike)
        share = sum(flagged.get(guid, False) for guid in guids) / len(guids)
        assert share >= MIN_SPIKE_SHARE_FLAGGED, (spike, share)
    ordinary = {e.guid for e in all_entries(load_corpus()) if e.item is not None and e.item.kind == "news"}
    false_alarms = sum(flagged.get(guid, False) for guid in ordinary)
    assert false_alarms <= 0.05 * len(ordinary)


def test_at_least_ten_items_got_a_debunk_match(demo_run: DemoRun):
    (matched,) = demo_run.query(
        "SELECT COUNT(DISTINCT m.item_id) FROM claim_matches m JOIN items i ON i.id = m.item_id "
        "JOIN sources s ON s.id = i.source_id WHERE s.kind != 'factcheck'"
    )[0]
    assert matched >= MIN_ITEMS_WITH_DEBUNK


#: Debunk articles that quote the claim they refute. Before the second stage and the stance
#: (issue #15) these six were flagged only through that quote (measured on main).
QUOTING_DEBUNKS = ("d0034", "d0066", "d0111", "d0113", "d0118", "d0120")
#: Of those, linked to a fact-check of the narrative they debunk at the shipped stage-two
#: threshold (measured: 5 of 6, d0066, d0111, d0113, d0118, d0120; d0034 scores 0.29 against its
#: claim, under the debunk bar, and stays unlinked).
MIN_QUOTING_DEBUNKS_LINKED = 5


def test_debunk_articles_quoting_a_claim_are_linked_as_debunks_and_never_flagged_for_it(demo_run: DemoRun):
    corpus = load_corpus()
    narrative_of_check = {fc.id: fc.narrative for fc in corpus.factchecks}
    debunks = {e.guid: e.item for e in all_entries(corpus) if e.item is not None and e.item.kind == "debunk"}
    rows = demo_run.query(
        "SELECT i.guid, c.flag_reasons, m.debunk, m.debunk_cue, f.url FROM items i "
        "JOIN classifications c ON c.item_id = i.id "
        "LEFT JOIN claim_matches m ON m.item_id = i.id LEFT JOIN fact_checks f ON f.id = m.fact_check_id"
    )
    linked = set()
    for guid, reasons, debunk, cue, url in rows:
        if guid not in debunks:
            continue
        assert "claim_match" not in json.loads(reasons), guid  # a quote in a debunk never raises the flag
        if url is None:
            continue
        check = urlsplit(url).path.rsplit("/", 1)[-1].removesuffix(".html")
        if narrative_of_check.get(check) == debunks[guid].narrative and guid.rsplit("/", 1)[-1] in QUOTING_DEBUNKS:
            assert debunk == 1 and cue, (guid, url)  # linked as a debunk, with the words that say so
            linked.add(guid.rsplit("/", 1)[-1])
    assert len(linked & set(QUOTING_DEBUNKS)) >= MIN_QUOTING_DEBUNKS_LINKED, sorted(linked)


#: Debunk articles of the corpus (18) that stay flagged: the head flags 8 on their own words; the
#: 6 linked to the claim they refute as a debunk are held back (classifier.matching.signal); the two
#: left are not linked to their fact-check at all (measured with real-v3).
MAX_DEBUNK_ARTICLES_FLAGGED = 2


def test_a_debunk_article_linked_to_the_claim_it_refutes_is_not_flagged(demo_run: DemoRun):
    debunks = {e.guid for e in all_entries(load_corpus()) if e.item is not None and e.item.kind == "debunk"}
    rows = demo_run.query(
        "SELECT i.guid, c.flagged, c.signal_parts, MAX(CASE WHEN f.id IS NOT NULL THEN m.debunk END) FROM items i "
        "JOIN classifications c ON c.item_id = i.id LEFT JOIN claim_matches m ON m.item_id = i.id "
        "LEFT JOIN fact_checks f ON f.id = m.fact_check_id AND f.rating IN ('false', 'mostly_false') "
        "GROUP BY i.guid, c.id"
    )
    held = 0
    for guid, flagged, parts, refuted in rows:
        if guid in debunks and refuted:
            assert not flagged, guid
            held += "claim_match" in (json.loads(parts) or {}).get("held_back_by", [])
    assert held >= 1  # the hold really happened: the head had flagged some of them
    assert sum(bool(flagged) for guid, flagged, _, _ in rows if guid in debunks) <= MAX_DEBUNK_ARTICLES_FLAGGED


#: The flagged posts of a spike gathered in one narrative (measured with real-v2: A 16 of 19,
#: B 19 of 19; with real-v1: A 22 of 24, B 21 of 21).
MIN_SPIKE_SHARE_IN_ONE_NARRATIVE = 0.8


def test_each_spike_becomes_one_narrative(demo_run: DemoRun):
    rows = demo_run.query(
        "SELECT i.guid, ni.narrative_id FROM items i JOIN classifications c ON c.item_id = i.id "
        "LEFT JOIN narrative_items ni ON ni.item_id = i.id WHERE c.flagged"
    )
    narratives_of_spike: dict[str, list[int | None]] = {"A": [], "B": []}
    for spike in narratives_of_spike:
        guids = set(spike_item_guids(spike))
        narratives_of_spike[spike] = [narrative for guid, narrative in rows if guid in guids]
    main = {}
    for spike, narratives in narratives_of_spike.items():
        narrative, count = Counter(narratives).most_common(1)[0]
        assert narrative is not None and count >= MIN_SPIKE_SHARE_IN_ONE_NARRATIVE * len(narratives), (spike, narratives)
        main[spike] = narrative
    assert main["A"] != main["B"]


def test_exactly_one_alert_per_spike_narrative(demo_run: DemoRun):
    spike_of = {guid: spike for spike in ("A", "B") for guid in spike_item_guids(spike)}
    alerted = demo_run.query(
        "SELECT ni.narrative_id, i.guid FROM alerts a "
        "JOIN narrative_items ni ON a.dedup_key = 'narrative:' || ni.narrative_id "
        "JOIN items i ON i.id = ni.item_id WHERE a.status = 'sent'"
    )
    members: dict[int, Counter[str]] = {}
    for narrative_id, guid in alerted:
        members.setdefault(narrative_id, Counter())[spike_of.get(guid, "-")] += 1
    spikes = sorted(counts.most_common(1)[0][0] for counts in members.values())
    assert spikes == ["A", "B"], members
    received = (demo_run.data_dir / "demo" / "alerts.jsonl").read_text().splitlines()
    assert len(received) == 2


def test_the_weekly_briefing_of_the_demo_shows_the_chart_and_the_spike_narratives(demo_run: DemoRun, tmp_path: Path):
    # tests/briefing/demo_check.py: `waakhond briefing` per spike week, pages by pdftoppm, text by pdftotext
    assert set(check_demo_briefing(demo_run.database, demo_run.env, tmp_path)) == {"A", "B"}


def test_a_second_run_reuses_everything(demo_run: DemoRun):
    out = demo_run.second.stdout
    assert "Demo users exist already" in out and "reused" in out
    first, second = _summary(demo_run.first)["counts"], _summary(demo_run.second)["counts"]
    assert second["items"] == first["items"] and second["alerts_sent"] == first["alerts_sent"]
    assert max(_stored_items(demo_run).values()) == 1


def _password(run: DemoRun, role: str) -> str:
    match = re.search(rf"^\s+{role}\s+(\S{{12}})$", run.first.stdout, re.MULTILINE)
    assert match, f"no password printed for {role}"
    return match.group(1)


@pytest.mark.browser
def test_the_dashboard_shows_the_demo_in_chromium(demo_run: DemoRun, tmp_path: Path):
    """Flagged items, the trend chart and a debunk link on screen; the README's screenshots."""
    # the signal list's first page: flagged originals, newest first
    newest_with_debunk = demo_run.query(
        "WITH first_page AS (SELECT i.id, i.title, i.appeared_at FROM items i "
        "JOIN classifications c ON c.item_id = i.id WHERE c.flagged AND i.duplicate_of IS NULL "
        "ORDER BY i.appeared_at DESC, i.id DESC LIMIT 50) "
        "SELECT p.id, p.title, f.url FROM first_page p JOIN claim_matches m ON m.item_id = p.id "
        "JOIN fact_checks f ON f.id = m.fact_check_id ORDER BY p.appeared_at DESC, p.id DESC, m.similarity DESC LIMIT 1"
    )
    assert newest_with_debunk, "no flagged item with a debunk match"
    item_id, title, fact_check_url = newest_with_debunk[0]
    env = {**demo_run.env, "WAAKHOND_DATABASE_URL": f"sqlite:///{demo_run.database}"}
    chromium = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright

    with running_dashboard_process(env, tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(url)
        page.get_by_label("Gebruikersnaam").fill("analyst")
        page.get_by_label("Wachtwoord").fill(_password(demo_run, "analyst"))
        page.get_by_role("button", name="Inloggen").click()

        expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        expect(chart).to_be_visible()
        expect(chart.locator("canvas, svg").first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "demo-overzicht.png"), full_page=True)

        page.get_by_test_id("stSidebar").get_by_text("Signalen", exact=True).click()
        expect(page.get_by_role("heading", name="Signalen")).to_be_visible()
        expect(page.get_by_text("gesignaleerde berichten").first).to_be_visible()
        page.get_by_test_id("stSelectbox").filter(has_text="Signaal bekijken").click()
        page.keyboard.type(f"#{item_id} ")  # the option list is virtual: filter it down first
        page.get_by_role("option", name=f"#{item_id} {title[:40]}").first.click()
        debunk = page.locator(f'a[href="{fact_check_url}"]').first
        expect(debunk).to_be_visible()
        debunk.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "demo-signaal.png"), full_page=True)
        browser.close()


def test_ctrl_c_stops_the_service_and_the_dashboard_cleanly(demo_run: DemoRun, tmp_path: Path):
    """Without --exit-after-first-cycle the demo keeps running (service and dashboard) until
    Ctrl-C, which stops everything and exits 0."""
    import signal
    import time
    import urllib.request

    port = free_port()
    env = {**demo_run.env, "WAAKHOND_DASHBOARD__PORT": str(port)}
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "demo", "--no-browser"],
                                   cwd=demo_run.data_dir.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
            while "Service running on its schedule" not in log.read_text():
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
            while True:  # the dashboard answers at the printed URL
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                        assert response.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, "the dashboard never answered"
                    time.sleep(0.5)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=120) == 0, log.read_text()[-3000:]
        finally:
            if process.poll() is None:
                process.kill()
    with pytest.raises(OSError):  # the dashboard went with it
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("taken", ["feed", "webhook", "dashboard"])
def test_a_port_in_use_is_one_line_and_exit_code_3(tmp_path: Path, real_encoder_folder: Path, taken: str):  # noqa: F811
    import socket

    env = {key: value for key, value in os.environ.items() if not key.startswith("WAAKHOND_")}
    env.update({"WAAKHOND_DATA_DIR": str(tmp_path / "var"), "WAAKHOND_MODEL_DIR": str(REPO_ROOT / "models"),
                "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(real_encoder_folder)})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        if taken == "dashboard":
            env["WAAKHOND_DASHBOARD__PORT"] = str(port)
            flags, hint = [], "WAAKHOND_DASHBOARD__PORT"
        else:
            flags, hint = ["--no-dashboard", f"--{taken}-port", str(port)], f"--{taken}-port"
        result = subprocess.run(
            [sys.executable, "-m", "waakhond.cli.main", "demo", *DEMO_FLAGS, *flags],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
        )
    assert result.returncode == 3, result.stderr[-2000:]
    assert len(result.stderr.strip().splitlines()) == 1 and hint in result.stderr
