"""The briefing of the real demo database (``waakhond demo``): used by the demo test, which has
the database (running the demo takes minutes, so it is run once there).

For each spike (A, B) of the demo corpus: the ISO weeks its flagged posts fall in (they are
dated relative to the run), ``waakhond briefing`` for each of those weeks as a subprocess, the
PDF's pages rendered by pdftoppm (the chart's bar of the week is drawn), and the spike's
narrative listed among the narratives that grew (pdftotext) in at least one of them.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from briefing.chart import WEEK_COLOUR
from briefing.weeks import week_of
from tests.conftest import IN_CI
from waakhond.demo import spike_item_guids

#: A drawn bar of the briefing's own week is a solid block of at least this many pixels at 50 dpi.
MIN_BAR_PIXELS = 400


def _bar_pixels(png: Path) -> int:
    wanted = np.array([int(WEEK_COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - wanted).max(axis=2) <= 6).sum())


def spike_narratives(database: Path) -> dict[str, tuple[str, set[str]]]:
    """spike -> (title of the narrative most of its flagged posts joined, ISO weeks of those posts)."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT i.guid, ni.narrative_id, n.title, COALESCE(MIN(i.published_at, i.collected_at), i.collected_at) "
            "FROM items i JOIN classifications c ON c.item_id = i.id "
            "JOIN narrative_items ni ON ni.item_id = i.id JOIN narratives n ON n.id = ni.narrative_id WHERE c.flagged"
        ).fetchall()
    found = {}
    for spike in ("A", "B"):
        guids = set(spike_item_guids(spike))
        mine = [r for r in rows if r[0] in guids]
        (narrative, title), _ = Counter((r[1], r[2]) for r in mine).most_common(1)[0]
        weeks = {week_of(datetime.fromisoformat(str(r[3])[:19]).date()).label for r in mine if r[1] == narrative}
        found[spike] = (title, weeks)
    return found


def check_demo_briefing(database: Path, env: dict[str, str], folder: Path) -> dict[str, str]:
    """Run the briefing of every spike week; returns spike -> the week whose briefing lists it."""
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        message = "poppler-utils (pdftoppm, pdftotext) not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env = {**env, "WAAKHOND_DATABASE_URL": f"sqlite:///{database}"}
    texts: dict[str, str] = {}
    for _, weeks in spike_narratives(database).values():
        for week in sorted(weeks - set(texts)):
            out = folder / f"briefing-{week}.pdf"
            run = subprocess.run([sys.executable, "-m", "waakhond.cli.main", "briefing", "--week", week, "--out", str(out)],
                                 env=env, capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stderr[-2000:]
            subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(folder / week)], check=True, timeout=300)
            bars = [_bar_pixels(p) for p in sorted(folder.glob(f"{week}-*.png"))]
            assert max(bars) > MIN_BAR_PIXELS, (week, bars)
            text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True,
                                  timeout=300).stdout
            texts[week] = " ".join(text.split())
    listed = {}
    for spike, (title, weeks) in spike_narratives(database).items():
        shown = " ".join(title.split()).rstrip("…")[:50]
        hits = [w for w in sorted(weeks) if "Verhalen die groeiden" in texts[w] and shown in texts[w]]
        assert hits, (spike, title, weeks)
        listed[spike] = hits[0]
    return listed
