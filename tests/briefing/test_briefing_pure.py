"""The briefing's pure parts: ISO weeks, weekly totals from daily counts, the one-line "why
flagged" from the signal's parts (old rows, missing parts), the chart's SVG (escaped)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from briefing.chart import nice_ceiling, weekly_chart_svg
from briefing.content import GuidanceLinks, Link, WeekCount, web_links, weekly_counts, why_line
from briefing.weeks import IsoWeek, WeekError, last_completed_week, parse_week
from storage.read_models.signal_parts import read_signal_parts


def test_iso_weeks():
    week = parse_week("2026-W48")
    assert (week.first_day, week.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week.start == datetime(2026, 11, 23, tzinfo=UTC) and week.end == datetime(2026, 11, 30, tzinfo=UTC)
    assert parse_week("2026w1") == IsoWeek(2026, 1) and parse_week("2020-W53").label == "2020-W53"
    assert [w.label for w in parse_week("2026-W02").previous(3)] == ["2025-W51", "2025-W52", "2026-W01"]
    assert last_completed_week(datetime(2026, 12, 2, 15, tzinfo=UTC)).label == "2026-W48"
    for bad in ("2026-W00", "2026-W54", "2025-W53", "W48", "2026-48", ""):
        with pytest.raises(WeekError):
            parse_week(bad)


def test_weekly_counts_sum_days_and_weeks_before_data_are_unknown_not_zero():
    weeks = parse_week("2026-W48").previous(3) + [parse_week("2026-W48")]
    days = [(date(2026, 11, 10), 2), (date(2026, 11, 15), 1), (date(2026, 11, 23), 4), (date(2026, 11, 29), 5)]
    counts = weekly_counts(days, weeks, first_counted=date(2026, 11, 9))
    assert [(c.week.label, c.flagged) for c in counts] == [
        ("2026-W45", None), ("2026-W46", 3), ("2026-W47", 0), ("2026-W48", 9)]
    assert all(c.flagged is None for c in weekly_counts([], weeks, first_counted=None))


def test_why_line_from_the_parts_that_raised_the_flag():
    parts = read_signal_parts({
        "rule": "parts-v1", "flagged_by": ["head", "claim_match"],
        "head": {"score": 0.81, "threshold": 0.55}, "checkworthy": {"score": 0.2, "threshold": 0.4},
        "claim_match": {"score": 0.97, "threshold": 0.8, "claim": "x"}, "topic": {"slug": "wonen", "score": 0.5},
    })
    assert why_line(parts, "nl", {"wonen": "Wonen"}) == (
        "Waarom gesignaleerd: lijkt op een bewering met factcheck (0,97); het model (0,81); onderwerp Wonen.")
    assert why_line(parts, "en", {}) == (
        "Why flagged: resembles a fact-checked claim (0.97); the model (0.81); topic wonen.")


def test_why_line_copes_with_old_rows_and_missing_parts():
    assert why_line(None, "nl") is None  # scored before the parts existed
    assert why_line(read_signal_parts({"rule": "parts-v1", "flagged_by": []}), "nl") is None
    # without flagged_by: the scoring parts at or above their own threshold
    unsaid = read_signal_parts({"rule": "parts-v1", "narrative": {"score": 0.7, "threshold": 0.6},
                                "head": {"score": "hoog", "threshold": 0.5}})
    assert why_line(unsaid, "nl") == "Waarom gesignaleerd: lijkt op een bekend verhaal (0,70)."


def test_only_clean_web_links_once():
    links = web_links([Link("a", "https://www.isdatechtzo.nl/"), Link("b", "javascript:alert(1)"),
                       Link("c", "https://www.isdatechtzo.nl/"), Link("d", "ftp://x.example/")])
    assert [link.title for link in links] == ["a"]
    guidance = GuidanceLinks((Link("Is dat echt zo?", "https://www.isdatechtzo.nl/"),),
                             {"wonen": (Link("Volkshuisvesting", "https://www.rijksoverheid.nl/onderwerpen/volkshuisvesting"),)})
    assert [g.title for g in guidance.for_topic("wonen")] == ["Volkshuisvesting", "Is dat echt zo?"]
    assert [g.title for g in guidance.for_topic("onbekend")] == ["Is dat echt zo?"]


def test_chart_svg_draws_each_week_and_escapes_the_topic():
    weeks = tuple(WeekCount(w, n) for w, n in zip(parse_week("2026-W48").previous(3) + [parse_week("2026-W48")],
                                                   (None, 2, 0, 28), strict=True))
    svg = str(weekly_chart_svg(weeks, 1.0, '<b>"Wonen"</b>', "nl"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="volume-chart"')
    assert "&lt;b&gt;&quot;Wonen&quot;&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count('class="bar"') == 2 and svg.count('class="bar-week"') == 1  # the week before data left out
    assert ">W46<" in svg and ">W45<" not in svg and "gemiddelde ervoor 1,0" in svg
    assert [nice_ceiling(n) for n in (0, 1, 3, 28, 50, 51, 120)] == [1, 1, 5, 50, 50, 100, 200]


def test_the_briefing_reads_only_through_storage():
    """Floors: briefing imports storage (and itself), never classifier, collector, dashboard,
    api or waakhond; the guidance links are handed in."""
    import ast
    from pathlib import Path

    import briefing

    forbidden = {"classifier", "collector", "dashboard", "api", "waakhond"}
    seen = set()
    for path in Path(briefing.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                seen.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                seen.add(node.module.split(".")[0])
    assert "storage" in seen and not seen & forbidden, sorted(seen & forbidden)
