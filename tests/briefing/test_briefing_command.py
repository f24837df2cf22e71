"""``waakhond briefing`` on a database holding a realistic week (the demo corpus's spike posts,
narratives, fact-checks, labels; ``world``): the PDF's pages rendered to PNG (pdftoppm) show the
chart, its text (pdftotext) the spike narratives with their evidence, debunks, guidance and
labels; the HTML carries the chart's SVG and escapes feed text; mistakes exit 2 in one line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from briefing.chart import BAR_COLOUR, WEEK_COLOUR
from storage.repositories.briefings import briefing_content, latest_briefing
from tests.briefing import world
from tests.conftest import IN_CI
from tests.support.cli import invoke


@pytest.fixture
def poppler() -> None:
    """pdftoppm and pdftotext (Debian poppler-utils; .ci/run installs it, so CI never skips)."""
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        message = "poppler-utils (pdftoppm, pdftotext) not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def week_db(sqlite_db):
    ids = world.build(sqlite_db)
    return sqlite_db, ids


def _env(db, tmp_path: Path) -> dict[str, str]:
    return {"WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var")}


def _colour_pixels(png: Path, colour: str) -> int:
    """Pixels of one colour: a drawn bar is a solid block of them."""
    wanted = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - wanted).max(axis=2) <= 6).sum())


def _spike_titles(ids) -> tuple[str, str]:
    return ids["posts_b"][2][0], ids["posts_a"][0][0]


def test_the_pdf_shows_the_chart_and_the_spike_narratives(week_db, tmp_path, capsys, poppler):
    db, ids = week_db
    out = tmp_path / "briefing.pdf"
    result = invoke(["briefing", "--week", world.WEEK, "--out", str(out)], _env(db, tmp_path), capsys)
    assert result.exit_code == 0, result.stderr
    assert f"Wrote the briefing of {world.WEEK} to {out}" in result.stdout
    assert "2 topics, 18 flagged, 2 narratives grown" in result.stdout
    assert out.read_bytes().startswith(b"%PDF-")

    subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3  # the summary, then a page per topic with news
    week_bars = [_colour_pixels(p, WEEK_COLOUR) for p in pages]
    history_bars = [_colour_pixels(p, BAR_COLOUR) for p in pages]
    # page 2 and 3 open a topic with its chart: the week's bar and the weeks before are drawn
    assert week_bars[1] > 400 and week_bars[2] > 400, week_bars
    assert history_bars[1] > 30 and history_bars[2] > 30, history_bars
    assert history_bars[0] == 0, history_bars  # the summary page has no chart

    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    flat = " ".join(text.split())
    assert "Weekbriefing desinformatie over beleid" in flat and "Week 2025-W35" in flat
    assert "25 augustus 2025 tot en met 31 augustus 2025" in flat
    assert "Verhalen die groeiden" in flat
    for spike_evidence in (ids["posts_b"][3][1], ids["posts_a"][0][1]):  # evidence sentences of both spikes
        assert " ".join(spike_evidence.split())[:60] in flat
    assert "9 berichten deze week (de week ervoor 2)" in flat  # spike B grew
    assert "6 berichten deze week (de week ervoor 0)" in flat  # spike A appeared
    assert world.STEADY_SENTENCE not in flat  # the steady narrative did not grow
    assert "Contant geld wordt in 2026 afgeschaft" in flat and "Nieuwscheckers: onwaar" in flat
    assert "Waarom gesignaleerd: controleerbare bewering (0,74); lijkt op verhaal “Contant geld verdwijnt” (0,66)" in flat
    assert "Is dat echt zo?" in flat and "https://www.isdatechtzo.nl/" in flat
    assert "Aanpak stikstof" in flat  # the topic's own page from the guidance file
    assert "2 bevestigd als desinformatie of misleidend, 1 afgewezen (geen desinformatie), 0 twijfel." in flat
    assert "Rustig deze week (geen gemarkeerde berichten): Onderwijs." in flat

    with db.read_sessions() as session:
        stored = latest_briefing(session)
        assert (stored.week, stored.language, stored.format, stored.path) == (world.WEEK, "nl", "pdf", str(out.resolve()))
        assert briefing_content(session, stored.id) == out.read_bytes()
        assert stored.summary["flagged"] == 18 and stored.summary["narratives_grown"] == 2


def test_the_html_has_the_chart_svg_and_escapes_feed_text(week_db, tmp_path, capsys):
    db, ids = week_db
    out = tmp_path / "briefing.html"
    result = invoke(["briefing", "--week", world.WEEK, "--out", str(out)], _env(db, tmp_path), capsys)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="volume-chart"') == 2
    assert page.count('class="bar-week"') == 2
    assert 'aria-label="Staafdiagram: gemarkeerde berichten per week over Digitale overheid en geld"' in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Contant geld weg" in page
    assert "<script" not in page
    assert "javascript:" not in page  # the debunk with a javascript: link is left out
    assert f'href="{world.DEBUNK_URL}"' in page
    titles = _spike_titles(ids)
    assert all(title.replace("'", "&#39;") in page for title in titles[1:])


def test_english_and_one_topic(week_db, tmp_path, capsys):
    db, _ = week_db
    out = tmp_path / "en.html"
    result = invoke(["briefing", "--week", world.WEEK, "--topic", "stikstof-landbouw", "--language", "en",
                     "--out", str(out)], _env(db, tmp_path), capsys)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "Weekly briefing: disinformation about policy" in page and "Narratives that grew" in page
    assert "August 25, 2025 to August 31, 2025" in page
    assert "Nitrogen and farming" in page and "Digital government and money" not in page
    assert "6 messages this week (the week before 0)" in page
    with db.read_sessions() as session:
        stored = latest_briefing(session, language="en")
        assert (stored.topic, stored.format) == ("stikstof-landbouw", "html")


@pytest.mark.parametrize(("argv", "message"), [
    (["--week", "2025-W60", "--out", "x.pdf"], "2025 has no week 60"),
    (["--week", "week 35", "--out", "x.pdf"], "not an ISO week like 2026-W48"),
    (["--week", "2099-W01", "--out", "x.pdf"], "has not begun yet"),
    (["--week", world.WEEK, "--out", "x.docx"], "--out must end in .pdf or .html"),
    (["--week", world.WEEK, "--language", "fr", "--out", "x.pdf"], "--language must be one of nl, en"),
    (["--week", world.WEEK, "--topic", "geen-onderwerp", "--out", "x.pdf"], "no policy topic 'geen-onderwerp'"),
])
def test_mistakes_are_one_line_and_exit_2(week_db, tmp_path, capsys, monkeypatch, argv, message):
    db, _ = week_db
    monkeypatch.chdir(tmp_path)
    result = invoke(["briefing", *argv], _env(db, tmp_path), capsys)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()
