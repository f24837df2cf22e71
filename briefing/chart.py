"""The weekly volume chart as inline SVG (pure: counts in, markup out).

Drawn here rather than by a chart library: the briefing must render offline, the same in the
HTML and in the PDF (WeasyPrint draws inline SVG), and every text in it is escaped here.
The briefing's own week is the dark bar on the right; weeks before anything was collected are
left out (or a dash), never drawn as zero; the dashed line is the average of the weeks before.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from briefing.content import WeekCount
from briefing.texts import number, text

WIDTH, HEIGHT = 520, 190
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 26, 30
BAR_COLOUR = "#8fa9c8"
WEEK_COLOUR = "#154273"  # the briefing's own week
AVERAGE_COLOUR = "#b3541e"
AXIS_COLOUR = "#555555"


def nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value`` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def weekly_chart_svg(weeks: tuple[WeekCount, ...], baseline: float | None, topic_name: str, language: str) -> Markup:
    """Weeks before the first one with data are left out (nothing was collected yet); a week
    without data between others shows a dash."""
    first = next((i for i, w in enumerate(weeks) if w.flagged is not None), len(weeks) - 1)
    weeks = weeks[first:]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max([w.flagged or 0 for w in weeks] + [math.ceil(baseline or 0)]))
    slot = plot_w / max(1, len(weeks))
    bar_w = slot * 0.62

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    label = escape(text("chart_label", language, topic=topic_name))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="volume-chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in (0, top / 2, top):
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#e3e3e3" stroke-width="1"/>')
        shown = escape(number(tick, language, 0 if float(tick).is_integer() else 1))
        parts.append(f'<text x="{LEFT - 5}" y="{ty + 3.5:.1f}" font-size="10" text-anchor="end" fill="{AXIS_COLOUR}">{shown}</text>')
    for i, w in enumerate(weeks):
        x = LEFT + i * slot + (slot - bar_w) / 2
        mid = x + bar_w / 2
        is_week = i == len(weeks) - 1
        bold = ' font-weight="bold"' if is_week else ""
        if w.flagged is None:
            parts.append(f'<text x="{mid:.1f}" y="{y(0) - 4:.1f}" font-size="10" text-anchor="middle" fill="#999999">'
                         f'–<title>{escape(text("chart_no_data", language))}</title></text>')
        else:
            top_y = y(w.flagged)
            colour = WEEK_COLOUR if is_week else BAR_COLOUR
            parts.append(f'<rect class="{"bar-week" if is_week else "bar"}" x="{x:.1f}" y="{top_y:.1f}" '
                         f'width="{bar_w:.1f}" height="{y(0) - top_y:.1f}" fill="{colour}"/>')
            parts.append(f'<text x="{mid:.1f}" y="{top_y - 3:.1f}" font-size="10" text-anchor="middle" '
                         f'fill="#222222"{bold}>{w.flagged}</text>')
        parts.append(f'<text x="{mid:.1f}" y="{HEIGHT - BOTTOM + 13:.1f}" font-size="10" text-anchor="middle" '
                     f'fill="{AXIS_COLOUR}"{bold}>W{w.week.week:02d}</text>')
    if baseline is not None:
        by = y(baseline)
        parts.append(f'<line class="average" x1="{LEFT}" y1="{by:.1f}" x2="{WIDTH - RIGHT}" y2="{by:.1f}" '
                     f'stroke="{AVERAGE_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        # the legend of the dashed line sits above the plot, clear of the bars
        parts.append(f'<line x1="{LEFT}" y1="{TOP - 8}" x2="{LEFT + 18}" y2="{TOP - 8}" stroke="{AVERAGE_COLOUR}" '
                     f'stroke-width="1.5" stroke-dasharray="5 3"/>')
        parts.append(f'<text x="{LEFT + 22}" y="{TOP - 5}" font-size="9" text-anchor="start" fill="{AVERAGE_COLOUR}">'
                     f'{escape(text("chart_average", language))} {escape(number(baseline, language))}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
